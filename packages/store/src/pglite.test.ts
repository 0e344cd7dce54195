import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createMemoryPGlite, createPGliteFolder, pgliteSharedBuffers } from './pglite.ts';

const root = mkdtempSync(join(tmpdir(), 'bulwark-pglite-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sharedBuffers = async (pglite: { query: (sql: string) => Promise<{ rows: unknown[] }> }) =>
  ((await pglite.query(`select current_setting('shared_buffers') as value`)).rows[0] as { value: string }).value;

describe('createPGliteFolder', () => {
  test('default: a new folder is copied from a saved initdb folder, saved by the first', async () => {
    const template = join(root, 'initdb');
    const first = await createPGliteFolder(join(root, 'first'), template);
    try {
      expect(existsSync(join(template, 'PG_VERSION'))).toBe(true);
      expect(await sharedBuffers(first)).toBe(pgliteSharedBuffers);
      await first.exec('create table kept (id int)');
    } finally {
      await first.close();
    }
    const second = await createPGliteFolder(join(root, 'second'), template);
    try {
      // A copy of initdb's result, not of the first database.
      expect((await second.query(`select to_regclass('kept') as found`)).rows).toEqual([{ found: null }]);
      expect(await sharedBuffers(second)).toBe(pgliteSharedBuffers);
    } finally {
      await second.close();
    }
  }, 300_000);

  test('behavior: a damaged saved folder is dropped and the new database still opens', async () => {
    const template = join(root, 'damaged-initdb');
    await (await createPGliteFolder(join(root, 'builds-template'), template)).close();
    writeFileSync(join(template, 'global', 'pg_control'), 'not a control file');
    const pglite = await createPGliteFolder(join(root, 'after-damage'), template);
    try {
      expect((await pglite.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      expect(existsSync(template)).toBe(false);
    } finally {
      await pglite.close();
    }
  }, 300_000);
});

describe('createMemoryPGlite', () => {
  test('default: runs with the store’s shared buffers, not PostgreSQL’s 128 MB', async () => {
    const pglite = await createMemoryPGlite();
    try {
      expect(await sharedBuffers(pglite)).toBe(pgliteSharedBuffers);
    } finally {
      await pglite.close();
    }
  }, 300_000);
});

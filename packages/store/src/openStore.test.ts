import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { appendLog, verifyLog } from './auditLog.ts';
import { verifyBoundRows } from './boundRows.ts';
import { getCheckpoint, setCheckpoint } from './checkpoints.ts';
import { StoreConfigError, StoreLockedError, StoreOpenError } from './errors.ts';
import { getIncident, openIncident } from './incidents.ts';
import { migrationNames } from './migrations/index.ts';
import { defaultDataDir, openStore } from './openStore.ts';
import { PGLITE_PG_MAJOR } from './pglite.ts';
import { withTransaction } from './store.ts';
import { describeStore } from './testing.ts';

const secret = 'hunter2-s3cret';

/** Everything an error carries, cause chain included, as a log line would show it. */
const everything = (error: unknown) => `${String(error)}\n${inspect(error, { depth: 10 })}\n${JSON.stringify(error)}`;

const folders: string[] = [];
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-store-test-'));
  folders.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describeStore('openStore', (ctx) => {
  test('default: opened on its engine with every migration, located without credentials', async () => {
    expect(ctx.store.engine).toBe(ctx.engine);
    expect(ctx.store.migrations.applied).toEqual(migrationNames);
    expect(ctx.store.location).not.toMatch(/@|:\/\/.*:.*@/);
  });

  test('behavior: withTransaction commits together, rolls back together, and joins an outer one', async () => {
    await withTransaction(ctx.store, async (tx) => {
      await setCheckpoint(tx, { chainId: 77, blockNumber: 1n, blockHash: '0x01' });
      await withTransaction(tx, (inner) => appendLog(inner, { actor: 'a', action: 'b' }));
    });
    expect((await getCheckpoint(ctx.store, 77))?.blockNumber).toBe(1n);
    await expect(
      withTransaction(ctx.store, async (tx) => {
        await setCheckpoint(tx, { chainId: 77, blockNumber: 2n, blockHash: '0x02' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await getCheckpoint(ctx.store, 77))?.blockNumber).toBe(1n);
  });
});

describe('openStore: PGlite folder', () => {
  test('behavior: data in a folder survives close and reopen; one PGlite per folder per process', async () => {
    const cwd = folder();
    const dataDir = defaultDataDir(cwd);
    expect(dataDir).toBe(join(cwd, '.bulwark', 'db'));
    // A lock left by a process that is gone is taken over.
    mkdirSync(join(cwd, '.bulwark'), { recursive: true });
    writeFileSync(`${dataDir}.lock`, '999999999');

    const [first, second] = await Promise.all([openStore({ cwd }), openStore({ dataDir })]);
    expect(first.engine).toBe('pglite');
    expect(first.location).toBe(dataDir);
    expect(second.db).toBe(first.db);
    expect(first.migrations.applied).toEqual(migrationNames);
    expect(readdirSync(dataDir)).toContain('PG_VERSION');

    await setCheckpoint(first, { chainId: 1, blockNumber: 123n, blockHash: '0xaa' });
    await appendLog(second, { actor: 'alice', action: 'audit.add', payload: { id: 1 } });
    const incident = await openIncident(first, { title: 'kept', severity: 'high', actor: 'monitor' });
    await first.close();
    // The other handle still works; the folder closes with the last one.
    await appendLog(second, { actor: 'bob', action: 'gate.approve' });
    expect(existsSync(`${dataDir}.lock`)).toBe(true);
    await second.close();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);

    const reopened = await openStore({ dataDir });
    try {
      expect(reopened.migrations.applied).toEqual([]);
      expect(await getCheckpoint(reopened, 1)).toMatchObject({ blockNumber: 123n, blockHash: '0xaa' });
      expect(await getIncident(reopened, incident.id)).toEqual(incident);
      // The two appended, and the `store.write` that bound the incident the monitor opened.
      expect(await verifyLog(reopened)).toMatchObject({ ok: true, entries: 3 });
      expect(await verifyBoundRows(reopened)).toMatchObject({ ok: true });
    } finally {
      await reopened.close();
    }
  }, 300_000);

  test('error: a folder with other files is refused and left untouched', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const error = await openStore({ dataDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as Error).message).toMatch(/is not a PGlite data folder: it has other files and no PG_VERSION/);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  test("error: a PostgreSQL server's data directory, or another version's, is refused", async () => {
    const server = folder();
    writeFileSync(join(server, 'PG_VERSION'), '15\n');
    writeFileSync(join(server, 'postmaster.opts'), '/usr/lib/postgresql/15/bin/postgres');
    await expect(openStore({ dataDir: server })).rejects.toThrow(
      /PostgreSQL 15 server's data directory[\s\S]*DATABASE_URL/,
    );
    const other = folder();
    writeFileSync(join(other, 'PG_VERSION'), '17\n');
    await expect(openStore({ dataDir: other })).rejects.toThrow(`this PGlite needs version ${PGLITE_PG_MAJOR}`);
  });

  test('error: a file where the folder should be', async () => {
    const file = join(folder(), 'db');
    writeFileSync(file, '');
    await expect(openStore({ dataDir: file })).rejects.toThrow(/is a file, not a PGlite data folder/);
  });

  test('error: a folder another live process holds is refused, retryably', async () => {
    const dataDir = join(folder(), 'db');
    writeFileSync(`${dataDir}.lock`, String(process.ppid));
    const error = await openStore({ dataDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreLockedError);
    expect((error as StoreLockedError).retryable).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`in use by process ${process.ppid}[\\s\\S]*DATABASE_URL`));
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('openStore: PostgreSQL URL', () => {
  test('error: a malformed URL is refused without the password appearing anywhere', async () => {
    const malformed = [
      `postgres://bob:${secret}@db.example.com:notaport/bulwark`,
      `mysql://bob:${secret}@db.example.com/bulwark`,
      `bob:${secret}@db.example.com/bulwark`,
      `postgres://bob:${secret}@db.example.com:5432/%zz`,
      `postgres://bob:${secret}@[::1/bulwark`,
    ];
    for (const url of malformed) {
      const error = await openStore({ url }).catch((e: unknown) => e);
      expect(error, url).toBeInstanceOf(StoreConfigError);
      expect((error as Error).message).toMatch(/DATABASE_URL (is not a valid URL|has the scheme|has a malformed)/);
      expect((error as Error).message).toMatch(/must look like postgres:\/\/localhost:5432\/bulwark/);
      expect(everything(error)).not.toContain(secret);
      expect((error as StoreConfigError).retryable).toBe(false);
    }
  });

  test('error: an unreachable server is named by host and port, retryable, password hidden', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const error = await openStore({ url: `postgres://bob:${secret}@127.0.0.1:${port}/bulwark` }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as Error).message).toMatch(new RegExp(`Cannot reach PostgreSQL at 127\\.0\\.0\\.1:${port}`));
    expect((error as StoreOpenError).retryable).toBe(true);
    expect(everything(error)).not.toContain(secret);
  });

  test('behavior: an empty DATABASE_URL counts as unset', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'x'), '');
    // Proves PGlite was chosen: the folder check runs, no connection is tried.
    await expect(openStore({ url: '  ', dataDir: dir })).rejects.toThrow(/not a PGlite data folder/);
  });
});

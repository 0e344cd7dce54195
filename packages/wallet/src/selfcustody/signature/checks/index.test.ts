import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { allSignatureChecks } from './index.ts';

const docs = readFileSync(
  fileURLToPath(new URL('../../../../../../docs/wallet/self-custody.md', import.meta.url)),
  'utf8',
);

test('behavior: every check has a unique id that names its file and is documented', async () => {
  const ids = allSignatureChecks.map((check) => check.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const id of ids) {
    const module = (await import(`./${id}.ts`)) as Record<string, { id?: string }>;
    expect(
      Object.values(module).some((value) => value?.id === id),
      id,
    ).toBe(true);
    expect(docs, id).toContain(`| \`${id}\` |`);
  }
});

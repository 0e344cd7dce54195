import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getLogHead } from '@bulwark/store';
import { beforeAll, expect, test } from 'vitest';
import { describeCli } from '../testing.ts';

describeCli('bulwark log', (ctx) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-log-'));
  const run = (args: string[]) => ctx.run(args, { cwd: dir, env: { BULWARK_ACTOR: 'alice' } });

  beforeAll(async () => {
    for (const [threat, likelihood] of [
      ['Oracle manipulation', '4'],
      ['Key theft', '2'],
      ['Bridge exploit', '3'],
      ['DoS', '1'],
    ])
      await run([
        'risk',
        'add',
        '--threat',
        threat!,
        '--asset',
        'Protocol',
        '--likelihood',
        likelihood!,
        '--impact',
        '4',
        '--owner',
        'alice',
        '--treatment',
        'mitigate',
      ]);
    await run(['risk', 'update', 'R-1', '--reviewed']);
  });

  /** Tampering goes straight at the table, as an attacker with database access would. */
  const row = (seq: number) =>
    ctx.store.db.selectFrom('audit_log').selectAll().where('seq', '=', BigInt(seq)).executeTakeFirstOrThrow();
  const restore = (original: Awaited<ReturnType<typeof row>>) =>
    ctx.store.db
      .insertInto('audit_log')
      .values({
        ...original,
        payload: JSON.stringify(original.payload),
        bound_rows: JSON.stringify(original.bound_rows),
      })
      .execute();

  test('default: an intact log verifies, lists and exports', async () => {
    const head = (await getLogHead(ctx.store))!;
    const verified = await run(['log', 'verify']);
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    expect(verified.stdout).toContain(`Log intact: 5 entries, chained from genesis to head 5:${head.hash}`);

    const list = await run(['log', 'list', '--action', 'risk.add']);
    expect(list.stdout.trim().split('\n')).toHaveLength(4);
    expect(list.stdout).toMatch(/^\s+1\s+\S+Z\s+alice\s+risk\.add\s+\{"id":"R-1"/);
    const jsonl = await run(['log', 'list', '--after', '4', '--format', 'jsonl']);
    expect(JSON.parse(jsonl.stdout)).toMatchObject({ seq: 5, action: 'risk.review', actor: 'alice' });

    const exported = await run(['log', 'export', '--out', 'log.jsonl']);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`Exported 5 entries to log.jsonl; head 5:${head.hash}.`);
    const fromFile = await run([
      'log',
      'verify',
      '--file',
      'log.jsonl',
      '--anchor',
      `5:${head.hash}`,
      '--format',
      'json',
    ]);
    expect(fromFile.code).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toEqual({
      source: 'log.jsonl',
      anchor: { seq: 5, hash: head.hash },
      ok: true,
      entries: 5,
      head: { seq: 5, hash: head.hash },
    });
  });

  test('error: a governance row edited, inserted or deleted by SQL is named with its entry, exit 1', async () => {
    const risk = await ctx.store.db.selectFrom('risks').selectAll().where('id', '=', 'R-2').executeTakeFirstOrThrow();
    const { score: _score, ...deleted } = await ctx.store.db
      .selectFrom('risks')
      .selectAll()
      .where('id', '=', 'R-3')
      .executeTakeFirstOrThrow();
    await ctx.store.db.updateTable('risks').set({ owner: 'mallory' }).where('id', '=', 'R-2').execute();
    await ctx.store.db.deleteFrom('risks').where('id', '=', 'R-3').execute();
    try {
      const result = await run(['log', 'verify']);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('Log intact: 5 entries');
      expect(result.stdout).toContain('Rows BROKEN: 2 governance row(s) changed outside Bulwark:');
      expect(result.stdout).toMatch(
        /risks R-2 was edited outside Bulwark: it no longer matches what entry 2 \(risk\.add, [0-9a-f]{12}…\) wrote\./,
      );
      expect(result.stdout).toMatch(/risks R-3 was deleted outside Bulwark: entry 3 \(risk\.add/);
      const json = JSON.parse((await run(['log', 'verify', '--format', 'json'])).stdout);
      expect(json).toMatchObject({
        ok: false,
        rows: {
          ok: false,
          problems: [
            { table: 'risks', key: ['R-2'], kind: 'edited', entry: { seq: 2 } },
            { table: 'risks', key: ['R-3'], kind: 'deleted', entry: { seq: 3 } },
          ],
        },
      });
    } finally {
      await ctx.store.db.updateTable('risks').set({ owner: risk.owner }).where('id', '=', 'R-2').execute();
      await ctx.store.db
        .insertInto('risks')
        .values({ ...deleted, controls: JSON.stringify(deleted.controls) })
        .execute();
    }
    expect((await run(['log', 'verify'])).code).toBe(0);
  });

  test('error: an edited row is found at its seq, exit 1', async () => {
    const original = await row(2);
    await ctx.store.db
      .updateTable('audit_log')
      .set({ payload: JSON.stringify({ id: 'R-2', likelihood: 1 }) })
      .where('seq', '=', 2n)
      .execute();
    try {
      const result = await run(['log', 'verify']);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe(
        'Log BROKEN at entry 2 (edited): Entry 2 was changed: its content no longer matches its hash.\n1 entry before it verifies.\n',
      );
    } finally {
      await ctx.store.db
        .updateTable('audit_log')
        .set({ payload: JSON.stringify(original.payload) })
        .where('seq', '=', 2n)
        .execute();
    }
    expect((await run(['log', 'verify'])).code).toBe(0);
  });

  test('error: a deleted row is found, exit 1', async () => {
    const original = await row(3);
    await ctx.store.db.deleteFrom('audit_log').where('seq', '=', 3n).execute();
    try {
      const result = await run(['log', 'verify', '--format', 'json']);
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, seq: 3, reason: 'deleted', entries: 2 });
    } finally {
      await restore(original);
    }
    expect((await run(['log', 'verify'])).code).toBe(0);
  });

  test('error: reordered rows are found, exit 1', async () => {
    const swap = async () => {
      await ctx.store.db.updateTable('audit_log').set({ seq: 1000n }).where('seq', '=', 3n).execute();
      await ctx.store.db.updateTable('audit_log').set({ seq: 3n }).where('seq', '=', 4n).execute();
      await ctx.store.db.updateTable('audit_log').set({ seq: 4n }).where('seq', '=', 1000n).execute();
    };
    await swap();
    try {
      const result = await run(['log', 'verify']);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('Log BROKEN at entry 3 (reordered): Entry 3 holds the entry written as 4');
    } finally {
      await swap();
    }
    expect((await run(['log', 'verify'])).code).toBe(0);
  });

  test('error: a cut tail is found only against an anchor', async () => {
    const head = (await getLogHead(ctx.store))!;
    const original = await row(5);
    await ctx.store.db.deleteFrom('audit_log').where('seq', '=', 5n).execute();
    try {
      // The chain alone cannot tell a cut tail, but the row entry 5 wrote no longer matches entry 1.
      const plain = await run(['log', 'verify']);
      expect(plain.code).toBe(1);
      expect(plain.stdout).toContain('Log intact: 4 entries');
      expect(plain.stdout).toContain('risks R-1 was edited outside Bulwark: it no longer matches what entry 1');
      const anchored = await run(['log', 'verify', '--anchor', `${head.seq}:${head.hash}`]);
      expect(anchored.code).toBe(1);
      expect(anchored.stdout).toContain('(truncated)');
    } finally {
      await restore(original);
    }
  });

  test('error: an exported file that was edited, cut or reordered fails without the store', async () => {
    const lines = readFileSync(path.join(dir, 'log.jsonl'), 'utf8').trim().split('\n');
    const check = async (name: string, content: string[]) => {
      writeFileSync(path.join(dir, name), `${content.join('\n')}\n`);
      return run(['log', 'verify', '--file', name, '--format', 'json']);
    };
    const edited = JSON.parse(lines[1]!);
    edited.actor = 'mallory';
    const e = await check('edited.jsonl', [lines[0]!, JSON.stringify(edited), ...lines.slice(2)]);
    expect(e.code).toBe(1);
    expect(JSON.parse(e.stdout)).toMatchObject({ ok: false, seq: 2, reason: 'edited' });
    const d = await check('deleted.jsonl', [...lines.slice(0, 3), ...lines.slice(4)]);
    expect(JSON.parse(d.stdout)).toMatchObject({ ok: false, seq: 4, reason: 'deleted' });
    const r = await check('reordered.jsonl', [lines[0]!, lines[2]!, lines[1]!, ...lines.slice(3)]);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, seq: 2, reason: 'reordered' });
    const bad = await check('bad.jsonl', [lines[0]!, '{"seq": 2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: bad.jsonl:2 is not JSON.');
  });

  test('error: usage', async () => {
    expect((await run(['log', 'verify', '--anchor', '5:xyz'])).stderr).toContain('The anchor "5:xyz" is not SEQ:HASH.');
    expect((await run(['log', 'export'])).stderr).toContain('log export needs --out FILE.');
    expect((await run(['log', 'verify', '--file', 'missing.jsonl'])).stderr).toContain(
      'Cannot read the log file missing.jsonl.',
    );
    expect((await run(['log', 'verfy'])).stderr).toContain('Did you mean `bulwark log verify`?');
  });

  test('behavior: a signed checkpoint is checked by its signature, and the log must still extend it', async () => {
    await run(['approve', 'keygen', '--out', 'ckpt.key']);
    const pub = (await run(['approve', 'pubkey', '--key', 'ckpt.key'])).stdout;
    writeFileSync(path.join(dir, 'ckpt.pub'), pub);
    const head = (await getLogHead(ctx.store))!;
    const signed = await run(['log', 'checkpoint', '--key', 'ckpt.key', '--out', 'ckpt.json']);
    expect(signed.code).toBe(0);
    expect(signed.stdout).toMatch(
      new RegExp(`^Checkpoint of head 5:${head.hash} and state [0-9a-f]{64} signed by ed25519:`),
    );
    const ok = await run(['log', 'verify', '--checkpoint', 'ckpt.json', '--key', 'ckpt.pub']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`which includes the checkpoint signed by ed25519:`);

    // Without --key, the signer must be a registered identity.
    const unknown = await run(['log', 'verify', '--checkpoint', 'ckpt.json']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('is not signed by the key of any registered identity');

    // A checkpoint whose payload was changed does not verify.
    const envelope = JSON.parse(readFileSync(path.join(dir, 'ckpt.json'), 'utf8'));
    const payload = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    payload.head.seq = 4;
    envelope.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
    writeFileSync(path.join(dir, 'forged.json'), JSON.stringify(envelope));
    const forged = await run(['log', 'verify', '--checkpoint', 'forged.json', '--key', 'ckpt.pub']);
    expect(forged.code).toBe(2);
    expect(forged.stderr).toContain('forged.json is not signed by key ed25519:');

    // The tail cut after the checkpoint is caught.
    const original = await row(5);
    await ctx.store.db.deleteFrom('audit_log').where('seq', '=', 5n).execute();
    try {
      const cut = await run(['log', 'verify', '--checkpoint', 'ckpt.json', '--key', 'ckpt.pub']);
      expect(cut.code).toBe(1);
      expect(cut.stdout).toContain('(truncated)');
    } finally {
      await restore(original);
    }
  });
});

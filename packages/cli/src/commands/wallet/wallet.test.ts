import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listLog } from '@bulwark/store';
import { describe, expect, test } from 'vitest';
import { main } from '../../main.ts';
import { describeCli } from '../../testing.ts';

const examples = path.resolve(import.meta.dirname, '../../../../../examples/wallet');

async function runPlain(args: string[], cwd = examples) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    stdoutIsTty: false,
    stderrIsTty: false,
    cwd,
    env: {},
  });
  return { code, stdout, stderr };
}

describe('bulwark wallet decide and policy check (no store)', () => {
  test('default: the example requests are allowed, held and blocked, with the reason', async () => {
    const small = await runPlain(['wallet', 'decide', '--policy', 'policy.json', '--request', 'withdrawal-small.json']);
    expect(small).toMatchObject({ code: 0, stderr: '' });
    expect(small.stdout).toMatch(
      /^ALLOW by rule small-payouts: kind is withdrawal; initiator has role payouts; source is payouts; amount at most 1000 USD/,
    );
    expect(small.stdout).toContain('value 250 USD');
    expect(small.stdout).toContain(
      '- payouts-daily-limit: not matched (source velocity over 24h above 50000 USD does not hold)',
    );

    const large = await runPlain([
      'wallet',
      'decide',
      '--policy',
      'policy.json',
      '--request',
      'withdrawal-large.json',
      '--format',
      'json',
    ]);
    expect(large.code).toBe(1);
    const parsed = JSON.parse(large.stdout);
    expect(parsed.decision).toMatchObject({
      outcome: 'require-approval',
      rule: 'large-one-time',
      usd: '15000',
      quorum: { allOf: [{ group: 'treasury' }, { group: 'risk' }] },
    });
    expect(parsed.decision.notMatched.map((n: { rule: string }) => n.rule)).toEqual([
      'payouts-daily-limit',
      'small-payouts',
      'treasury-to-allowlist',
    ]);
    expect(parsed.digest).toMatch(/^0x[0-9a-f]{64}$/);

    const delegate = await runPlain(['wallet', 'decide', '--policy', 'policy.json', '--request', 'delegatecall.json']);
    expect(delegate.code).toBe(1);
    expect(delegate.stdout).toMatch(/^BLOCK by rule builtin:delegatecall-target: delegatecall to 0x5555/);
  });

  test('error: bad policy and request files name the JSON path; usage errors exit 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-wallet-'));
    writeFileSync(
      path.join(dir, 'bad.json'),
      JSON.stringify({
        version: 1,
        admin: { group: 'x' },
        rules: [{ id: 'a', match: { amont: {} }, action: 'allow' }],
      }),
    );
    const check = await runPlain(['wallet', 'policy', 'check', 'bad.json'], dir);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("/rules/0/match: unknown key 'amont'. Did you mean 'amount'?");
    expect((await runPlain(['wallet', 'policy', 'check', 'policy.json'])).stdout).toMatch(
      /valid wallet policy: 6 rules, 1 velocity limits\.\nDigest 0x[0-9a-f]{64}/,
    );
    writeFileSync(
      path.join(dir, 'req.json'),
      '{"kind": "withdrawal", "initiator": "a", "source": "b", "chain": 1, "amount": "1e18"}',
    );
    const request = await runPlain(
      ['wallet', 'decide', '--policy', path.join(examples, 'policy.json'), '--request', 'req.json'],
      dir,
    );
    expect(request.code).toBe(2);
    expect(request.stderr).toContain('/amount: "1e18" has the wrong form');
    expect(await runPlain(['wallet', 'decide', '--policy', 'policy.json'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('wallet decide needs --request FILE'),
    });
  });

  test('default: every wallet command has exact help', async () => {
    for (const command of [['decide'], ['policy'], ['request'], ['approve'], ['reject'], ['requests']]) {
      const help = await runPlain(['wallet', ...command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: bulwark wallet ${command[0]}`);
    }
    const index = await runPlain(['wallet', '--help']);
    for (const name of ['policy', 'decide', 'request', 'approve', 'reject', 'requests'])
      expect(index.stdout).toMatch(new RegExp(`\\n  ${name} +\\S`));
  });
});

describeCli('bulwark wallet stored workflow', (ctx) => {
  const run = (args: string[], actor = 'heidi') => ctx.run(args, { cwd: examples, env: { BULWARK_ACTOR: actor } });

  test('default: propose and approve a policy, submit a request, approve it by quorum', async () => {
    const proposed = await run(['wallet', 'policy', 'propose', 'policy.json', '--format', 'json']);
    expect(proposed.code).toBe(0);
    const { id } = JSON.parse(proposed.stdout) as { id: string };
    expect((await run(['wallet', 'policy', 'approve', id, '--approver', 'heidi'])).stderr).toMatch(
      /refused \(self-approval\)/,
    );
    expect((await run(['wallet', 'policy', 'approve', id, '--approver', 'ivan'])).stdout).toMatch(
      /still needed: 1 more of group 'admins'/,
    );
    expect((await run(['wallet', 'policy', 'approve', id, '--approver', 'judy'])).stdout).toBe(
      `Approved: policy ${id} applies now.\n`,
    );

    const submitted = await run(['wallet', 'request', 'withdrawal-large.json', '--format', 'json']);
    expect(submitted.code).toBe(1);
    const request = JSON.parse(submitted.stdout) as { id: string; digest: string; state: string };
    expect(request.state).toBe('pending');
    const small = await run(['wallet', 'request', 'withdrawal-small.json']);
    expect(small.code).toBe(0);
    expect(small.stdout).toMatch(/: allowed\nALLOW by rule small-payouts/);

    const self = await run(['wallet', 'approve', request.id, '--approver', 'alice', '--digest', request.digest]);
    expect(self).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('refused (self-approval): alice initiated request'),
    });
    const replay = await run([
      'wallet',
      'approve',
      request.id,
      '--approver',
      'carol',
      '--digest',
      `0x${'ab'.repeat(32)}`,
    ]);
    expect(replay).toMatchObject({ code: 1, stderr: expect.stringContaining('refused (digest-mismatch)') });
    expect((await run(['wallet', 'approve', request.id, '--approver', 'carol', '--digest', request.digest])).code).toBe(
      0,
    );
    expect(
      (await run(['wallet', 'approve', request.id, '--approver', 'dave', '--digest', request.digest])).stdout,
    ).toMatch(/1 more of group 'risk'/);
    expect(
      (await run(['wallet', 'approve', request.id, '--approver', 'grace', '--digest', request.digest])).stdout,
    ).toBe(`Request ${request.id} approved.\n`);
    const listed = await run(['wallet', 'requests', '--state', 'approved']);
    expect(listed.stdout).toContain(`${request.id}  approved  `);
    expect(listed.stdout).toContain(`large-one-time  ${request.digest}`);

    const actions = (await listLog(ctx.store)).map((e) => e.action).filter((a) => a.startsWith('wallet.'));
    expect(actions).toEqual([
      'wallet.policy.propose',
      'wallet.policy.approve.refused',
      'wallet.policy.approve',
      'wallet.policy.approve',
      'wallet.request',
      'wallet.request',
      'wallet.approve.refused',
      'wallet.approve.refused',
      'wallet.approve',
      'wallet.approve',
      'wallet.approve',
    ]);
  });
});

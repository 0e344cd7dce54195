import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emptyProfile, profileMetric } from '@bulwark/monitor';
import { upsertBaseline } from '@bulwark/store';
import { describe, expect, test } from 'vitest';
import { describeCli } from '../testing.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-monitor-cli-'));
const vault = '0x00000000000000000000000000000000000000aa';
// The config's own `${VAR}` syntax, filled from the environment by the loader.
const rpcUrl = ['https://rpc.example/$', '{RPC_KEY}'].join('');
const config = (extra: Record<string, unknown> = {}) => {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      chains: [{ id: 1, rpc: [rpcUrl] }],
      contracts: [
        {
          chain: 1,
          address: vault,
          name: 'Vault',
          kind: 'vault',
          breaker: { kind: 'guardian', autoPause: true, guardian: { privateKeyEnv: 'GUARDIAN_KEY' } },
        },
      ],
      ...extra,
    }),
  );
  return file;
};

describeCli('bulwark monitor and baseline', (ctx) => {
  const env = { RPC_KEY: 'key-7f3a', GUARDIAN_KEY: `0x${'11'.repeat(32)}` };

  test('error: --check reaches every endpoint; one that does not answer is named, its key never printed', async () => {
    const run = await ctx.run(['monitor', '--config', config(), '--check'], { env });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(
      /error +\/chains\/0\/rpc\/0: RPC endpoint https:\/\/rpc\.example\/\*\*\* does not answer/,
    );
    expect(run.stdout).toMatch(/not valid: 2 error\(s\), 0 warning\(s\)\./);
    expect(run.stdout + run.stderr).not.toContain(env.RPC_KEY);
  });

  test('error: a config with a typo names the place and the fix, and leaks no secret', async () => {
    const run = await ctx.run(
      ['monitor', '--config', config({ rules: { 'outflow-spik': { maxMultiple: 4 } } }), '--check'],
      { env },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("/rules/outflow-spik: no rule 'outflow-spik'. Did you mean 'outflow-spike'?");
    const missing = await ctx.run(['monitor', '--config', config(), '--check'], {
      env: { GUARDIAN_KEY: env.GUARDIAN_KEY },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('environment variable RPC_KEY is not set');
    expect(missing.stderr + run.stderr).not.toContain(env.GUARDIAN_KEY);
    expect((await ctx.run(['monitor'], { env })).code).toBe(2);
  });

  test('error: a --log-format other than text or json is a usage error naming the choices', async () => {
    const run = await ctx.run(['monitor', '--config', config(), '--log-format', 'xml'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--log-format xml: choose text or json.');
  });

  test('behavior: baseline show prints what was learned, as text and JSON', async () => {
    const empty = await ctx.run(['baseline', 'show']);
    expect(empty.stdout).toMatch(/No baseline learned yet/);
    const profile = emptyProfile(1, vault);
    Object.assign(profile, {
      fromBlock: '100',
      toBlock: '400',
      fromTime: 0,
      toTime: 3600,
      blocks: 301,
      txs: 42,
      calls: 40,
      failed: 2,
    });
    profile.selectors['0x2e1a7d4d'] = { calls: 40, failed: 2, windowMax: { '1b': 1, '5m': 3, '1h': 9, '24h': 40 } };
    await upsertBaseline(ctx.store, { chainId: 1, address: vault, ...profileMetric, stats: profile });
    const text = await ctx.run(['baseline', 'show']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${vault} on chain 1`);
    expect(text.stdout).toMatch(/blocks 100–400 \(1 h\), 42 transactions/);
    expect(text.stdout).toMatch(/0x2e1a7d4d\s+40\s+2\s+1\/3\/9\/40/);
    const json = await ctx.run(['baseline', 'show', '--format', 'json', '--chain', '1']);
    expect(JSON.parse(json.stdout)).toMatchObject([{ address: vault, txs: 42 }]);
    expect((await ctx.run(['baseline', 'show', '--address', 'nope'])).stderr).toMatch(/is not an address/);
    // With the monitor's config (its store section is read; the suite's store stands in for it).
    const viaConfig = await ctx.run(['baseline', 'show', '--config', config(), '--format', 'json']);
    expect(JSON.parse(viaConfig.stdout)).toMatchObject([{ address: vault }]);
  });
});

describe('bulwark demo', () => {
  test('error: an unknown attack is named with the choices', async () => {
    const { main } = await import('../main.ts');
    let stderr = '';
    const code = await main(['demo', '--attacks', 'rug-pull'], {
      stdout: () => {},
      stderr: (text) => {
        stderr += text;
      },
      stdoutIsTty: false,
      stderrIsTty: false,
      cwd: process.cwd(),
      env: {},
    });
    expect(code).toBe(2);
    expect(stderr).toContain("'rug-pull' is not a demo attack; choose from reentrancy-drain, flash-loan-oracle");
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { allRules } from '../rules/index.ts';
import { loadMonitorConfig, loadThreatIntel, MonitorConfigError, parseMonitorConfig } from './loadConfig.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-monitor-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a file under the test folder and returns its absolute path. */
function write(name: string, text: string): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

// Secret values that must never reach an error message (not shaped like keys, so redaction cannot hide a leak).
const rpcSecret = 'rpc-secret-value-7f3a';
const passwordSecret = 'guardian-password-value-91c2';
const privateKeySecret = 'private-key-value-55e0';
const env = { RPC_KEY: rpcSecret, GUARDIAN_PASSWORD: passwordSecret, GUARDIAN_KEY: privateKeySecret };

const vaultAddress = '0x00000000000000000000000000000000000000AA';
const usdc = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48';
const admin = '0x00000000000000000000000000000000000000Ad';

// biome-ignore lint/suspicious/noExplicitAny: the tests break configs at any depth, on purpose.
type RawConfig = Record<string, any>;

/** `${NAME}` as written in a config file. */
const ref = (name: string) => `\${${name}}`;

const valid = (): RawConfig => ({
  $schema: '../monitor.config.schema.json',
  store: { dataDir: 'data/db' },
  chains: [
    {
      id: 1,
      name: 'mainnet',
      rpc: [
        `https://eth.example/v2/${ref('RPC_KEY')}`,
        {
          http: `https://backup.example/${ref('RPC_KEY')}`,
          ws: `wss://backup.example/${ref('RPC_KEY')}`,
          name: 'backup',
        },
        { http: 'http://localhost:8545' },
      ],
      confirmations: 0,
      mempool: true,
    },
    { id: 10, rpc: ['https://op.example'] },
  ],
  contracts: [
    {
      chain: 1,
      address: vaultAddress,
      name: 'Vault',
      kind: 'vault',
      abi: 'abis/Vault.json',
      assets: ['native', usdc],
      trustedAdmins: [admin],
      rules: { 'outflow-spike': { enabled: true, maxMultiple: 5 } },
      breaker: {
        kind: 'guardian',
        autoPause: true,
        guardian: { keystore: 'keys/guardian.json', passwordEnv: 'GUARDIAN_PASSWORD' },
      },
    },
    // The same address on another chain is another contract.
    {
      chain: 10,
      address: vaultAddress,
      name: 'Vault (OP)',
      breaker: { kind: 'guardian', autoPause: true, guardian: { privateKeyEnv: 'GUARDIAN_KEY' } },
    },
  ],
  rules: { 'oracle-jump': { minMove: 0.2 }, 'flash-loan': { enabled: false } },
  composite: { pauseScore: 1, minRules: 2, windowBlocks: 25 },
  threatIntel: ['intel/list.txt', '/etc/bulwark/shared.json'],
  sinks: [{ type: 'stdout' }, { type: 'jsonl', path: 'out/alerts.jsonl' }],
});

const parse = (raw: unknown, environment: Record<string, string | undefined> = env) =>
  parseMonitorConfig(raw, { rules: allRules, env: environment, file: 'monitor.json' });

const errors: string[] = [];

/** The error a config raises (every message is kept, to check no secret leaks into any). */
function failure(change: (config: RawConfig) => void, environment: Record<string, string | undefined> = env): string {
  const config = valid();
  change(config);
  let caught: unknown;
  try {
    parse(config, environment);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(MonitorConfigError);
  const message = (caught as MonitorConfigError).message;
  errors.push(message);
  expect(message).toContain('Docs: docs/monitor/config.md');
  return message;
}

describe('loadMonitorConfig', () => {
  test('default: a valid config round-trips: addresses lower-case, paths absolute, environment variables filled in', () => {
    const raw = valid();
    const file = write('config/monitor.json', JSON.stringify(raw, null, 2));
    const config = loadMonitorConfig(file, { rules: allRules, env });
    const baseDir = path.join(dir, 'config');
    expect(config.baseDir).toBe(baseDir);

    expect(config.chains[0]!.rpc).toEqual([
      `https://eth.example/v2/${rpcSecret}`,
      {
        http: `https://backup.example/${rpcSecret}`,
        ws: `wss://backup.example/${rpcSecret}`,
        name: 'backup',
      },
      { http: 'http://localhost:8545' },
    ]);
    expect(config.chains[1]!.rpc).toEqual(['https://op.example']);

    const [vault, op] = config.contracts;
    expect(vault).toMatchObject({
      chain: 1,
      address: vaultAddress.toLowerCase(),
      assets: ['native', usdc.toLowerCase()],
      trustedAdmins: [admin.toLowerCase()],
      abi: path.join(baseDir, 'abis/Vault.json'),
      rules: { 'outflow-spike': { enabled: true, maxMultiple: 5 } },
    });
    expect(vault!.breaker?.guardian).toEqual({
      keystore: path.join(baseDir, 'keys/guardian.json'),
      passwordEnv: 'GUARDIAN_PASSWORD',
    });
    expect(op).toMatchObject({ chain: 10, address: vaultAddress.toLowerCase() });
    expect(config.threatIntel).toEqual([path.join(baseDir, 'intel/list.txt'), '/etc/bulwark/shared.json']);
    expect(config.store?.dataDir).toBe(path.join(baseDir, 'data/db'));
    expect(config.sinks).toEqual([{ type: 'stdout' }, { type: 'jsonl', path: path.join(baseDir, 'out/alerts.jsonl') }]);
    expect(config.rules).toEqual(raw.rules);
    expect(config.composite).toEqual(raw.composite);
  });

  test('behavior: parsing leaves the given object untouched', () => {
    const raw = valid();
    const copy = structuredClone(raw);
    parse(raw);
    expect(raw).toEqual(copy);
  });

  test('behavior: the smallest config is valid', () => {
    const config = parse({
      chains: [{ id: 1, rpc: ['http://localhost:8545'] }],
      contracts: [{ chain: 1, address: vaultAddress, name: 'Vault' }],
    });
    expect(config.contracts[0]!.address).toBe(vaultAddress.toLowerCase());
    expect(config.baseDir).toBe(process.cwd());
  });

  test('error: a file that cannot be read or is not JSON', () => {
    expect(() => loadMonitorConfig(path.join(dir, 'missing.json'), { rules: allRules, env })).toThrow(
      /Cannot read the monitor config .*missing\.json[\s\S]*monitor\.config\.schema\.json/,
    );
    const file = write('broken.json', '{ "chains": [ }');
    expect(() => loadMonitorConfig(file, { rules: allRules, env })).toThrow(/broken\.json is not valid JSON/);
  });

  test('error: a wrong type, a missing required field or a malformed value names its place', () => {
    expect(failure((c) => (c.chains[0].id = '1'))).toContain('/chains/0/id: must be integer.');
    expect(failure((c) => (c.dryRun = 'yes'))).toContain('/dryRun: must be boolean.');
    expect(failure((c) => (c.rules['oracle-jump'].minMove = 'high'))).toContain(
      '/rules/oracle-jump/minMove: must be number.',
    );
    expect(failure((c) => delete c.contracts[0].name)).toContain("/contracts/0: must have required property 'name'.");
    expect(failure((c) => delete c.chains)).toContain("/: must have required property 'chains'.");
    expect(failure((c) => (c.contracts[0].address = '0x1234'))).toMatch(/\/contracts\/0\/address: must match pattern/);
    expect(failure((c) => (c.contracts[0].kind = 'bank'))).toContain(
      '/contracts/0/kind: must be equal to one of the allowed values.',
    );
    expect(failure((c) => (c.composite.minRules = 1))).toContain('/composite/minRules: must be >= 2.');
  });

  test('error: creation simulation settings out of range or misspelt', () => {
    expect(
      parse({ ...valid(), simulation: { enabled: false, maxFunctions: 4, gasPerCall: 500_000 } }).simulation,
    ).toEqual({ enabled: false, maxFunctions: 4, gasPerCall: 500_000 });
    expect(failure((c) => (c.simulation = { maxFunctions: 0 }))).toContain('/simulation/maxFunctions: must be >= 1.');
    expect(failure((c) => (c.simulation = { gasPerCall: 1000 }))).toContain(
      '/simulation/gasPerCall: must be >= 21000.',
    );
    expect(failure((c) => (c.simulation = { enable: false }))).toContain(
      "/simulation: unknown key 'enable'. Did you mean 'enabled'?",
    );
  });

  test('error: learning settings out of range', () => {
    const learning = { decayHalfLifeDays: 7.5, warmUpTxs: 500, warmUpBlocks: 0 };
    expect(parse({ ...valid(), baseline: learning }).baseline).toEqual(learning);
    expect(failure((c) => (c.baseline = { decayHalfLifeDays: 0 }))).toContain(
      '/baseline/decayHalfLifeDays: must be > 0.',
    );
    expect(failure((c) => (c.baseline = { warmUpTxs: -1 }))).toContain('/baseline/warmUpTxs: must be >= 0.');
    expect(failure((c) => (c.baseline = { warmUpBlocks: 1.5 }))).toContain('/baseline/warmUpBlocks: must be integer.');
    expect(failure((c) => (c.baseline = { warmupTxs: 10 }))).toContain(
      "/baseline: unknown key 'warmupTxs'. Did you mean 'warmUpTxs'?",
    );
  });

  test('error: an unknown key, at the top or nested, with the closest valid key', () => {
    expect(
      failure((c) => {
        c.contract = [];
      }),
    ).toContain("/: unknown key 'contract'. Did you mean 'contracts'?");
    expect(
      failure((c) => {
        (c.chains as Record<string, unknown>[])[0]!.confirmation = 1;
      }),
    ).toContain("/chains/0: unknown key 'confirmation'. Did you mean 'confirmations'?");
  });

  test('error: a sink or a Safe proposer naming an unset variable is found at load, not at the first alert', () => {
    expect(
      failure((c) => {
        c.sinks = [{ type: 'slack', webhookUrlEnv: 'SLACK_HOOK_UNSET' }];
      }),
    ).toContain('/sinks/0/webhookUrlEnv: environment variable SLACK_HOOK_UNSET is not set.');
    expect(
      failure((c) => {
        c.contracts[0].breaker = { kind: 'safe', safe: { address: admin, proposerKeyEnv: 'PROPOSER_UNSET' } };
      }),
    ).toContain('/contracts/0/breaker/safe: environment variable PROPOSER_UNSET is not set.');
  });

  test('error: every schema problem is listed at once', () => {
    const message = failure((c) => {
      c.chains[0].id = 0;
      c.contracts[0].chain = 'one';
      delete c.contracts[1].name;
    });
    expect(message).toMatch(/^monitor\.json is not a valid monitor config:/);
    expect(message).toContain('/chains/0/id: must be >= 1.');
    expect(message).toContain('/contracts/0/chain: must be integer.');
    expect(message).toContain("/contracts/1: must have required property 'name'.");
  });

  test('error: an unknown rule id, globally or per contract, with the closest rule', () => {
    expect(failure((c) => (c.rules['outflow-spik'] = { maxMultiple: 4 }))).toContain(
      "/rules/outflow-spik: no rule 'outflow-spik'. Did you mean 'outflow-spike'?",
    );
    expect(failure((c) => (c.contracts[0].rules.reentrancy = {}))).toContain(
      "/contracts/0/rules/reentrancy: no rule 'reentrancy'.",
    );
    expect(failure((c) => (c.contracts[0].rules['tvl-dorp'] = {}))).toContain("Did you mean 'tvl-drop'?");
  });

  test('error: an unknown parameter, with the closest one or the list of parameters', () => {
    expect(failure((c) => (c.rules['oracle-jump'] = { minMov: 0.2 }))).toContain(
      "/rules/oracle-jump/minMov: rule 'oracle-jump' has no parameter 'minMov'. Did you mean 'minMove'?",
    );
    expect(failure((c) => (c.contracts[0].rules['outflow-spike'] = { zzz: 1 }))).toContain(
      "/contracts/0/rules/outflow-spike/zzz: rule 'outflow-spike' has no parameter 'zzz'. Its parameters: minSamples, maxMultiple, sigmas, minOutflow",
    );
  });

  test('error: a parameter out of its range gives the range', () => {
    expect(failure((c) => (c.rules['oracle-jump'] = { returnFraction: 2 }))).toContain(
      '/rules/oracle-jump/returnFraction: 2 is out of range (0 to 1).',
    );
    expect(failure((c) => (c.contracts[0].rules['outflow-spike'] = { maxMultiple: 0.5 }))).toContain(
      '/contracts/0/rules/outflow-spike/maxMultiple: 0.5 is out of range (1 to ∞).',
    );
    // At the bounds is fine.
    expect(() => parse({ ...valid(), rules: { 'oracle-jump': { returnFraction: 1, minMove: 0 } } })).not.toThrow();
  });

  test('error: privilege overrides: a malformed entry, a bare name without an ABI, a name not in the ABI', () => {
    const abi = write(
      'abis/Operated.json',
      JSON.stringify({
        abi: [{ type: 'function', name: 'harvest', inputs: [], outputs: [], stateMutability: 'nonpayable' }],
      }),
    );
    expect(
      parse({
        ...valid(),
        contracts: [
          {
            chain: 1,
            address: vaultAddress,
            name: 'Vault',
            abi,
            privileged: { functions: ['harvest'] },
            notPrivileged: ['setFee(uint256)'],
          },
        ],
      }).contracts[0]!.privileged,
    ).toEqual({ functions: ['harvest'] });
    expect(failure((c) => (c.contracts[1].privileged = { functions: ['0x1234'] }))).toContain(
      "/contracts/1/privileged/functions/0: '0x1234': a selector has 8 hex digits after 0x (an event topic 64).",
    );
    expect(failure((c) => (c.contracts[1].notPrivileged = ['setFee']))).toContain(
      "/contracts/1/notPrivileged/0: 'setFee' is a bare name: give the contract's `abi`, or write the signature.",
    );
    expect(failure((c) => (c.contracts[1].privileged = { events: ['OperatorUpdated(address'] }))).toContain(
      'not a valid signature',
    );
    expect(
      failure((c) => {
        c.contracts[0].abi = abi;
        c.contracts[0].privileged = { functions: ['harvset'] };
      }),
    ).toContain("no function 'harvset' in the ABI. Did you mean 'harvest'?");
    expect(failure((c) => (c.contracts[0].privileged = { function: ['harvest'] }))).toContain(
      "/contracts/0/privileged: unknown key 'function'. Did you mean 'functions'?",
    );
  });

  test('error: a contract on a chain not listed, a chain or a contract listed twice', () => {
    expect(failure((c) => (c.contracts[0].chain = 137))).toContain('/contracts/0/chain: chain 137 is not in /chains.');
    expect(failure((c) => c.chains.push({ id: 1, rpc: ['http://localhost:8546'] }))).toContain(
      '/chains/2: chain 1 is listed twice.',
    );
    // The same address in another case is the same contract.
    expect(
      failure((c) => c.contracts.push({ chain: 1, address: vaultAddress.toLowerCase(), name: 'Vault again' })),
    ).toContain(`/contracts/2/address: ${vaultAddress.toLowerCase()} is listed twice on chain 1.`);
  });

  test('error: an automatic pause without a usable guardian key', () => {
    expect(failure((c) => delete c.contracts[0].breaker.guardian)).toContain(
      '/contracts/0/breaker/guardian: an automatic pause needs a guardian key: keystore + passwordEnv, or privateKeyEnv.',
    );
    expect(failure((c) => (c.contracts[0].breaker.guardian = {}))).toContain('an automatic pause needs a guardian key');
    expect(failure((c) => delete c.contracts[0].breaker.guardian.passwordEnv)).toContain(
      '/contracts/0/breaker/guardian/passwordEnv: name the environment variable holding the keystore password.',
    );
    expect(failure(() => {}, { ...env, GUARDIAN_KEY: undefined })).toContain(
      '/contracts/1/breaker/guardian: environment variable GUARDIAN_KEY is not set.',
    );
    expect(failure(() => {}, { RPC_KEY: rpcSecret, GUARDIAN_KEY: privateKeySecret })).toContain(
      '/contracts/0/breaker/guardian: environment variable GUARDIAN_PASSWORD is not set.',
    );
    expect(failure((c) => (c.contracts[0].breaker = { kind: 'safe', autoPause: true }))).toContain(
      "/contracts/0/breaker/safe: give the Safe's address.",
    );
    // Without autoPause no key is needed; in a dry run the key's variables need not be set.
    expect(() =>
      parse({ ...valid(), contracts: [{ chain: 1, address: vaultAddress, name: 'V', breaker: { kind: 'guardian' } }] }),
    ).not.toThrow();
    expect(() => parse({ ...valid(), dryRun: true }, { RPC_KEY: rpcSecret })).not.toThrow();
  });

  test('default: the pause fee policy and relays of a chain; a relay URL takes variables like an RPC URL', () => {
    const config = valid();
    config.chains[0].pause = {
      outbidMarginPercent: 15,
      maxFeeGwei: 500,
      maxCostEth: 0.05,
      relays: [{ url: `https://relay.example/${ref('RPC_KEY')}`, method: 'eth_sendPrivateTransaction', name: 'relay' }],
    };
    expect(parse(config).chains[0]!.pause).toEqual({
      outbidMarginPercent: 15,
      maxFeeGwei: 500,
      maxCostEth: 0.05,
      relays: [{ url: `https://relay.example/${rpcSecret}`, method: 'eth_sendPrivateTransaction', name: 'relay' }],
    });
  });

  test('error: a bad pause fee policy or relay names its place', () => {
    expect(failure((c) => (c.chains[0].pause = { maxFeeGwei: 0 }))).toContain(
      '/chains/0/pause/maxFeeGwei: must be > 0.',
    );
    expect(failure((c) => (c.chains[0].pause = { outbidMarginPercent: -5 }))).toContain(
      '/chains/0/pause/outbidMarginPercent: must be >= 0.',
    );
    expect(
      failure((c) => (c.chains[0].pause = { relays: [{ url: 'https://r.example', method: 'eth_sendBundle' }] })),
    ).toContain('/chains/0/pause/relays/0/method: must be equal to one of the allowed values.');
    expect(
      failure((c) => (c.chains[0].pause = { relays: [{ url: `https://r.example/${ref('RELAY_KEY')}` }] })),
    ).toContain('/chains/0/pause/relays/0/url: environment variable RELAY_KEY is not set.');
    expect(failure((c) => (c.chains[0].pause = { relaysOnly: true }))).toContain(
      '/chains/0/pause/relaysOnly: list the relays to send to, or set it to false.',
    );
    expect(failure((c) => (c.chains[0].pause = { maxFeeGwi: 10 }))).toContain(
      "/chains/0/pause: unknown key 'maxFeeGwi'. Did you mean 'maxFeeGwei'?",
    );
  });

  test('error: allowUnpausable must be a boolean, and only on a breaker with a responder', () => {
    expect(failure((c) => (c.contracts[0].breaker.allowUnpausable = 'yes'))).toContain(
      '/contracts/0/breaker/allowUnpausable: must be boolean.',
    );
    expect(failure((c) => (c.contracts[1].breaker = { kind: 'none', allowUnpausable: true }))).toContain(
      "/contracts/1/breaker/allowUnpausable: a breaker of kind 'none' has no responder to check; remove it.",
    );
    const config = valid();
    config.contracts[0].breaker.allowUnpausable = true;
    expect(parse(config).contracts[0]?.breaker?.allowUnpausable).toBe(true);
  });

  test('error: a missing environment variable in an RPC URL is named, the values of set ones never appear', () => {
    const message = failure((c) => {
      c.chains[0].rpc.push(`https://third.example/${ref('MISSING_KEY')}`);
      c.chains[1].rpc = [{ http: `https://op.example/${ref('RPC_KEY')}`, ws: `wss://op.example/${ref('OP_WS_KEY')}` }];
    });
    expect(message).toContain('/chains/0/rpc/3: environment variable MISSING_KEY is not set.');
    expect(message).toContain('/chains/1/rpc/0/ws: environment variable OP_WS_KEY is not set.');
    expect(message).not.toContain('/chains/0/rpc/0');

    // Problems of every kind together.
    failure((c) => {
      c.chains[0].rpc.push(`https://x.example/${ref('NOT_SET')}`);
      c.rules['oracle-jump'] = { returnFraction: 3, minMov: 1 };
      c.rules.nope = {};
      c.contracts[0].chain = 5;
      c.contracts[0].breaker.guardian.passwordEnv = 'ALSO_NOT_SET';
      c.contracts.push({ chain: 1, address: vaultAddress, name: 'Twice' });
    });
    expect(errors.length).toBeGreaterThan(0);
    for (const text of errors) {
      expect(text).not.toContain(rpcSecret);
      expect(text).not.toContain(passwordSecret);
      expect(text).not.toContain(privateKeySecret);
    }
  });
});

describe('loadThreatIntel', () => {
  const a = '0x00000000000000000000000000000000000000A1';
  const b = '0x00000000000000000000000000000000000000b2';
  const c = '0x00000000000000000000000000000000000000c3';
  const d = '0x00000000000000000000000000000000000000D4';

  test('default: line files (space or comma, comments, blank lines) and JSON files, merged', () => {
    const lines = write(
      'intel/exploiters.txt',
      ['# Exploiters seen in 2024', '', `${a} Exploiter 1`, `${b},Phishing drainer`, `  ${c}   # no label`, ''].join(
        '\n',
      ),
    );
    const json = write('intel/labels.json', JSON.stringify({ [d]: 'Sanctioned', [a]: 'Exploiter 1 (JSON)' }));
    expect(loadThreatIntel([lines])).toEqual(
      new Map([
        [a.toLowerCase(), 'Exploiter 1'],
        [b.toLowerCase(), 'Phishing drainer'],
        [c.toLowerCase(), 'exploiters.txt'],
      ]),
    );
    expect(loadThreatIntel([json])).toEqual(
      new Map([
        [d.toLowerCase(), 'Sanctioned'],
        [a.toLowerCase(), 'Exploiter 1 (JSON)'],
      ]),
    );
    const merged = loadThreatIntel([lines, json]);
    expect(merged.size).toBe(4);
    // A later file wins.
    expect(merged.get(a.toLowerCase())).toBe('Exploiter 1 (JSON)');
    expect(loadThreatIntel([])).toEqual(new Map());
  });

  test('behavior: Windows line endings are read too', () => {
    const file = write('intel/crlf.txt', `${a} First\r\n${b} Second\r\n`);
    expect(loadThreatIntel([file])).toEqual(
      new Map([
        [a.toLowerCase(), 'First'],
        [b.toLowerCase(), 'Second'],
      ]),
    );
  });

  test('error: a bad line gives the file and its line number', () => {
    const file = write('intel/bad.txt', ['# header', `${a} ok`, '', 'not-an-address Someone', `${b}`].join('\n'));
    expect(() => loadThreatIntel([file])).toThrow(MonitorConfigError);
    expect(() => loadThreatIntel([file])).toThrow(`${file}:4: 'not-an-address' is not an address.`);
    expect(() => loadThreatIntel([file])).toThrow(/one address per line/);
    const short = write('intel/short.txt', `${a}\n0x1234 too short\n`);
    expect(() => loadThreatIntel([short])).toThrow(`${short}:2: '0x1234' is not an address.`);
  });

  test('error: a file that cannot be read', () => {
    const missing = path.join(dir, 'intel/missing.txt');
    expect(() => loadThreatIntel([missing])).toThrow(`Cannot read the threat-intel file ${missing}.`);
  });
});

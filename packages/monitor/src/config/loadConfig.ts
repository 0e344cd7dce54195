import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BaseError, closest } from '@bulwark/core';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import type { Abi } from 'viem';
import schema from '../../monitor.config.schema.json' with { type: 'json' };
import { buildPrivilegeMap, overrideProblem } from '../privilege/classify.ts';
import type { Rule } from '../rules/types.ts';

export class MonitorConfigError extends BaseError {
  override name = 'MonitorConfigError';
}

type RpcEntry = string | { http: string; ws?: string; name?: string };
type RuleSettings = Record<string, { enabled?: boolean } & Record<string, number | boolean>>;
type GuardianKey = { keystore?: string; passwordEnv?: string; privateKeyEnv?: string };

/** The config file as written (see monitor.config.schema.json). */
export type MonitorConfigFile = {
  store?: { urlEnv?: string; dataDir?: string };
  /** The stages as separate processes over NATS JetStream (docs/monitor/cluster.md). */
  cluster?: {
    natsUrl?: string;
    natsUrlEnv?: string;
    partitions?: number;
    ackWaitMs?: number;
    leaseMs?: number;
    duplicateWindowMs?: number;
  };
  chains: {
    id: number;
    name?: string;
    rpc: RpcEntry[];
    confirmations?: number;
    pollingIntervalMs?: number;
    mempool?: boolean;
    traces?: boolean;
    startBlock?: number;
    pause?: {
      outbidMarginPercent?: number;
      maxFeeGwei?: number;
      maxCostEth?: number;
      relays?: { url: string; method?: 'eth_sendRawTransaction' | 'eth_sendPrivateTransaction'; name?: string }[];
      relaysOnly?: boolean;
    };
  }[];
  contracts: {
    chain: number;
    address: string;
    name: string;
    kind?: 'vault' | 'token' | 'pool' | 'oracle' | 'market' | 'other';
    abi?: string;
    assets?: string[];
    trustedAdmins?: string[];
    /** Functions and events to treat as privileged beyond what the ABI shows (docs/monitor/privilege.md). */
    privileged?: { functions?: string[]; events?: string[] };
    /** Functions or events the classification calls privileged but are not (public). */
    notPrivileged?: string[];
    rules?: RuleSettings;
    breaker?: {
      kind: 'guardian' | 'safe' | 'none';
      autoPause?: boolean;
      guardian?: GuardianKey;
      safe?: { address: string; serviceUrl?: string; proposerKeyEnv?: string; serviceApiKeyEnv?: string };
      priorityFeeMultiplier?: number;
      minPriorityFeeGwei?: number;
      /** The monitor starts even when its responder cannot pause the contract (preflight: warning, not error). */
      allowUnpausable?: boolean;
    };
  }[];
  baseline?: {
    learnBlocks?: number;
    persistEveryBlocks?: number;
    decayHalfLifeDays?: number;
    warmUpTxs?: number;
    warmUpBlocks?: number;
  };
  rules?: RuleSettings;
  composite?: { pauseScore?: number; minRules?: number; windowBlocks?: number };
  creationWindowBlocks?: number;
  /** Creation simulation (docs/monitor/simulation.md). */
  simulation?: { enabled?: boolean; maxFunctions?: number; gasPerCall?: number };
  threatIntel?: string[];
  alerts?: { cooldownMs?: number; minSeverity?: 'critical' | 'high' | 'medium' | 'low' | 'info' };
  sinks?: ({ type: string } & Record<string, unknown>)[];
  dryRun?: boolean;
};

/** A validated config: addresses lower-case, paths absolute, `${VAR}` in RPC URLs filled in. */
export type MonitorConfig = MonitorConfigFile & {
  /** The folder of the config file; relative paths in it were resolved against it. */
  baseDir: string;
};

let validate: ReturnType<Ajv2020['compile']> | undefined;

/** Reads and validates a monitor config file; every problem is reported with its place and a fix. */
export function loadMonitorConfig(
  file: string,
  options: { rules: readonly Rule[]; env?: NodeJS.ProcessEnv | undefined },
): MonitorConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new MonitorConfigError(`Cannot read the monitor config ${file}.`, {
      cause: error as Error,
      details: 'Give the path of a JSON file written against monitor.config.schema.json.',
      docsPath: 'monitor/config.md',
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new MonitorConfigError(`${file} is not valid JSON: ${(error as Error).message}.`, {
      docsPath: 'monitor/config.md',
    });
  }
  return parseMonitorConfig(raw, { ...options, file });
}

/** Validates an already-parsed config (`file` names it in errors and anchors relative paths). */
export function parseMonitorConfig(
  raw: unknown,
  options: { rules: readonly Rule[]; env?: NodeJS.ProcessEnv | undefined; file: string },
): MonitorConfig {
  const { file } = options;
  const env = options.env ?? process.env;
  validate ??= new Ajv2020({ allErrors: true, strict: false, verbose: true }).compile(schema);
  if (!validate(raw)) {
    const problems = explain(validate.errors ?? []);
    throw new MonitorConfigError(
      `${file} is not a valid monitor config:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      {
        docsPath: 'monitor/config.md',
      },
    );
  }
  const config = structuredClone(raw) as MonitorConfigFile;
  const baseDir = path.dirname(path.resolve(file));
  const problems: string[] = [];
  const expand = (value: string, where: string) =>
    value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
      const found = env[name];
      if (found === undefined) problems.push(`${where}: environment variable ${name} is not set.`);
      return found ?? '';
    });

  const chainIds = new Set<number>();
  config.chains.forEach((chain, i) => {
    if (chainIds.has(chain.id)) problems.push(`/chains/${i}: chain ${chain.id} is listed twice.`);
    chainIds.add(chain.id);
    chain.rpc = chain.rpc.map((entry, j) =>
      typeof entry === 'string'
        ? expand(entry, `/chains/${i}/rpc/${j}`)
        : {
            ...entry,
            http: expand(entry.http, `/chains/${i}/rpc/${j}/http`),
            ...(entry.ws ? { ws: expand(entry.ws, `/chains/${i}/rpc/${j}/ws`) } : {}),
          },
    );
    for (const [j, relay] of (chain.pause?.relays ?? []).entries())
      relay.url = expand(relay.url, `/chains/${i}/pause/relays/${j}/url`);
    if (chain.pause?.relaysOnly && !chain.pause.relays?.length)
      problems.push(`/chains/${i}/pause/relaysOnly: list the relays to send to, or set it to false.`);
  });

  const ruleIds = options.rules.map((rule) => rule.id);
  const checkRules = (settings: RuleSettings | undefined, where: string) => {
    for (const [id, values] of Object.entries(settings ?? {})) {
      const rule = options.rules.find((candidate) => candidate.id === id);
      if (!rule) {
        const suggestion = closest(id, ruleIds);
        problems.push(`${where}/${id}: no rule '${id}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`);
        continue;
      }
      const names = Object.keys(rule.parameters);
      for (const [name, value] of Object.entries(values)) {
        if (name === 'enabled') continue;
        const parameter = rule.parameters[name];
        if (!parameter) {
          const suggestion = closest(name, names);
          problems.push(
            `${where}/${id}/${name}: rule '${id}' has no parameter '${name}'.${suggestion ? ` Did you mean '${suggestion}'?` : ` Its parameters: ${names.join(', ') || 'none'}.`}`,
          );
        } else if (
          typeof value !== 'number' ||
          (parameter.minimum !== undefined && value < parameter.minimum) ||
          (parameter.maximum !== undefined && value > parameter.maximum)
        ) {
          problems.push(
            `${where}/${id}/${name}: ${String(value)} is out of range (${parameter.minimum ?? '-∞'} to ${parameter.maximum ?? '∞'}).`,
          );
        }
      }
    }
  };
  checkRules(config.rules, '/rules');

  const addresses = new Set<string>();
  config.contracts.forEach((contract, i) => {
    const where = `/contracts/${i}`;
    contract.address = contract.address.toLowerCase();
    contract.trustedAdmins = contract.trustedAdmins?.map((a) => a.toLowerCase());
    contract.assets = contract.assets?.map((a) => a.toLowerCase());
    if (!chainIds.has(contract.chain)) problems.push(`${where}/chain: chain ${contract.chain} is not in /chains.`);
    const key = `${contract.chain}:${contract.address}`;
    if (addresses.has(key))
      problems.push(`${where}/address: ${contract.address} is listed twice on chain ${contract.chain}.`);
    addresses.add(key);
    if (contract.abi) contract.abi = path.resolve(baseDir, contract.abi);
    checkPrivilege(contract, where, problems);
    checkRules(contract.rules, `${where}/rules`);
    const breaker = contract.breaker;
    if (breaker?.kind === 'guardian' && breaker.autoPause) {
      const key = breaker.guardian;
      if (!key || (!key.privateKeyEnv && !key.keystore)) {
        problems.push(
          `${where}/breaker/guardian: an automatic pause needs a guardian key: keystore + passwordEnv, or privateKeyEnv.`,
        );
      } else if (key.keystore && !key.passwordEnv) {
        problems.push(
          `${where}/breaker/guardian/passwordEnv: name the environment variable holding the keystore password.`,
        );
      }
      if (key?.keystore) key.keystore = path.resolve(baseDir, key.keystore);
      for (const variable of [key?.privateKeyEnv, key?.passwordEnv]) {
        if (variable && env[variable] === undefined && !config.dryRun) {
          problems.push(`${where}/breaker/guardian: environment variable ${variable} is not set.`);
        }
      }
    }
    if (breaker?.kind === 'safe' && !breaker.safe) problems.push(`${where}/breaker/safe: give the Safe's address.`);
    if (breaker?.kind === 'none' && breaker.allowUnpausable !== undefined)
      problems.push(`${where}/breaker/allowUnpausable: a breaker of kind 'none' has no responder to check; remove it.`);
    for (const variable of [breaker?.safe?.proposerKeyEnv, breaker?.safe?.serviceApiKeyEnv]) {
      if (breaker?.kind === 'safe' && variable && env[variable] === undefined && !config.dryRun) {
        problems.push(`${where}/breaker/safe: environment variable ${variable} is not set.`);
      }
    }
  });
  config.threatIntel = config.threatIntel?.map((entry) => path.resolve(baseDir, entry));
  if (config.store?.dataDir) config.store.dataDir = path.resolve(baseDir, config.store.dataDir);
  (config.sinks ?? []).forEach((sink, i) => {
    if (sink.type === 'jsonl') sink.path = path.resolve(baseDir, String(sink.path));
    // Secrets of sinks are named by variable; a missing one is found now, not at the first alert.
    for (const [key, value] of Object.entries(sink)) {
      if (key.endsWith('Env') && typeof value === 'string' && env[value] === undefined) {
        problems.push(`/sinks/${i}/${key}: environment variable ${value} is not set.`);
      }
    }
  });

  if (problems.length > 0) {
    throw new MonitorConfigError(`${file} has problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      docsPath: 'monitor/config.md',
    });
  }
  return { ...config, baseDir };
}

/**
 * The privilege overrides of a contract: each entry well formed, a bare name only with an ABI,
 * and every name found in it (the ABI is read here so that `--check` finds a typo).
 */
function checkPrivilege(contract: MonitorConfigFile['contracts'][number], where: string, problems: string[]): void {
  const entries = [
    ...(contract.privileged?.functions ?? []).map((entry, i) => [`privileged/functions/${i}`, entry] as const),
    ...(contract.privileged?.events ?? []).map((entry, i) => [`privileged/events/${i}`, entry] as const),
    ...(contract.notPrivileged ?? []).map((entry, i) => [`notPrivileged/${i}`, entry] as const),
  ];
  if (entries.length === 0) return;
  let malformed = false;
  for (const [at, entry] of entries) {
    const problem = overrideProblem(entry);
    if (problem) problems.push(`${where}/${at}: '${entry}': ${problem}.`);
    else if (!contract.abi && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(entry)) {
      problems.push(`${where}/${at}: '${entry}' is a bare name: give the contract's \`abi\`, or write the signature.`);
    } else continue;
    malformed = true;
  }
  if (malformed) return;
  try {
    buildPrivilegeMap({
      abi: contract.abi ? readAbi(contract.abi) : undefined,
      privileged: contract.privileged,
      notPrivileged: contract.notPrivileged,
    });
  } catch (error) {
    problems.push(`${where}: ${(error as Error).message}`);
  }
}

/** An ABI file: a JSON array, or an artifact with an `abi` field. */
export function readAbi(file: string): Abi {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MonitorConfigError(`Cannot read the ABI ${file}: ${(error as Error).message}`, {
      details: 'Give an ABI JSON array or an artifact with an `abi` field.',
      docsPath: 'monitor/config.md',
    });
  }
  return (Array.isArray(parsed) ? parsed : ((parsed as { abi?: unknown }).abi ?? [])) as Abi;
}

/** Ajv errors as one line each: where, what, and for an unknown key the closest known one. */
function explain(errors: readonly ErrorObject[]): string[] {
  const lines = new Set<string>();
  // A failed `oneOf` repeats every branch's complaint; the branch errors say more.
  for (const error of errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if')) {
    const where = error.instancePath || '/';
    if (error.keyword === 'additionalProperties') {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const suggestion = closest(key, known);
      lines.add(`${where}: unknown key '${key}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`);
    } else if (error.keyword === 'const' && error.instancePath.endsWith('/type')) {
      lines.add(`${where}: not a sink type (stdout, jsonl, webhook, slack, discord, telegram, email).`);
    } else {
      lines.add(`${where}: ${error.message ?? 'is invalid'}.`);
    }
  }
  return [...lines];
}

/** Reads threat-intel files: `address label` / `address,label` lines (# comments), or a JSON object. */
export function loadThreatIntel(files: readonly string[]): Map<string, string> {
  const labels = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new MonitorConfigError(`Cannot read the threat-intel file ${file}.`, {
        cause: error as Error,
        docsPath: 'monitor/config.md#threat-intel',
      });
    }
    if (text.trimStart().startsWith('{')) {
      let entries: Record<string, unknown>;
      try {
        entries = JSON.parse(text) as Record<string, unknown>;
      } catch (error) {
        throw new MonitorConfigError(`${file} is not valid JSON: ${(error as Error).message}.`, {
          docsPath: 'monitor/config.md#threat-intel',
        });
      }
      for (const [address, label] of Object.entries(entries)) {
        if (!/^0x[0-9a-fA-F]{40}$/.test(address)) {
          throw new MonitorConfigError(`${file}: key '${address}' is not an address.`, {
            details: 'Write { "0x…": "label" } with 20-byte hex addresses as keys.',
            docsPath: 'monitor/config.md#threat-intel',
          });
        }
        labels.set(address.toLowerCase(), String(label));
      }
      continue;
    }
    text.split('\n').forEach((line, i) => {
      const content = line.replace(/#.*/, '').trim();
      if (!content) return;
      const [address, ...label] = content.split(/[\s,]+/);
      if (!/^0x[0-9a-fA-F]{40}$/.test(address ?? '')) {
        throw new MonitorConfigError(`${file}:${i + 1}: '${address}' is not an address.`, {
          details: 'Write one address per line, optionally followed by a label.',
          docsPath: 'monitor/config.md#threat-intel',
        });
      }
      labels.set(address!.toLowerCase(), label.join(' ') || path.basename(file));
    });
  }
  return labels;
}

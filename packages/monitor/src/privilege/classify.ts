import { BaseError, closest } from '@bulwark/core';
import {
  type Abi,
  type AbiEvent,
  type AbiFunction,
  type AbiParameter,
  type Hex,
  parseAbiItem,
  toEventSelector,
  toFunctionSelector,
  toFunctionSignature,
} from 'viem';
import { eventTopics } from '../events/normalize.ts';
import type {
  ControlEvent,
  PrivilegedFunction,
  PrivilegeKind,
  PrivilegeMap,
  PrivilegeOverrides,
  PrivilegeSource,
} from './types.ts';

export class PrivilegeConfigError extends BaseError {
  override name = 'PrivilegeConfigError';
}

/*
 * Classification by name and argument types. Names are split into lower-case words
 * (`transferOwnership` → transfer, ownership; `_setPendingAdmin` → set, pending, admin), then:
 * a verb that moves power (set, transfer, grant, …) with a noun naming a holder of power (owner,
 * operator, minter, role, …) and an address argument is a control function; an event naming such
 * a holder with a change word (updated, granted, New…) and an address argument is a control event.
 */

/** Holders of power over a contract. */
const controlNouns = new Set([
  'owner',
  'ownership',
  'admin',
  'admins',
  'administrator',
  'operator',
  'operators',
  'guardian',
  'guardians',
  'minter',
  'minters',
  'burner',
  'governor',
  'governance',
  'gov',
  'keeper',
  'keepers',
  'manager',
  'managers',
  'controller',
  'authority',
  'pauser',
  'pausers',
  'signer',
  'signers',
  'executor',
  'proposer',
  'role',
  'roles',
  'timelock',
  'multisig',
  'strategist',
  'rescuer',
  'blacklister',
  'ward',
  'wards',
]);
/** Nouns whose holder controls everything: weighted like an ownership transfer. */
const topNouns = new Set(['owner', 'ownership', 'admin', 'admins', 'administrator', 'governor', 'governance', 'gov']);
const upgradeNouns = new Set(['implementation', 'impl', 'beacon']);
const controlVerbs = new Set([
  'set',
  'transfer',
  'change',
  'update',
  'grant',
  'revoke',
  'renounce',
  'accept',
  'add',
  'remove',
  'claim',
  'nominate',
  'appoint',
  'replace',
  'propose',
  'assign',
]);
const acceptVerbs = new Set(['accept', 'claim']);
const revokeVerbs = new Set(['revoke', 'renounce', 'remove', 'deny']);
/** Parameters an admin sets (`setFee`, `updateOracle`): privileged operations, not control. */
const parameterNouns = new Set([
  'fee',
  'fees',
  'rate',
  'rates',
  'limit',
  'limits',
  'cap',
  'threshold',
  'oracle',
  'price',
  'feed',
  'treasury',
  'vault',
  'strategy',
  'config',
  'configuration',
  'parameter',
  'parameters',
  'params',
  'ratio',
  'factor',
  'delay',
  'period',
  'duration',
  'interval',
  'reward',
  'rewards',
  'router',
  'recipient',
  'receiver',
  'collector',
  'bps',
  'slippage',
  'tax',
  'royalty',
  'whitelist',
  'blacklist',
  'allowlist',
  'blocklist',
]);
const setterVerbs = new Set(['set', 'update', 'change', 'configure']);
/** Verbs of operations only an admin performs (`sweep`, `rescueTokens`, `recoverERC20`, `freeze`). */
const operationVerbs = new Set([
  'sweep',
  'rescue',
  'recover',
  'kill',
  'destroy',
  'shutdown',
  'freeze',
  'unfreeze',
  'blacklist',
  'whitelist',
  'blocklist',
  'allowlist',
  'ban',
  'seize',
]);
/** `withdrawFees`, `collectProtocol`, `_reduceReserves`: an admin taking the protocol's share. */
const takeVerbs = new Set(['withdraw', 'collect', 'reduce']);
const takeNouns = new Set(['fee', 'fees', 'protocol', 'reserves', 'treasury']);
const changeWords = new Set([
  'updated',
  'changed',
  'set',
  'transferred',
  'granted',
  'added',
  'removed',
  'revoked',
  'renounced',
  'accepted',
  'nominated',
  'appointed',
  'proposed',
  'started',
  'assigned',
  'replaced',
  'configured',
  'new',
  'rely',
  'deny',
  'upgraded',
]);
const pendingWords = new Set(['pending', 'proposed', 'nominated', 'started', 'offered']);
const revokedWords = new Set(['removed', 'revoked', 'renounced', 'deleted']);
/** Argument names of a previous holder (`previousOwner`, `oldOperator`, `sender`). */
const previousName = /^_?(old|prev|previous|former|from|sender|by|caller)/i;
const newName = /^_?(new|next|pending|to)(?![a-z])/i;

/** Lower-case words of an identifier: camelCase, PascalCase, snake_case and digits split. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .flatMap((word) => (word ? [word.toLowerCase()] : []));
}

const initializerName = /^_*(re)?(initiali[sz]e|init)(?![a-z])/;

const indicesOf = (inputs: readonly AbiParameter[], type: string) =>
  inputs.flatMap((input, i) => (input.type === type ? [i] : []));

/** How a function is privileged by its name and arguments, or undefined when it looks public. */
export function classifyFunction(item: AbiFunction, source: PrivilegeSource): PrivilegedFunction | undefined {
  if (item.stateMutability === 'view' || item.stateMutability === 'pure') return undefined;
  const words = nameWords(item.name);
  const [first] = words;
  if (!first) return undefined;
  const addresses = indicesOf(item.inputs, 'address');
  const roles = indicesOf(item.inputs, 'bytes32');
  const make = (kind: PrivilegeKind, extra: Partial<PrivilegedFunction> = {}): PrivilegedFunction => ({
    selector: toFunctionSelector(item),
    signature: toFunctionSignature(item),
    kind,
    targets: [],
    role: undefined,
    accepts: false,
    revokes: false,
    source,
    item,
    ...extra,
  });
  if (initializerName.test(item.name)) return make('initializer');
  if (first === 'unpause' || (words.includes('unpause') && words.length <= 3) || first === 'resume')
    return make('unpause');
  if (first === 'pause') return make('pause');
  if (words.includes('upgrade') || (setterVerbs.has(first) && words.some((word) => upgradeNouns.has(word)))) {
    return addresses.length > 0 ? make('upgrade', { targets: [addresses[0]!] }) : make('operation');
  }
  // MakerDAO-style wards: rely(address) gives an address full control, deny(address) takes it.
  if ((item.name === 'rely' || item.name === 'deny') && addresses.length === 1) {
    return make('control', { targets: item.name === 'rely' ? addresses : [], revokes: item.name === 'deny' });
  }
  if (controlVerbs.has(first) && words.some((word) => controlNouns.has(word))) {
    const accepts = acceptVerbs.has(first) && addresses.length === 0;
    const revokes = revokeVerbs.has(first);
    if (addresses.length > 0 || accepts || revokes) {
      return make('control', {
        // For a role function the address is the holder; otherwise every address argument may be.
        targets: revokes ? [] : roles.length > 0 ? addresses.slice(0, 1) : addresses,
        role: roles[0],
        accepts,
        revokes,
      });
    }
  }
  if (first === 'mint' && item.stateMutability === 'nonpayable' && item.inputs[0]?.type === 'address') {
    return make('operation');
  }
  if (operationVerbs.has(first)) return make('operation');
  if (takeVerbs.has(first) && words.slice(1).some((word) => takeNouns.has(word))) return make('operation');
  if (setterVerbs.has(first) && words.slice(1).some((word) => parameterNouns.has(word))) return make('operation');
  return undefined;
}

/** Standard admin events are decoded by the normaliser (`AdminEvent`); they are not classified again. */
const standardTopics: ReadonlySet<string> = new Set(
  Object.values(eventTopics).filter((t) => t !== eventTopics.Transfer),
);

/** How an event reports a change of control, or undefined when it does not. */
export function classifyEvent(item: AbiEvent, source: PrivilegeSource): ControlEvent | undefined {
  const topic = toEventSelector(item);
  if (standardTopics.has(topic)) return undefined;
  const words = nameWords(item.name);
  const addresses = indicesOf(item.inputs, 'address');
  if (addresses.length === 0) return undefined;
  const upgrade = words.some((word) => upgradeNouns.has(word)) || words.includes('upgraded');
  const control = words.some((word) => controlNouns.has(word));
  if (!upgrade && !control) return undefined;
  if (!words.some((word) => changeWords.has(word))) return undefined;
  // (owner, operator, approved): a holder approving an operator for its own assets (ERC-6909, ERC-1155).
  if (addresses.length >= 2 && item.inputs.some((input) => input.type === 'bool')) return undefined;
  const roles = indicesOf(item.inputs, 'bytes32');
  const revokes = words.some((word) => revokedWords.has(word));
  const pending = words.some((word) => pendingWords.has(word));
  return {
    topic,
    signature: `${item.name}(${item.inputs.map((input) => input.type).join(',')})`,
    kind: upgrade ? 'upgrade' : 'control',
    targets: revokes ? [] : eventTargets(item.inputs, addresses, roles.length > 0),
    role: roles[0],
    revokes,
    pending,
    weight: upgrade
      ? 0.4
      : revokes
        ? 0.15
        : pending
          ? 0.25
          : words.some((word) => topNouns.has(word)) && !words.includes('role')
            ? 0.35
            : words.includes('role')
              ? 0.2
              : 0.3,
    source,
    item,
  };
}

/**
 * Which address arguments name the new holder: by argument name when the ABI has names (`newOwner`,
 * not `previousOwner` or `sender`); otherwise by the usual layouts: the only address, the account
 * after a role, or the last of (previous, new).
 */
function eventTargets(inputs: readonly AbiParameter[], addresses: number[], role: boolean): number[] {
  const named = addresses.filter((i) => newName.test(inputs[i]!.name ?? ''));
  if (named.length > 0) return named;
  const notPrevious = addresses.filter((i) => inputs[i]!.name && !previousName.test(inputs[i]!.name!));
  if (notPrevious.length > 0) return role ? notPrevious.slice(0, 1) : notPrevious.slice(-1);
  if (role || addresses.length === 1) return addresses.slice(0, 1);
  return addresses.slice(-1);
}

export type BuildPrivilegeMapParameters = PrivilegeOverrides & {
  /** The contract's ABI; without it the well-known signatures are used. */
  abi?: Abi | undefined;
  /** Names the contract in errors. */
  contract?: string | undefined;
};

/** Classifies an ABI (or the well-known list) and applies the config's overrides. */
export function buildPrivilegeMap(parameters: BuildPrivilegeMapParameters): PrivilegeMap {
  const { abi } = parameters;
  const source: PrivilegeSource = abi ? 'abi' : 'standard';
  const items = abi ?? standardAbi();
  const functions = new Map<Hex, PrivilegedFunction>();
  const events = new Map<Hex, ControlEvent>();
  for (const item of items) {
    if (item.type === 'function') {
      const classified = classifyFunction(item, source);
      if (classified) functions.set(classified.selector, classified);
    } else if (item.type === 'event') {
      const classified = classifyEvent(item, source);
      if (classified) events.set(classified.topic, classified);
    }
  }
  const where = parameters.contract ? `${parameters.contract}: ` : '';
  const fail = (entry: string, problem: string): never => {
    throw new PrivilegeConfigError(`${where}privilege override '${entry}': ${problem}`, {
      details:
        'Write a signature (`setOperator(address)`), a name found in the ABI, or a selector (0x + 8 hex digits).',
      docsPath: 'monitor/privilege.md#overrides',
    });
  };
  const resolve = (entry: string, type: 'function' | 'event'): (AbiFunction | AbiEvent)[] => {
    const problem = overrideProblem(entry);
    if (problem) fail(entry, problem);
    if (/^0x[0-9a-fA-F]+$/.test(entry)) {
      if (!abi) fail(entry, 'a selector needs the contract`s `abi` to name the function; give the signature instead');
      const wanted = entry.toLowerCase();
      const found = abi!.filter(
        (item) =>
          item.type === type &&
          (type === 'function' ? toFunctionSelector(item as AbiFunction) : toEventSelector(item as AbiEvent)) ===
            wanted,
      ) as (AbiFunction | AbiEvent)[];
      if (found.length === 0)
        fail(entry, `no ${type} of the ABI has this ${type === 'function' ? 'selector' : 'topic'}`);
      return found;
    }
    if (entry.includes('(')) return [parseAbiItem(`${type} ${entry}`) as AbiFunction | AbiEvent];
    if (!abi) fail(entry, 'a bare name needs the contract`s `abi`; give the signature instead');
    const found = abi!.filter((item) => item.type === type && item.name === entry) as (AbiFunction | AbiEvent)[];
    if (found.length === 0) {
      const names = abi!.flatMap((item) => (item.type === type ? [item.name] : []));
      const suggestion = closest(entry, names);
      fail(entry, `no ${type} '${entry}' in the ABI.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`);
    }
    return found;
  };
  for (const entry of parameters.privileged?.functions ?? []) {
    for (const item of resolve(entry, 'function') as AbiFunction[]) {
      const classified = classifyFunction({ ...item, stateMutability: 'nonpayable' }, 'config');
      functions.set(
        toFunctionSelector(item),
        classified ?? {
          selector: toFunctionSelector(item),
          signature: toFunctionSignature(item),
          kind: 'operation',
          targets: [],
          role: undefined,
          accepts: false,
          revokes: false,
          source: 'config',
          item,
        },
      );
    }
  }
  for (const entry of parameters.privileged?.events ?? []) {
    for (const item of resolve(entry, 'event') as AbiEvent[]) {
      const topic = toEventSelector(item);
      const addresses = indicesOf(item.inputs, 'address');
      if (addresses.length === 0) fail(entry, 'a control event names the new holder in an address argument');
      const roles = indicesOf(item.inputs, 'bytes32');
      events.set(
        topic,
        classifyEvent(item, 'config') ?? {
          topic,
          signature: `${item.name}(${item.inputs.map((input) => input.type).join(',')})`,
          kind: 'control',
          targets: eventTargets(item.inputs, addresses, roles.length > 0),
          role: roles[0],
          revokes: false,
          pending: false,
          weight: 0.3,
          source: 'config',
          item,
        },
      );
    }
  }
  const notPrivileged = new Set<Hex>();
  for (const entry of parameters.notPrivileged ?? []) {
    const problem = overrideProblem(entry);
    if (problem) fail(entry, problem);
    const selectors = new Set<Hex>();
    if (/^0x[0-9a-fA-F]{8}$/.test(entry)) selectors.add(entry.toLowerCase() as Hex);
    else if (/^0x[0-9a-fA-F]{64}$/.test(entry)) events.delete(entry.toLowerCase() as Hex);
    else if (entry.includes('(')) {
      const signature = entry.replace(/\s+indexed\b/g, '');
      selectors.add(toFunctionSelector(`function ${signature}`));
      events.delete(toEventSelector(`event ${signature}`));
    } else {
      if (!abi) fail(entry, 'a bare name needs the contract`s `abi`; give the signature instead');
      const named = abi!.filter((item) => (item.type === 'function' || item.type === 'event') && item.name === entry);
      if (named.length === 0) {
        const suggestion = closest(
          entry,
          abi!.flatMap((item) => (item.type === 'function' || item.type === 'event' ? [item.name] : [])),
        );
        fail(entry, `nothing named '${entry}' in the ABI.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`);
      }
      for (const item of named) {
        if (item.type === 'function') selectors.add(toFunctionSelector(item));
        if (item.type === 'event') events.delete(toEventSelector(item));
      }
    }
    for (const selector of selectors) {
      functions.delete(selector);
      notPrivileged.add(selector);
    }
  }
  return { fromAbi: abi !== undefined, functions, events, notPrivileged };
}

/**
 * What is wrong with an override entry's form, or undefined: a selector, an event topic, a
 * signature that parses, or an identifier. Names are checked against the ABI when it is read.
 */
export function overrideProblem(entry: string): string | undefined {
  if (/^0x[0-9a-fA-F]{8}$/.test(entry) || /^0x[0-9a-fA-F]{64}$/.test(entry)) return undefined;
  if (entry.startsWith('0x')) return 'a selector has 8 hex digits after 0x (an event topic 64)';
  if (entry.includes('(')) {
    try {
      parseAbiItem(`function ${entry.replace(/\s+indexed\b/g, '')}`);
      return undefined;
    } catch {
      return 'not a valid signature (write it as in Solidity, e.g. `setOperator(address)`)';
    }
  }
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(entry) ? undefined : 'not a function or event name';
}

let standard: Abi | undefined;

/**
 * The well-known privileged functions and control events, for a contract given without an ABI:
 * OpenZeppelin's Ownable, AccessControl, UUPS and Pausable, Compound's and Maker's admin
 * functions, common initializer shapes, and `set/update/change/transfer` + holder noun setters and
 * `…Updated/Changed/Set/Transferred`, `New…` events with the usual (address) and (address,address)
 * layouts. The indexing of these events is unknown; the decoder tries both layouts.
 */
export function standardAbi(): Abi {
  if (standard) return standard;
  const signatures = [
    'function transferOwnership(address)',
    'function renounceOwnership()',
    'function acceptOwnership()',
    'function claimOwnership()',
    'function grantRole(bytes32,address)',
    'function revokeRole(bytes32,address)',
    'function renounceRole(bytes32,address)',
    'function upgradeTo(address)',
    'function upgradeToAndCall(address,bytes) payable',
    'function changeAdmin(address)',
    'function _setPendingAdmin(address)',
    'function _acceptAdmin()',
    'function acceptAdmin()',
    'function acceptGovernance()',
    'function setPendingOwner(address)',
    'function setPendingGovernance(address)',
    'function rely(address)',
    'function deny(address)',
    'function setAuthority(address)',
    'function addMinter(address)',
    'function removeMinter(address)',
    'function pause()',
    'function unpause()',
    'function initialize()',
    'function initialize(address)',
    'function initialize(address,address)',
    'function initialize(address,address,address)',
    'function initialize(address,uint256)',
    'function initialize(bytes)',
    'function init()',
    'function init(address)',
    'function mint(address,uint256)',
    'function sweep(address)',
    'function sweep(address,address)',
    'function sweepToken(address)',
    'function rescueTokens(address,address,uint256)',
    'function recoverERC20(address,uint256)',
    'event MinterAdded(address)',
    'event MinterRemoved(address)',
    'event OperatorAdded(address)',
    'event OperatorRemoved(address)',
    'event NewPendingAdmin(address,address)',
    'event NewPendingOwner(address,address)',
  ];
  const nouns = [
    'Owner',
    'Admin',
    'Operator',
    'Guardian',
    'Minter',
    'Governance',
    'Governor',
    'Keeper',
    'Manager',
    'Controller',
    'Pauser',
  ];
  for (const noun of nouns) {
    for (const verb of ['set', 'update', 'change', 'transfer']) signatures.push(`function ${verb}${noun}(address)`);
    for (const args of ['address', 'address,address']) {
      for (const suffix of ['Updated', 'Changed', 'Set', 'Transferred'])
        signatures.push(`event ${noun}${suffix}(${args})`);
      signatures.push(`event New${noun}(${args})`);
    }
  }
  for (const args of ['address', 'address,address']) {
    for (const name of ['ImplementationUpdated', 'ImplementationChanged', 'NewImplementation'])
      signatures.push(`event ${name}(${args})`);
  }
  standard = signatures.map((signature) => parseAbiItem(signature)) as Abi;
  return standard;
}

let standardMap: PrivilegeMap | undefined;

/** The map of a contract given without an ABI (built once). */
export function standardPrivilege(): PrivilegeMap {
  standardMap ??= buildPrivilegeMap({});
  return standardMap;
}

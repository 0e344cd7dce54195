import { closest } from '@bulwark/core';
import { GateConfigError } from '../approvals/errors.ts';
import { isSignatureAlgorithm, parsePublicKey, type VerifyingKey } from '../approvals/keys.ts';
import type { LoadedManifest } from '../manifest/types.ts';

/** Someone whose signature counts towards a release's approvals. */
export type Approver = { name: string; key: VerifyingKey };

export type DependencyScope = 'all' | 'imported';

/** The manifest's `gate` section, checked. */
export type GateConfig = {
  /** Distinct valid approvals a release needs (default 2). */
  requiredApprovals: number;
  approvers: Approver[];
  /** Who requests the release: their approvals never count (four-eyes). A name or key id. */
  author?: string | undefined;
  /** Which dependencies must be reviewed: every one in the inventory (default), or those the contracts import. */
  dependencyScope: DependencyScope;
  /** Distinct approvals (never the requester's) an exception needs before it counts (default: requiredApprovals). */
  exceptionApprovals: number;
};

export const defaultRequiredApprovals = 2;

const gateKeys = ['requiredApprovals', 'approvers', 'author', 'dependencyScope', 'exceptionApprovals'];
const approverKeys = ['name', 'algorithm', 'publicKey', 'address'];

/**
 * Reads and checks the `gate` section of a loaded manifest:
 *
 * ```yaml
 * gate:
 *   requiredApprovals: 2
 *   approvers:
 *     - { name: alice, algorithm: ed25519, publicKey: "<32 bytes hex>" }
 *     - { name: bob, algorithm: secp256k1, address: "0x…" }   # or publicKey
 * ```
 *
 * Without the section the gate needs 2 approvals from nobody, so it cannot pass: the message says so.
 */
export function readGateConfig(loaded: LoadedManifest): GateConfig {
  const raw = (loaded.manifest as { gate?: unknown }).gate;
  const file = loaded.path;
  const fail = (where: string, problem: string, fix: string): never => {
    throw new GateConfigError(`Invalid manifest ${file}: ${where} ${problem}.`, {
      metaMessages: [`Fix: ${fix}`],
      docsPath: 'governance/gate.md#configuration',
    });
  };
  if (raw === undefined)
    return {
      requiredApprovals: defaultRequiredApprovals,
      approvers: [],
      dependencyScope: 'all',
      exceptionApprovals: defaultRequiredApprovals,
    };
  if (!isObject(raw))
    return fail('gate', 'is not an object', 'write `gate: { requiredApprovals: 2, approvers: [...] }`.');
  for (const key of Object.keys(raw)) {
    if (!gateKeys.includes(key)) {
      const guess = closest(key, gateKeys);
      fail(`gate.${key}`, 'is not a known key', guess ? `did you mean gate.${guess}?` : `use ${gateKeys.join(', ')}.`);
    }
  }
  const required = raw.requiredApprovals ?? defaultRequiredApprovals;
  if (typeof required !== 'number' || !Number.isInteger(required) || required < 1)
    fail('gate.requiredApprovals', `is ${JSON.stringify(required)}`, 'give a whole number of at least 1.');
  const exceptionApprovals = raw.exceptionApprovals ?? required;
  if (typeof exceptionApprovals !== 'number' || !Number.isInteger(exceptionApprovals) || exceptionApprovals < 1)
    fail('gate.exceptionApprovals', `is ${JSON.stringify(exceptionApprovals)}`, 'give a whole number of at least 1.');
  const author = raw.author;
  if (author !== undefined && (typeof author !== 'string' || author.trim() === ''))
    fail('gate.author', 'is not a name', 'give the release author’s approver name or key id.');
  const scope = raw.dependencyScope ?? 'all';
  if (scope !== 'all' && scope !== 'imported')
    fail('gate.dependencyScope', `is ${JSON.stringify(scope)}`, 'use "all" or "imported".');
  const list = raw.approvers ?? [];
  if (!Array.isArray(list))
    return fail('gate.approvers', 'is not a list', 'write `approvers: [{ name, algorithm, publicKey }]`.');

  const approvers: Approver[] = [];
  for (const [i, entry] of list.entries()) {
    const at = `gate.approvers[${i}]`;
    if (!isObject(entry)) return fail(at, 'is not an object', 'write `{ name, algorithm, publicKey }`.');
    for (const key of Object.keys(entry)) {
      if (!approverKeys.includes(key)) fail(`${at}.${key}`, 'is not a known key', `use ${approverKeys.join(', ')}.`);
    }
    const { name, algorithm, publicKey, address } = entry;
    if (typeof name !== 'string' || name.trim() === '') return fail(`${at}.name`, 'is missing', 'name the approver.');
    if (typeof algorithm !== 'string' || !isSignatureAlgorithm(algorithm))
      return fail(`${at}.algorithm`, `is ${JSON.stringify(algorithm)}`, 'use "ed25519" or "secp256k1".');
    const given = publicKey ?? address;
    if (typeof given !== 'string' || (publicKey !== undefined && address !== undefined))
      return fail(
        at,
        'needs exactly one of publicKey and address',
        algorithm === 'ed25519'
          ? 'give publicKey (`bulwark approve pubkey --key FILE` prints it).'
          : 'give publicKey or the signer’s address.',
      );
    if (address !== undefined && algorithm !== 'secp256k1')
      return fail(`${at}.address`, 'is only for secp256k1 keys', 'give the ed25519 publicKey instead.');
    let key: VerifyingKey;
    try {
      key = parsePublicKey(given, { algorithm, where: `${file} (${at})`, allowAddress: address !== undefined });
    } catch (error) {
      throw new GateConfigError(`Invalid manifest ${file}: ${at} has a bad key.`, {
        cause: error,
        docsPath: 'governance/gate.md#configuration',
      });
    }
    if (address !== undefined && key.publicKey)
      return fail(`${at}.address`, 'is not a 20-byte address', 'give 0x and 40 hex characters, or use publicKey.');
    const sameName = approvers.find((a) => a.name === name);
    if (sameName) fail(`${at}.name`, `repeats "${name}"`, 'give each approver one entry and a unique name.');
    const sameKey = approvers.find((a) => a.key.keyId === key.keyId);
    if (sameKey)
      fail(at, `has the same key as "${sameKey.name}"`, 'one key is one approver; give each person their own key.');
    approvers.push({ name, key });
  }
  return {
    requiredApprovals: required as number,
    approvers,
    author: author as string | undefined,
    dependencyScope: scope as DependencyScope,
    exceptionApprovals: exceptionApprovals as number,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

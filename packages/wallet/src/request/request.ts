import { BaseError } from '@bulwark/core';
import { canonicalJson } from '@bulwark/store';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { keccak256, stringToBytes } from 'viem';
import schema from '../../wallet.request.schema.json' with { type: 'json' };
import { schemaProblems } from './schemaProblems.ts';

export class WalletRequestError extends BaseError {
  override name = 'WalletRequestError' as const;
}

export type RequestKind = 'withdrawal' | 'transfer' | 'contract-call' | 'typed-message';
export type CallOperation = 'call' | 'delegatecall';

/** A request as written (see wallet.request.schema.json). */
export type WalletRequestInput = {
  kind: RequestKind;
  initiator: string;
  source: string;
  chain: number;
  asset?: string;
  amount?: string;
  destination?: string;
  call?: { target: string; data: string; operation?: CallOperation };
  typedData?: {
    domain: Record<string, unknown>;
    types: Record<string, unknown>;
    primaryType: string;
    message: Record<string, unknown>;
  };
  reference?: string;
};

/**
 * A validated request: addresses lower-case, defaults filled in, so that two spellings of the
 * same request have one digest. `destination` is where value or the call goes (the call target
 * for a contract call, the verifying contract for a typed message when it names one).
 */
export type WalletRequest = {
  kind: RequestKind;
  initiator: string;
  source: string;
  chain: number;
  asset: string;
  amount: bigint;
  destination: string | null;
  call: { target: string; data: string; selector: string; operation: CallOperation } | null;
  typedData: WalletRequestInput['typedData'] | null;
  reference: string | null;
};

/** Requests larger than this are refused before parsing: a policy decision needs no more. */
export const maxRequestBytes = 64 * 1024;

let validate: ReturnType<Ajv2020['compile']> | undefined;

/** Parses and validates request JSON text; `where` names the source in errors (a file, `request`). */
export function parseRequestText(text: string, where = 'request'): WalletRequest {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxRequestBytes)
    throw new WalletRequestError(`${where} is ${bytes} bytes; requests are refused above ${maxRequestBytes}.`, {
      details: 'Send the calldata or typed data the signature needs, nothing more.',
      docsPath: 'wallet/policy.md#requests',
    });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new WalletRequestError(`${where} is not valid JSON: ${(error as Error).message}.`, {
      docsPath: 'wallet/policy.md#requests',
    });
  }
  return parseRequest(raw, where);
}

/** Validates a parsed request against wallet.request.schema.json and normalises it. */
export function parseRequest(raw: unknown, where = 'request'): WalletRequest {
  if (Buffer.byteLength(JSON.stringify(raw) ?? '', 'utf8') > maxRequestBytes)
    throw new WalletRequestError(`${where} is larger than ${maxRequestBytes} bytes; it is refused.`, {
      docsPath: 'wallet/policy.md#requests',
    });
  validate ??= new Ajv2020({ allErrors: true, strict: false, verbose: true, useDefaults: false }).compile(schema);
  if (!validate(raw))
    throw new WalletRequestError(
      `${where} is not a valid wallet request:\n${schemaProblems(validate.errors ?? [])
        .map((p) => `  - ${p}`)
        .join('\n')}`,
      { docsPath: 'wallet/policy.md#requests' },
    );
  const input = raw as WalletRequestInput;
  const call = input.call
    ? {
        target: input.call.target.toLowerCase(),
        data: input.call.data.toLowerCase(),
        selector: input.call.data.slice(0, 10).toLowerCase(),
        operation: input.call.operation ?? 'call',
      }
    : null;
  const verifyingContract = input.typedData?.domain.verifyingContract;
  const destination =
    input.destination?.toLowerCase() ??
    call?.target ??
    (typeof verifyingContract === 'string' && /^0x[0-9a-fA-F]{40}$/.test(verifyingContract)
      ? verifyingContract.toLowerCase()
      : null);
  return {
    kind: input.kind,
    initiator: input.initiator,
    source: input.source,
    chain: input.chain,
    asset: (input.asset ?? 'native').toLowerCase(),
    amount: BigInt(input.amount ?? '0'),
    destination,
    call,
    typedData: input.typedData ?? null,
    reference: input.reference ?? null,
  };
}

/** The request as plain JSON (amount as a decimal string): what is stored, logged and hashed. */
export function requestToJson(request: WalletRequest): Record<string, unknown> {
  return { ...request, amount: request.amount.toString() };
}

/** The inverse of requestToJson, for requests read back from the store. */
export function requestFromJson(json: Record<string, unknown>): WalletRequest {
  return { ...(json as unknown as WalletRequest), amount: BigInt(json.amount as string) };
}

const digestDomain = 'bulwark.wallet.request.v1';

/**
 * keccak256 of the canonical JSON of the normalised request (keys sorted, no whitespace), under
 * a domain tag. Approvals and signers bind to it: a vote counts only for the exact request it was
 * given for.
 */
export function requestDigest(request: WalletRequest): `0x${string}` {
  return keccak256(stringToBytes(canonicalJson([digestDomain, requestToJson(request)])));
}

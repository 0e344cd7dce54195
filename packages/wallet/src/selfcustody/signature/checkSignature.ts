import type { RpcPool } from '@bulwark/chain';
import { type AccountInfo, getAccountInfo, readHead } from '../accountInfo.ts';
import { knownSpenderName } from '../knownAddresses.ts';
import { allSignatureChecks } from './checks/index.ts';
import { decodeSignatureRequest } from './decodeSignatureRequest.ts';
import { parseSignatureRequest } from './parseSignatureRequest.ts';
import {
  type DecodedSignature,
  type RiskLevel,
  type SignatureContext,
  type SignatureFinding,
  type SignatureRequest,
  signatureSeverities,
} from './types.ts';

export type CheckSignatureParameters = {
  /** The parsed JSON of the file: typed data, a JSON-RPC request or an EIP-7702 authorization. */
  input: unknown;
  /** The chain the user is on; the domain, login and authorization are compared with it. */
  chainId?: number | undefined;
  /** With a pool, spenders and delegates are looked up on chain (code, creation age). */
  pool?: RpcPool | undefined;
  /** Spenders to treat like the well-known routers (a custodian's own contracts). */
  trusted?: readonly string[] | undefined;
  /** Unix seconds; default: the head block's time with a pool, else the clock. */
  now?: bigint | undefined;
};

export type CheckSignatureReturnType = {
  risk: RiskLevel;
  kind: string;
  summary: string;
  method: SignatureRequest['method'];
  signer: string | undefined;
  findings: SignatureFinding[];
  decoded: DecodedSignature;
  /** Whether spenders were looked up on chain. */
  onChainChecked: boolean;
};

/** Decodes what a signature request authorises and runs every signature check on it. */
export async function checkSignature(parameters: CheckSignatureParameters): Promise<CheckSignatureReturnType> {
  const request = parseSignatureRequest(parameters.input);
  const decoded = decodeSignatureRequest(request);
  let now = parameters.now ?? BigInt(Math.floor(Date.now() / 1000));
  const trusted = new Set((parameters.trusted ?? []).map((address) => address.toLowerCase()));
  let addresses: Map<string, AccountInfo> | undefined;
  if (parameters.pool) {
    const head = await readHead(parameters.pool);
    now = parameters.now ?? head.timestamp;
    addresses = new Map();
    // Well-known routers are not looked up; an EIP-7702 delegate always is.
    const unknownSpenders = decoded.grants
      .map((grant) => grant.spender)
      .filter((spender) => !knownSpenderName(spender) && !trusted.has(spender.toLowerCase()));
    const lookups = new Set([...unknownSpenders, ...(decoded.authorization ? [decoded.authorization.address] : [])]);
    for (const address of lookups) {
      addresses.set(address.toLowerCase(), await getAccountInfo(parameters.pool, address, head));
    }
  }
  const context: SignatureContext = { request, decoded, chainId: parameters.chainId, now, trusted, addresses };
  const findings = allSignatureChecks.flatMap((check) => check.check(context));
  findings.sort((a, b) => signatureSeverities.indexOf(a.severity) - signatureSeverities.indexOf(b.severity));
  return {
    risk: riskOf(findings),
    kind: decoded.kind,
    summary: decoded.summary,
    method: request.method,
    signer: request.signer,
    findings,
    decoded,
    onChainChecked: addresses !== undefined,
  };
}

export function riskOf(findings: readonly SignatureFinding[]): RiskLevel {
  const worst = findings.reduce<number>(
    (best, f) => Math.min(best, signatureSeverities.indexOf(f.severity)),
    signatureSeverities.length,
  );
  const severity = signatureSeverities[worst];
  return severity === undefined || severity === 'info' ? 'none' : severity;
}

/** Ranks risk levels for `--fail-on`: true when `risk` is at or above `threshold`. */
export function riskAtLeast(risk: RiskLevel, threshold: RiskLevel): boolean {
  const order: RiskLevel[] = ['none', 'low', 'medium', 'high', 'critical'];
  return order.indexOf(risk) >= order.indexOf(threshold);
}

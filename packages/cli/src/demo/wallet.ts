import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoreClient } from '@bulwark/store';
import {
  activePolicy,
  approvePolicy,
  type CheckSignatureReturnType,
  checkSignature,
  createLocalKeySigner,
  type Decision,
  loadPolicy,
  priceSourceFor,
  proposePolicy,
  signRequest,
  submitRequestText,
} from '@bulwark/wallet';

const examples = fileURLToPath(new URL('../../../../examples/wallet', import.meta.url));

export type WalletDemoResult = {
  requests: { file: string; state: string; decision: Decision; signed?: string }[];
  /** A drainer's signature request, as a self-custody wallet would check it before signing. */
  signature: { file: string } & Pick<CheckSignatureReturnType, 'risk' | 'kind' | 'findings'>;
};

// The hot wallet's key for the demo only: anvil's well-known account 9, never a real key.
const demoHotWalletKey = '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6';

/**
 * The wallet guard's part of the demo, on the example policy: admins install it by quorum, then
 * a small payout is allowed (and signed), a large one-time withdrawal is held for approval and a
 * delegatecall to an unknown contract is blocked; last, a drainer's Permit2 request is checked.
 */
export async function runWalletDemo(store: StoreClient): Promise<WalletDemoResult> {
  const { record } = await proposePolicy(store, {
    policy: loadPolicy(path.join(examples, 'policy.json')),
    proposer: 'heidi',
  });
  await approvePolicy(store, { id: record.id, approver: 'ivan' });
  await approvePolicy(store, { id: record.id, approver: 'judy' });
  const active = await activePolicy(store, new Date());
  const prices = active && priceSourceFor(active.compiled, examples);
  const signer = createLocalKeySigner({ privateKey: demoHotWalletKey, name: 'demo hot wallet' });
  const requests: WalletDemoResult['requests'] = [];
  for (const file of ['withdrawal-small.json', 'withdrawal-large.json', 'delegatecall.json']) {
    const text = readFileSync(path.join(examples, file), 'utf8');
    const { record: request, decision } = await submitRequestText(store, { text, where: file, actor: 'demo', prices });
    let signed: string | undefined;
    if (request.state === 'allowed') {
      const transaction = {
        nonce: 0,
        gas: 100_000n,
        maxFeePerGas: 30_000_000_000n,
        maxPriorityFeePerGas: 1_000_000_000n,
      };
      signed = (await signRequest(store, { id: request.id, signer, transaction, actor: 'demo', now: new Date() }))
        .digest;
    }
    requests.push({ file, state: signed ? 'signed' : request.state, decision, signed });
  }
  const file = 'drainer-permit2.json';
  const input = JSON.parse(readFileSync(path.join(examples, file), 'utf8'));
  const { risk, kind, findings } = await checkSignature({ input, chainId: 1 });
  return { requests, signature: { file, risk, kind, findings } };
}

export function formatWalletDemo(results: WalletDemoResult): string {
  const lines = ['', 'Wallet guard (examples/wallet/policy.json):'];
  for (const { file, state, decision } of results.requests)
    lines.push(
      `  ${file.padEnd(22)} ${state.padEnd(8)} rule ${decision.rule}${decision.usd ? ` (${decision.usd} USD)` : ''}`,
    );
  const { file, risk, kind, findings } = results.signature;
  lines.push(`  ${file.padEnd(22)} ${risk.padEnd(8)} ${kind}${findings[0] ? `: ${findings[0].message}` : ''}`);
  return `${lines.join('\n')}\n`;
}

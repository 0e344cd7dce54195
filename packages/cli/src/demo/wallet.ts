import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoreClient } from '@bulwark/store';
import {
  activePolicy,
  approvePolicy,
  type Decision,
  loadPolicy,
  priceSourceFor,
  proposePolicy,
  submitRequestText,
} from '@bulwark/wallet';

const examples = fileURLToPath(new URL('../../../../examples/wallet', import.meta.url));

export type WalletDemoResult = { file: string; state: string; decision: Decision }[];

/**
 * The wallet guard's part of the demo, on the example policy: admins install it by quorum, then
 * a small payout is allowed, a large one-time withdrawal is held for approval and a delegatecall
 * to an unknown contract is blocked.
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
  const results: WalletDemoResult = [];
  for (const file of ['withdrawal-small.json', 'withdrawal-large.json', 'delegatecall.json']) {
    const text = readFileSync(path.join(examples, file), 'utf8');
    const { record: request, decision } = await submitRequestText(store, { text, where: file, actor: 'demo', prices });
    results.push({ file, state: request.state, decision });
  }
  return results;
}

export function formatWalletDemo(results: WalletDemoResult): string {
  const lines = ['', 'Wallet guard (examples/wallet/policy.json):'];
  for (const { file, state, decision } of results)
    lines.push(
      `  ${file.padEnd(22)} ${state.padEnd(8)} rule ${decision.rule}${decision.usd ? ` (${decision.usd} USD)` : ''}`,
    );
  return `${lines.join('\n')}\n`;
}

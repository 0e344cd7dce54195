import type { CallFrame } from '@bulwark/chain';
import { decodeAbiParameters, type Hex } from 'viem';
import { defineRule } from '../defineRule.ts';
import { round } from '../score.ts';
import type { Signal } from '../types.ts';

/** `transferFrom(address,address,uint256)` (ERC-20 and ERC-721) and Permit2's `transferFrom(address,address,uint160,address)`. */
const pullSelectors: Record<string, 'erc' | 'permit2'> = { '0x23b872dd': 'erc', '0x36c78516': 'permit2' };

type Pull = { token: string; from: string; to: string; amount: bigint; caller: string };

export const thirdPartyPullRule = defineRule({
  id: 'third-party-pull',
  title: "Watched contract moves a third party's tokens through its allowance",
  category: 'attack',
  stage: 'exploitation',
  family: 'third-party-pull',
  impact: 'high',
  confidence: 'medium',
  description:
    'A watched contract calls `transferFrom` (ERC-20, ERC-721, or Permit2) to move tokens from an account that neither sent the transaction nor called the watched contract in it. A router or vault that users approve should only pull from whoever is calling it; pulling from someone else spends an allowance its owner did not use in this transaction. ' +
    'Score = `baseScore` (0.55) + `collectBonus` (0.15) when the tokens go to the sender or to a contract on the call path above the watched one (the caller collects) + `perVictim` (0.1) for each further account pulled from in the transaction; at most 0.9. Meta-transactions relayed by a forwarder also pull from a signer who did not send the transaction: alone this rule never pauses.',
  scenario:
    "Users approved a router for unlimited amounts. Its batch function takes `from` as a parameter and never checks it against the caller; an attacker's contract calls it with each approver in turn and collects their tokens. The router itself holds nothing, so no outflow rule on it sees the theft.",
  recommendation:
    'Pause the contract so no allowance can be spent through it, tell approvers to revoke their approvals to it, and fix the function to pull only from `msg.sender` (or a signed permit).',
  swc: ['SWC-105'],
  owasp: ['SC01:2025'],
  control: 'SA-03',
  needs: ['traces'],
  parameters: {
    baseScore: { default: 0.55, minimum: 0, maximum: 1, description: 'Score of one pull from a third party.' },
    collectBonus: {
      default: 0.15,
      minimum: 0,
      maximum: 1,
      description: 'Added when the tokens go to the transaction sender or to a contract that called the watched one.',
    },
    perVictim: {
      default: 0.1,
      minimum: 0,
      maximum: 1,
      description: 'Added for each further account pulled from in the same transaction.',
    },
  },
  evaluate(context) {
    const trace = context.tx.trace;
    if (!trace) return [];
    const sender = context.tx.from.toLowerCase();
    const byContract = new Map<string, { pulls: Pull[]; path: Set<string> }>();
    const walk = (frame: CallFrame, path: readonly string[]) => {
      if (frame.error) return;
      const caller = frame.from.toLowerCase();
      const pull = context.watched.has(caller) ? decodePull(frame) : undefined;
      // The watched contract's own caller (the frame that entered it) may pull from itself.
      const entry = path.at(-2);
      if (pull && pull.from !== sender && pull.from !== entry && pull.from !== caller) {
        const entryOf = byContract.get(caller) ?? { pulls: [], path: new Set(path) };
        entryOf.pulls.push({ ...pull, caller: entry ?? sender });
        byContract.set(caller, entryOf);
      }
      for (const child of frame.calls) walk(child, [...path, (child.from ?? '').toLowerCase()]);
    };
    walk(trace, [trace.from.toLowerCase()]);
    const signals: Signal[] = [];
    for (const [contract, { pulls, path }] of byContract) {
      const victims = [...new Set(pulls.map((pull) => pull.from))];
      const collects = pulls.some((pull) => pull.to === sender || (path.has(pull.to) && !context.watched.has(pull.to)));
      const score = Math.min(
        0.9,
        context.parameter('baseScore', contract) +
          (collects ? context.parameter('collectBonus', contract) : 0) +
          (victims.length - 1) * context.parameter('perVictim', contract),
      );
      const view = context.watched.get(contract)!;
      signals.push({
        ruleId: 'third-party-pull',
        stage: 'exploitation',
        contract,
        score: round(score),
        severity: score >= 0.7 ? 'critical' : 'high',
        title: `${view.name} moved tokens of ${victims.length} account(s) that did not call it`,
        summary: `${view.name}, called by ${pulls[0]!.caller} in a transaction from ${sender}, pulled through its allowances from ${victims.join(', ')} to ${[...new Set(pulls.map((pull) => pull.to))].join(', ')}${collects ? ' (the caller collects)' : ''}.`,
        actor: pulls[0]!.caller,
        details: {
          pulls: pulls.map((pull) => ({ ...pull, amount: pull.amount.toString() })),
          victims,
          collects,
        },
      });
    }
    return signals;
  },
});

function decodePull(frame: CallFrame): Omit<Pull, 'caller'> | undefined {
  const kind = pullSelectors[frame.input.slice(0, 10)];
  if (!kind || !frame.to) return undefined;
  try {
    const data = `0x${frame.input.slice(10)}` as Hex;
    if (kind === 'erc') {
      const [from, to, amount] = decodeAbiParameters(
        [{ type: 'address' }, { type: 'address' }, { type: 'uint256' }],
        data,
      );
      return { token: frame.to.toLowerCase(), from: from.toLowerCase(), to: to.toLowerCase(), amount };
    }
    const [from, to, amount, token] = decodeAbiParameters(
      [{ type: 'address' }, { type: 'address' }, { type: 'uint160' }, { type: 'address' }],
      data,
    );
    return { token: token.toLowerCase(), from: from.toLowerCase(), to: to.toLowerCase(), amount };
  } catch {
    return undefined;
  }
}

import {
  type Analysis,
  type CallSite,
  dottedName,
  type FunctionIR,
  type Node,
  type StateVariable,
  withoutConversions,
} from '@bulwark/solidity';
import { assemblyCalls } from './assembly.ts';
import { authoritiesOf } from './authorities.ts';
import { callArguments, type Frame, framesOf, fromInput } from './conditionDependencies.ts';
import type { ContractProfile } from './contractProfile.ts';
import { isSelf } from './expressions.ts';
import { argumentsFor } from './frames.ts';
import { isSender } from './guards.ts';
import { sourceText } from './sourceText.ts';
import { upgradePower } from './upgrades.ts';
import { isLedger, ledgerWrites, movesTokens, recipientOf, sendsEther } from './valueFlows.ts';

export type PowerKind = 'funds' | 'upgrade' | 'call' | 'mint' | 'burn' | 'selfdestruct' | 'pause' | 'admin' | 'config';
export type Power = {
  kind: PowerKind;
  node: Node;
  fn: FunctionIR;
  variable?: StateVariable | undefined;
  /** An upgrade of another contract (a proxy's `upgradeTo` called from here). */
  external?: boolean;
};
export const criticalPowers = new Set<PowerKind>(['funds', 'upgrade', 'call', 'mint', 'burn', 'selfdestruct', 'pause']);
export const powerLabel: Record<PowerKind, string> = {
  funds: 'move funds',
  upgrade: 'upgrade the code',
  call: 'make arbitrary calls',
  mint: 'mint',
  burn: "burn or seize others' balances",
  selfdestruct: 'destroy the contract',
  pause: 'pause or gate value flows',
  admin: 'hand over control',
  config: 'change settings',
};
/** Address variables (and slots) any entry point of the contract checks the caller against. */
export function authorityVariables(analysis: Analysis, profile: ContractProfile): Set<StateVariable> {
  const out = new Set<StateVariable>();
  for (const entry of profile.entries)
    for (const a of authoritiesOf(analysis, entry, profile.contract))
      if (a.variable && a.kind !== 'role') out.add(a.variable);
  return out;
}
/**
 * An escrow's `withdraw(payee)`: `deposits[payee] = 0; payee.transfer(payment)`. The payment goes
 * to the account whose own ledger entry the same call settles, so the key holder can only pay
 * people what they are owed, not take it (also through `payee.sendValue(payment)` one call down).
 */
function paysOwnEntry(analysis: Analysis, frames: Frame[], frame: Frame, call: CallSite): boolean {
  const paid = recipientOf(call);
  if (!paid) return false;
  const recipient = withoutConversions(paid, { analysis, fn: frame.fn });
  if (settlesEntryOf(analysis, frame.fn, recipient)) return true;
  // A parameter (`Address.sendValue(payee, x)`): the settled entry is in the caller one frame up.
  const index = recipient.type === 'Identifier' ? frame.fn.params.findIndex((p) => p.name === recipient!.name) : -1;
  if (index < 0) return false;
  for (const caller of frames) {
    const site = analysis.facts(caller.fn).calls.find((c) => c.targets.includes(frame.fn));
    if (!site) continue;
    const argument = argumentsFor(site, frame.fn)[index];
    return argument !== undefined && settlesEntryOf(analysis, caller.fn, argument);
  }
  return false;
}
/** `fn` writes a ledger entry keyed by `account` (`deposits[payee] = 0`). */
function settlesEntryOf(analysis: Analysis, fn: FunctionIR, account: Node): boolean {
  const key = sourceText(fn, account).replace(/\s+/g, '');
  return analysis.facts(fn).stateWrites.some((write) => {
    if (!isLedger(write.variable)) return false;
    const target = write.node.type === 'BinaryOperation' ? write.node.left : write.node.subExpression;
    return target?.type === 'IndexAccess' && sourceText(fn, target.index).replace(/\s+/g, '') === key;
  });
}
/** What a privileged entry point can do. */
export function powersOf(analysis: Analysis, profile: ContractProfile, entry: FunctionIR): Power[] {
  const out: Power[] = [];
  const program = analysis.program;
  const frames = framesOf(analysis, entry, profile.contract);
  for (const frame of frames) {
    const fn = frame.fn;
    for (const call of analysis.facts(fn).calls) {
      const at = frame.via ?? call.node;
      if (call.kind === 'selfdestruct') out.push({ kind: 'selfdestruct', node: at, fn });
      else if (sendsEther(call) && dottedName(call.value) !== 'msg.value') {
        if (!paysOwnEntry(analysis, frames, frame, call)) out.push({ kind: 'funds', node: at, fn });
      } else if (movesTokens(call, fn, program)) {
        const pulls =
          (call.name === 'transferFrom' || call.name === 'safeTransferFrom') &&
          callArguments(analysis, call, fn).some((a) => isSender(analysis, fn, a, frame.senderParams) || isSelf(a));
        if (!pulls) out.push({ kind: 'funds', node: at, fn });
      } else if (call.kind === 'external' && call.name === 'mint') out.push({ kind: 'mint', node: at, fn });
      if (
        (call.kind === 'low-level-call' || call.kind === 'delegatecall') &&
        call.receiver &&
        fromInput(analysis, frame, call.receiver) &&
        call.arguments[0] &&
        fromInput(analysis, frame, call.arguments[0])
      )
        out.push({ kind: 'call', node: at, fn });
    }
    for (const op of assemblyCalls(fn, new Set(['selfdestruct'])))
      out.push({ kind: 'selfdestruct', node: frame.via ?? op, fn });
  }
  const upgrade = upgradePower(analysis, entry, profile.implementations, profile.contract);
  if (upgrade) out.push({ kind: 'upgrade', node: upgrade.node, fn: upgrade.fn, external: upgrade.external });
  if (entry.mutability !== 'payable') {
    for (const [variable, writes] of ledgerWrites(analysis, entry)) {
      const credit = writes.find((w) => w.direction === 'credit');
      const debit = writes.find((w) => w.direction === 'debit');
      if (credit && !debit)
        out.push({ kind: 'mint', node: viaOf(frames, credit.fn) ?? credit.node, fn: credit.fn, variable });
      if (debit && !credit)
        out.push({ kind: 'burn', node: viaOf(frames, debit.fn) ?? debit.node, fn: debit.fn, variable });
    }
  }
  const authorities = authorityVariables(analysis, profile);
  for (const frame of frames) {
    for (const write of analysis.facts(frame.fn).stateWrites) {
      const at = frame.via ?? write.node;
      const variable = write.variable;
      if (profile.gates.has(variable)) out.push({ kind: 'pause', node: at, fn: frame.fn, variable });
      else if (authorities.has(variable)) out.push({ kind: 'admin', node: at, fn: frame.fn, variable });
      else if (!isLedger(variable) && !profile.implementations.has(variable))
        out.push({ kind: 'config', node: at, fn: frame.fn, variable });
    }
  }
  return out;
}
function viaOf(frames: Frame[], fn: FunctionIR): Node | undefined {
  return frames.find((f) => f.fn === fn)?.via;
}

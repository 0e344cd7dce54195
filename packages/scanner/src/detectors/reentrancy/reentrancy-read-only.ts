import {
  type Analysis,
  allFunctions,
  type FunctionIR,
  findAll,
  type Node,
  qualifiedName,
  type StateVariable,
} from '@bulwark/solidity';
import { writesAfter, writesBefore } from '../../analysis/callAccesses.ts';
import { callContexts, pathNote, writeRelated } from '../../analysis/callContexts.ts';
import { type ContextFinding, reportPlaced } from '../../analysis/exposures.ts';
import { entryPoints, handsOverControl } from '../../analysis/reenterable.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

export const reentrancyReadOnly = defineDetector({
  id: 'reentrancy-read-only',
  category: 'reentrancy',
  title: 'Read-only reentrancy: a view returns inconsistent state during an external call',
  impact: 'medium',
  confidence: 'low',
  description:
    'A function hands control to another contract after changing part of the state (or the ether balance) but before updating the rest. A public view combines both, so while the call runs it returns a value mixing new and stale state. A reentrancy lock does not help: views are not locked.',
  scenario:
    'remove_liquidity() sends ether before burning the LP tokens (Curve, 2022). In its fallback the attacker calls a lending protocol that prices collateral with get_virtual_price(): the pool balance has dropped but the supply has not, so the price is wrong and the attacker borrows against it.',
  recommendation:
    'Finish every state update before the external call. If that is impossible, make the view revert while the lock is held (check the reentrancy guard in the view).',
  swc: ['SWC-107'],
  owasp: ['SC05:2025', 'SC02:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    const found: ContextFinding[] = [];
    for (const entry of entryPoints(analysis, functions)) {
      const views = publicViews(allFunctions(entry.contract));
      if (views.length === 0) continue;
      const lockVariables = guardVariables(analysis, entry);
      for (const context of callContexts(analysis, entry)) {
        if (!handsOverControl(analysis, context)) continue;
        const late = writesAfter(analysis, context);
        if (late.length === 0) continue;
        const lateVariables = new Set(late.map((w) => w.variable));
        const fresh = new Set(writesBefore(analysis, context).map((w) => w.variable));
        const sendsEther = context.kind === 'eth';
        const affected: { view: FunctionIR; stale: StateVariable }[] = [];
        for (const view of views) {
          if (readsInCondition(analysis, view, lockVariables)) continue;
          const returned = returnedState(analysis, view);
          const stale = [...returned].find((v) => lateVariables.has(v));
          if (!stale) continue;
          const mixesFresh = [...returned].some((v) => fresh.has(v) && !lateVariables.has(v));
          if (mixesFresh || (sendsEther && readsOwnBalance(analysis, view))) affected.push({ view, stale });
        }
        if (affected.length === 0) continue;
        const { fn, call } = context;
        found.push({
          context,
          draft: {
            message: `${qualifiedName(fn)} hands control to another contract in \`${sourceText(fn, call.node)}\`${pathNote(context)} with ${affected[0].stale.name} not yet updated; during the call ${affected.map((a) => qualifiedName(a.view)).join(', ')} return${affected.length === 1 ? 's' : ''} a value mixing updated and stale state, which other protocols may trust.`,
            related: [
              ...writeRelated(late.filter((w) => affected.some((a) => a.stale === w.variable))),
              ...affected.slice(0, 2).map((a) => ({
                node: a.view.node,
                unit: a.view.contract.unit,
                message: `${qualifiedName(a.view)} returns ${a.stale.name}`,
              })),
            ],
          },
        });
      }
    }
    reportPlaced(found, report);
  },
});

function publicViews(functions: FunctionIR[]): FunctionIR[] {
  return functions.filter(
    (fn) =>
      fn.kind === 'function' &&
      fn.mutability === 'view' &&
      (fn.visibility === 'public' || fn.visibility === 'external') &&
      fn.returns.length > 0 &&
      Boolean(fn.body),
  );
}

/** State variables a view's return value is computed from. */
function returnedState(analysis: Analysis, view: FunctionIR): Set<StateVariable> {
  const out = new Set<StateVariable>();
  const add = (expression: Node | null | undefined) => {
    for (const source of analysis.taintOf(expression, view)) {
      if (!source.startsWith('state:')) continue;
      const variable = view.contract.linearized
        .flatMap((c) => c.stateVariables)
        .find((v) => v.name === source.slice(6));
      if (variable) out.add(variable);
    }
  };
  if (!view.body) return out;
  for (const statement of findAll(view.body, 'ReturnStatement')) add(statement.expression);
  for (const variable of view.returns) {
    if (!variable.name) continue;
    const identifier = { type: 'Identifier', name: variable.name } as Node;
    add(identifier);
  }
  return out;
}

/** `address(this).balance` read by the view or what it calls. */
function readsOwnBalance(analysis: Analysis, view: FunctionIR): boolean {
  return analysis
    .reachable(view)
    .some(
      (f) =>
        f.body &&
        findAll(
          f.body,
          (n) =>
            n.type === 'MemberAccess' &&
            n.memberName === 'balance' &&
            (n.expression?.type === 'Identifier'
              ? n.expression.name === 'this'
              : n.expression?.type === 'FunctionCall' && n.expression.arguments?.[0]?.name === 'this'),
        ).length > 0,
    );
}

/** State written by the reentrancy-guard modifiers of the contract (the lock flag). */
function guardVariables(analysis: Analysis, entry: FunctionIR): Set<StateVariable> {
  const out = new Set<StateVariable>();
  for (const fn of allFunctions(entry.contract)) {
    if (!analysis.hasReentrancyGuard(fn)) continue;
    for (const use of fn.modifiers)
      if (use.definition) for (const v of analysis.writesState(use.definition)) out.add(v);
  }
  return out;
}

/** Whether the view checks one of `variables` (e.g. reverts while the lock is held). */
function readsInCondition(analysis: Analysis, view: FunctionIR, variables: Set<StateVariable>): boolean {
  if (variables.size === 0) return false;
  const names = new Set([...variables].map((v) => `state:${v.name}`));
  return analysis
    .reachable(view)
    .some((f) => analysis.facts(f).conditions.some((c) => [...analysis.taintOf(c, f)].some((s) => names.has(s))));
}

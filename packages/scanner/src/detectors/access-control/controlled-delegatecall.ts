import {
  type Analysis,
  type FunctionIR,
  findAll,
  findStateVariable,
  type Node,
  qualifiedName,
  type TaintSource,
} from '@bulwark/solidity';
import { assemblyCalls } from '../../analysis/assembly.ts';
import { describeSources, isCallerControlled, readsStoredEntry } from '../../analysis/callerSources.ts';
import { isStateChangingEntry } from '../../analysis/entryPoints.ts';
import { argumentBehind, type Frame, framesOf, sourcesOf } from '../../analysis/frames.ts';
import { isGuarded } from '../../analysis/guards.ts';
import { oneTimeGuard } from '../../analysis/oneTimeGuard.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

const assemblyDelegates = new Set(['delegatecall', 'callcode']);

export const controlledDelegatecall = defineDetector({
  id: 'controlled-delegatecall',
  category: 'access-control',
  title: 'Delegatecall to an address the caller chooses',
  impact: 'high',
  confidence: 'medium',
  description:
    "A public function without access control runs delegatecall (or callcode) on a target, or with call data, that the caller supplies. Delegated code runs with this contract's storage and balance.",
  scenario:
    'An attacker deploys a contract whose function overwrites the owner slot or self-destructs, and passes its address; the delegatecall runs it in the context of the victim, which the attacker now controls.',
  recommendation:
    'Delegate only to trusted, fixed implementations (immutable or set by an authorised role), and restrict functions that take a target or call data to authorised callers.',
  swc: ['SWC-112'],
  owasp: ['SC01:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      if (!isStateChangingEntry(fn)) continue;
      const frames = framesOf(analysis, fn);
      // An initialiser's one-off delegatecall (Safe.setup) belongs to unprotected-initializer.
      if (isGuarded(analysis, fn) || oneTimeGuard(analysis, frames) || alwaysReverts(fn)) continue;
      for (const frame of frames) {
        const sites: { node: Node; target: Node | undefined; data: Node | undefined }[] = [];
        for (const call of analysis.facts(frame.fn).calls) {
          if (call.kind === 'delegatecall' || call.kind === 'callcode')
            sites.push({ node: call.node, target: call.receiver, data: call.arguments[0] });
        }
        for (const node of assemblyCalls(frame.fn, assemblyDelegates)) {
          const target = node.arguments?.[1];
          sites.push({ node, target: assemblyIdentifier(target), data: undefined });
        }
        for (const site of sites) {
          const targetSources = readsStoredEntry(analysis, frame.fn, site.target)
            ? []
            : controlled(analysis, frame, site.target);
          const dataSources = site.data ? controlled(analysis, frame, site.data) : [];
          const code = sourceText(frame.fn, site.node);
          const where = frame.fn !== fn ? ` in ${qualifiedName(frame.fn)}` : '';
          const related =
            frame.fn !== fn
              ? [
                  {
                    node: site.node,
                    unit: frame.fn.contract.unit,
                    message: `delegatecall in ${qualifiedName(frame.fn)}`,
                  },
                ]
              : [];
          if (targetSources.length > 0) {
            // Code that refuses to run except under delegatecall (Safe's accessors) acts for the
            // contract that delegates to it: only a proxy forwarding any call would expose it.
            const delegateOnly = delegatecallOnly(analysis, frames);
            report({
              node: frame.via ?? site.node,
              fn,
              message: `${qualifiedName(fn)} can be called by anyone and delegates to a target from ${describeSources(targetSources)} in \`${code}\`${where}; the caller's code would run with this contract's storage and balance${delegateOnly ? ' (it only runs under delegatecall, so the risk is in contracts that delegate to it)' : ''}.`,
              related,
              impact: delegateOnly ? 'low' : undefined,
              confidence: delegateOnly ? 'low' : undefined,
            });
          } else if (
            dataSources.length > 0 &&
            fn.kind === 'function' &&
            !targetsSelf(argumentBehind(frame, site.target).node) &&
            dataSources.some((s) => s !== 'msg.data')
          ) {
            // A fixed implementation with caller-chosen call data: a proxy outside the fallback,
            // dangerous when the implementation has functions that must not run in this context.
            report({
              node: frame.via ?? site.node,
              fn,
              message: `${qualifiedName(fn)} can be called by anyone and delegates with call data from ${describeSources(dataSources)} in \`${code}\`${where}; any function of the target runs with this contract's storage.`,
              related,
              impact: 'medium',
              confidence: 'low',
            });
          }
        }
      }
    }
  },
});

function controlled(analysis: Analysis, frame: Frame, node: Node | undefined): TaintSource[] {
  return [...sourcesOf(analysis, frame, node)].filter(isCallerControlled);
}

/** A plain identifier in assembly (`delegatecall(gas(), impl, ...)`) as a Solidity identifier. */
function assemblyIdentifier(node: Node | undefined): Node | undefined {
  if (node?.type === 'AssemblyCall' && (node.arguments ?? []).length === 0)
    return { type: 'Identifier', name: node.functionName };
  if (node?.type === 'Identifier') return node;
  return undefined;
}

function targetsSelf(target: Node | undefined): boolean {
  if (!target) return false;
  if (target.type === 'Identifier' && target.name === 'this') return true;
  return target.type === 'FunctionCall' && target.arguments?.length === 1 && targetsSelf(target.arguments[0]);
}

/** The last statement reverts unconditionally (Safe's simulateAndRevert): no state change survives. */
function alwaysReverts(fn: FunctionIR): boolean {
  const last = fn.body?.statements?.at(-1);
  if (!last) return false;
  if (last.type === 'RevertStatement' || last.type === 'ThrowStatement') return true;
  if (last.type === 'ExpressionStatement' && last.expression?.type === 'FunctionCall')
    return last.expression.expression?.type === 'Identifier' && last.expression.expression.name === 'revert';
  if (last.type === 'InlineAssemblyStatement')
    return (last.body?.operations ?? []).some((op: Node) => op.type === 'AssemblyCall' && op.functionName === 'revert');
  return false;
}

/** A condition `address(this) != self` (an immutable holding the deployed address): delegatecall-only code. */
function delegatecallOnly(analysis: Analysis, frames: Frame[]): boolean {
  return frames.some((frame) =>
    analysis.facts(frame.fn).conditions.some((condition) =>
      findAll(condition, (n) => n.type === 'BinaryOperation' && (n.operator === '!=' || n.operator === '==')).some(
        (comparison) => {
          const sides = [comparison.left, comparison.right];
          const self = sides.findIndex((side) => targetsSelf(side));
          if (self < 0) return false;
          const other = sides[1 - self];
          if (other?.type !== 'Identifier') return false;
          const variable = findStateVariable(frame.fn.contract, other.name);
          return Boolean(variable?.immutable);
        },
      ),
    ),
  );
}

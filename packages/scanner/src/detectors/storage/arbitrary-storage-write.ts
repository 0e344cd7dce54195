import {
  type Analysis,
  dottedName,
  type FunctionIR,
  findAll,
  type Node,
  qualifiedName,
  type StateVariable,
  type TaintSource,
} from '@bulwark/solidity';
import { assemblyCalls } from '../../analysis/assembly.ts';
import { describeSources, isCallerControlled } from '../../analysis/callerSources.ts';
import { isStateChangingEntry } from '../../analysis/entryPoints.ts';
import { type Frame, framesOf, sourcesOf } from '../../analysis/frames.ts';
import { isGuarded } from '../../analysis/guards.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { rootStateVariable } from '../../analysis/storage.ts';
import { defineDetector } from '../../detector.ts';

type LengthChange = { variable: StateVariable; node: Node; fn: FunctionIR; entry: FunctionIR };

export const arbitraryStorageWrite = defineDetector({
  id: 'arbitrary-storage-write',
  category: 'storage',
  title: 'Write to an arbitrary storage slot',
  impact: 'high',
  confidence: 'medium',
  description:
    'Anyone can write to a storage slot of their choosing: a dynamic array whose length anyone can underflow or set (before 0.6 `arr.length--` / `arr.length = n`) is written at a caller-chosen index, or inline assembly stores to a caller-chosen slot.',
  scenario:
    "An attacker shrinks an empty array so its length wraps to 2^256-1, then writes `arr[i]` with i chosen so that keccak(slot) + i lands on the owner's slot, and becomes the owner.",
  recommendation:
    'Never let users change an array length directly; use push/pop (0.6+), check `length > 0` before shrinking, and never sstore to a slot derived from user input.',
  swc: ['SWC-124'],
  owasp: ['SC01:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    const entries = functions.filter((fn) => isStateChangingEntry(fn));
    const open = new Map<FunctionIR, Frame[]>();
    for (const fn of entries) {
      const frames = framesOf(analysis, fn);
      if (!isGuarded(analysis, fn)) open.set(fn, frames);
    }
    // Length changes anyone can make, by array (name: the variable may be declared in a base).
    const changes = new Map<string, LengthChange>();
    for (const [entry, frames] of open) {
      for (const frame of frames) {
        for (const change of lengthChanges(analysis, frame, frames)) {
          if (!changes.has(change.variable.name)) changes.set(change.variable.name, { ...change, entry });
        }
      }
    }
    for (const [fn, frames] of open) {
      for (const frame of frames) {
        if (changes.size > 0) {
          for (const write of analysis.facts(frame.fn).stateWrites) {
            const change = changes.get(write.variable.name);
            if (!change) continue;
            const index = arrayIndex(analysis, frame.fn, write.node, write.variable);
            if (!index) continue;
            const sources = [...sourcesOf(analysis, frame, index)].filter(isCallerControlled);
            if (sources.length === 0) continue;
            report({
              node: frame.via ?? write.node,
              fn,
              message: `${qualifiedName(fn)} writes ${write.variable.name} at an index from ${describeSources(sources)} in \`${sourceText(frame.fn, write.node)}\`, and anyone can change its length (\`${sourceText(change.fn, change.node)}\` in ${qualifiedName(change.entry)}); with the length wrapped or inflated the index reaches any storage slot.`,
              related: [
                {
                  node: change.node,
                  unit: change.fn.contract.unit,
                  message: `length of ${write.variable.name} changed here`,
                },
              ],
            });
          }
        }
        for (const store of assemblyCalls(frame.fn, new Set(['sstore']))) {
          const slot = store.arguments?.[0];
          // A hashed slot (`keccak256(...)` on the way) is a mapping-style location: no collision to aim for.
          if (hashedSlot(frame, slot)) continue;
          const sources = [...assemblySources(analysis, frame, slot)].filter(isCallerControlled);
          if (sources.length === 0) continue;
          report({
            node: frame.via ?? store,
            fn,
            message: `${qualifiedName(fn)} can be called by anyone and stores to a slot from ${describeSources(sources)} in \`${sourceText(frame.fn, store)}\`; the caller can overwrite any state variable, the owner included.`,
          });
        }
      }
    }
  },
});

/** `arr.length--`, `arr.length -= n`, `arr.length = n` on a state array, without a check that it is not empty. */
function lengthChanges(analysis: Analysis, frame: Frame, frames: Frame[]): Omit<LengthChange, 'entry'>[] {
  const out: Omit<LengthChange, 'entry'>[] = [];
  if (!frame.fn.body) return out;
  for (const node of findAll(
    frame.fn.body,
    (n) =>
      (n.type === 'UnaryOperation' && n.operator === '--') ||
      (n.type === 'BinaryOperation' && (n.operator === '-=' || n.operator === '=')),
  )) {
    const target = node.type === 'UnaryOperation' ? node.subExpression : node.left;
    if (target?.type !== 'MemberAccess' || target.memberName !== 'length') continue;
    const variable = rootStateVariable(frame.fn, target.expression, analysis);
    if (variable?.type.kind !== 'array') continue;
    if (node.operator === '=') {
      // Setting the length: dangerous when the caller picks it.
      const sources = [...sourcesOf(analysis, frame, node.right)].filter(isCallerControlled);
      if (sources.length === 0) continue;
    } else if (checksNonEmpty(analysis, frames, variable)) continue;
    out.push({ variable, node, fn: frame.fn });
  }
  return out;
}

/** A condition bounding the length from below (`arr.length > 0`), not a tautology like `0 <= arr.length`. */
function checksNonEmpty(analysis: Analysis, frames: Frame[], variable: StateVariable): boolean {
  for (const frame of frames) {
    for (const condition of analysis.facts(frame.fn).conditions) {
      for (const comparison of findAll(condition, 'BinaryOperation')) {
        const isLength = (n: Node | undefined) =>
          n?.type === 'MemberAccess' &&
          n.memberName === 'length' &&
          rootStateVariable(frame.fn, n.expression, analysis) === variable;
        const zero = (n: Node | undefined) => n?.type === 'NumberLiteral' && Number(n.number) === 0;
        const op = comparison.operator;
        if (
          isLength(comparison.left) &&
          !(op === '>=' && zero(comparison.right)) &&
          ['>', '>=', '!=', '=='].includes(op)
        )
          return true;
        if (
          isLength(comparison.right) &&
          !(op === '<=' && zero(comparison.left)) &&
          ['<', '<=', '!=', '=='].includes(op)
        )
          return true;
      }
    }
  }
  return false;
}

/** The index of `arr[i] = v` / `arr[i].f = v` when `arr` is the written state array. */
function arrayIndex(analysis: Analysis, fn: FunctionIR, write: Node, variable: StateVariable): Node | undefined {
  if (variable.type.kind !== 'array') return undefined;
  let current: Node | undefined =
    write.type === 'BinaryOperation' ? write.left : write.type === 'UnaryOperation' ? write.subExpression : undefined;
  while (current && current.type !== 'IndexAccess')
    current = current.type === 'MemberAccess' ? current.expression : undefined;
  if (!current) return undefined;
  // The index applied to the array itself: walk down to the IndexAccess whose base is the variable.
  let access: Node = current;
  while (access.base?.type === 'IndexAccess') access = access.base;
  const base = access.base;
  if (base?.type !== 'Identifier' || dottedName(base) !== variable.name) return undefined;
  return rootStateVariable(fn, base, analysis) === variable ? access.index : undefined;
}

/** Taint of an assembly expression: identifiers naming Solidity variables, through assembly locals. */
function assemblySources(analysis: Analysis, frame: Frame, node: Node | undefined, depth = 0): Set<TaintSource> {
  const out = new Set<TaintSource>();
  if (!node || depth > 4) return out;
  if (node.type === 'AssemblyCall') {
    const name: string = node.functionName;
    if ((node.arguments ?? []).length === 0) {
      const local = findAll(frame.fn.body ?? { type: 'Block' }, 'AssemblyLocalDefinition').find((d) =>
        (d.names ?? []).some((n: Node) => n.name === name),
      );
      if (local?.expression) return assemblySources(analysis, frame, local.expression, depth + 1);
      for (const s of sourcesOf(analysis, frame, { type: 'Identifier', name })) out.add(s);
      return out;
    }
    if (name === 'calldataload') out.add('msg.data');
    for (const argument of node.arguments ?? [])
      for (const s of assemblySources(analysis, frame, argument, depth + 1)) out.add(s);
  }
  return out;
}

/** The slot expression goes through keccak256 (directly or via assembly locals). */
function hashedSlot(frame: Frame, node: Node | undefined, depth = 0): boolean {
  if (!node || depth > 4 || node.type !== 'AssemblyCall') return false;
  if (node.functionName === 'keccak256') return true;
  if ((node.arguments ?? []).length === 0) {
    const local = findAll(
      frame.fn.body ?? { type: 'Block' },
      (n) => n.type === 'AssemblyLocalDefinition' || n.type === 'AssemblyAssignment',
    ).filter((d) => (d.names ?? []).some((n: Node) => n.name === node.functionName));
    return local.some((d) => hashedSlot(frame, d.expression, depth + 1));
  }
  return (node.arguments ?? []).some((argument: Node) => hashedSlot(frame, argument, depth + 1));
}

import { isAddress, type Node, qualifiedName, walk, withoutConversions } from '@bulwark/solidity';
import { isExternallyCallable } from '../../analysis/entryPoints.ts';
import { type Frame, framesOf, sourcesOf } from '../../analysis/frames.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { storageKey } from '../../analysis/storage.ts';
import { defineDetector } from '../../detector.ts';

export const missingZeroCheck = defineDetector({
  id: 'missing-zero-check',
  category: 'access-control',
  title: 'Address parameter used without a zero check',
  impact: 'low',
  confidence: 'medium',
  description:
    'An address parameter is stored in a state variable or receives ether without any check on it. Passing the zero address (a default value from a broken front end or script) loses the role or the ether.',
  scenario:
    'An admin calls setOwner with an empty address field; the owner becomes address(0) and nobody can ever call the owner-only functions again. Or a withdrawal to address(0) burns the ether.',
  recommendation: 'Check the address before use: `require(newOwner != address(0))`.',
  swc: [],
  owasp: ['SC04:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      if (!isExternallyCallable(fn) && fn.kind !== 'constructor') continue;
      if (fn.mutability === 'view' || fn.mutability === 'pure') continue;
      const addressParams = fn.params.filter((p) => p.name && isAddress(p.type)).map((p) => p.name);
      if (addressParams.length === 0) continue;
      const frames = framesOf(analysis, fn);
      const checked = checkedParams(analysis, frames);
      for (const frame of frames) {
        const uses: { node: Node; what: string; value: Node }[] = [];
        for (const write of analysis.facts(frame.fn).stateWrites) {
          const node = write.node;
          // Whole-variable stores only: `owner = p`, `config.admin = p`, not `balances[p] = x`.
          if (node.type !== 'BinaryOperation' || node.operator !== '=' || !storageKey(analysis, frame.fn, node.left))
            continue;
          if (!isAddress(write.variable.type) && write.variable.type.kind !== 'user') continue;
          uses.push({ node, what: `stored in ${write.variable.name}`, value: node.right });
        }
        for (const call of analysis.facts(frame.fn).calls) {
          if (
            (call.kind === 'send' || call.kind === 'transfer' || call.kind === 'low-level-call') &&
            call.value &&
            call.receiver
          )
            uses.push({ node: call.node, what: 'sent ether', value: call.receiver });
        }
        for (const use of uses) {
          // The address itself (possibly converted), not something computed from it.
          if (withoutConversions(use.value, { analysis, fn: frame.fn }).type !== 'Identifier') continue;
          const params = [...sourcesOf(analysis, frame, use.value)]
            .filter((s) => s.startsWith('param:'))
            .map((s) => s.slice(6))
            .filter((name) => addressParams.includes(name) && !checked.has(name));
          for (const name of params) {
            report({
              node: frame.via ?? use.node,
              fn,
              message: `${qualifiedName(fn)}: address parameter ${name} is ${use.what} in \`${sourceText(frame.fn, use.node)}\` without a zero-address check.`,
            });
          }
        }
      }
    }
  },
});

/** Parameters some condition on the way looks at (`require(p != address(0))`, `if (p == owner)`). */
function checkedParams(analysis: Parameters<typeof framesOf>[0], frames: Frame[]): Set<string> {
  const out = new Set<string>();
  for (const frame of frames) {
    for (const condition of analysis.facts(frame.fn).conditions)
      for (const s of sourcesOf(analysis, frame, condition)) if (s.startsWith('param:')) out.add(s.slice(6));
    // `if (p == address(0)) revert` is a condition too; assembly `iszero(p)` checks as well.
    if (frame.fn.body)
      walk(frame.fn.body, (n) => {
        if (n.type === 'AssemblyCall' && n.functionName === 'iszero') {
          const arg = n.arguments?.[0];
          if (arg?.type === 'AssemblyCall' && frame.bindings.has(arg.functionName))
            for (const s of frame.bindings.get(arg.functionName)!) if (s.startsWith('param:')) out.add(s.slice(6));
        }
        return undefined;
      });
  }
  return out;
}

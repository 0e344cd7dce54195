import type { Node } from '@bulwark/solidity';
import { dottedName, qualifiedName, walk } from '@bulwark/solidity';
import { defineDetector } from '../../detector.ts';

/** Deprecated form → what replaces it. */
const replacements = {
  suicide: 'selfdestruct',
  sha3: 'keccak256',
  throw: 'revert()',
  callcode: 'delegatecall',
  'block.blockhash': 'blockhash()',
  'msg.gas': 'gasleft()',
  constant: 'view or pure',
  var: 'an explicit type',
} as const;

export const deprecatedConstructs = defineDetector({
  id: 'deprecated-constructs',
  category: 'legacy',
  title: 'Deprecated Solidity construct',
  impact: 'informational',
  confidence: 'high',
  description:
    'The code uses constructs that later compilers removed: suicide, sha3, throw, callcode, block.blockhash, msg.gas, `constant` functions and `var` declarations. Some carry their own risks (`var` infers the smallest integer type, callcode runs code with the wrong msg.sender), and all keep the code on an old compiler.',
  scenario:
    '`for (var i = 0; i < players.length; i++)` infers `uint8` for i; with 256 players the loop never ends and the function can no longer be called.',
  recommendation:
    'Replace suicide with selfdestruct, sha3 with keccak256, throw with revert(), callcode with delegatecall, block.blockhash with blockhash, msg.gas with gasleft(), `constant` with view/pure and `var` with explicit types, then move to a current compiler.',
  swc: ['SWC-111'],
  owasp: [],
  control: 'SBD-07',
  detect({ functions, report }) {
    for (const fn of functions) {
      const source = fn.contract.unit.source;
      const where = `${qualifiedName(fn)}`;
      const flag = (node: Node, construct: keyof typeof replacements, extra = '') =>
        report({
          node,
          fn,
          message: `${where} uses the deprecated \`${construct}\`${extra}; use ${replacements[construct]}.`,
        });
      if (fn.node.stateMutability === 'constant' && fn.kind !== 'modifier') {
        const end = fn.body?.range ? fn.body.range[0] - 1 : fn.node.range?.[1];
        const header: Node = { type: 'FunctionHeader', range: [fn.node.range?.[0] ?? 0, end ?? 0] };
        flag(header, 'constant', ' function modifier');
      }
      if (!fn.body) continue;
      walk(fn.body, (node) => {
        if (node.type === 'ThrowStatement') flag(node, 'throw');
        else if (node.type === 'FunctionCall') {
          const callee = node.expression;
          if (callee?.type === 'Identifier' && (callee.name === 'suicide' || callee.name === 'sha3'))
            flag(node, callee.name);
          else if (dottedName(callee) === 'block.blockhash') flag(node, 'block.blockhash');
          else if (callee?.type === 'MemberAccess' && callee.memberName === 'callcode') flag(node, 'callcode');
        } else if (node.type === 'MemberAccess' && dottedName(node) === 'msg.gas') flag(node, 'msg.gas');
        else if (node.type === 'VariableDeclarationStatement') {
          // The parser gives `var` as a pseudo elementary type (older versions: no type at all).
          const untyped = (node.variables ?? []).some(
            (v: Node | null) => v && (!v.typeName || v.typeName.name === 'var'),
          );
          if (untyped) flag(node, 'var', ` in \`${source.textOf(node).split('\n')[0]}\``);
        }
        return undefined;
      });
    }
  },
});

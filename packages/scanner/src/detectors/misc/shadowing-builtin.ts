import { type FunctionIR, findAll, type Node } from '@bulwark/solidity';
import { scannedUnits } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

/** Globally available Solidity symbols a declaration can hide. */
const builtins = new Set([
  'abi',
  'addmod',
  'assert',
  'block',
  'blockhash',
  'ecrecover',
  'gasleft',
  'keccak256',
  'msg',
  'mulmod',
  'now',
  'require',
  'revert',
  'ripemd160',
  'selfdestruct',
  'sha256',
  'sha3',
  'suicide',
  'this',
  'tx',
  'type',
]);

export const shadowingBuiltin = defineDetector({
  id: 'shadowing-builtin',
  category: 'misc',
  title: 'Declaration shadows a built-in symbol',
  impact: 'low',
  confidence: 'high',
  description:
    'A variable, function, modifier or event is named like a Solidity built-in (now, assert, require, sha3, msg, ...). Inside its scope the name no longer means the built-in.',
  scenario:
    'A contract declares `function assert(bool) internal {}` or `uint now`; later code that relies on assert() reverting, or on `now` being the block time, silently does something else, and reviewers read it as the built-in.',
  recommendation: 'Rename the declaration so it does not reuse a built-in name.',
  swc: ['SWC-119'],
  owasp: ['SC03:2025'],
  control: 'SBD-07',
  detect({ contracts, functions, report }) {
    const byNode = new Map<Node, FunctionIR>();
    for (const fn of functions) byNode.set(fn.node, fn);
    for (const unit of scannedUnits(contracts, functions)) {
      for (const contract of unit.contracts) {
        for (const variable of contract.stateVariables) {
          if (!builtins.has(variable.name)) continue;
          report({
            node: variable.node,
            contract,
            message: `State variable ${contract.name}.${variable.name} shadows the built-in \`${variable.name}\`.`,
          });
        }
        for (const sub of contract.node.subNodes ?? []) {
          if (
            (sub.type === 'FunctionDefinition' ||
              sub.type === 'ModifierDefinition' ||
              sub.type === 'EventDefinition') &&
            builtins.has(sub.name)
          ) {
            const kind =
              sub.type === 'FunctionDefinition' ? 'Function' : sub.type === 'ModifierDefinition' ? 'Modifier' : 'Event';
            report({
              node: nameNode(sub, unit.source.content),
              contract,
              message: `${kind} ${contract.name}.${sub.name} shadows the built-in \`${sub.name}\`.`,
            });
          }
        }
      }
      for (const fn of [...unit.contracts.flatMap((c) => [...c.functions, ...c.modifiers]), ...unit.freeFunctions]) {
        const declarations = [
          ...fn.params.map((p) => p.node),
          ...fn.returns.map((r) => r.node),
          ...(fn.body ? findAll(fn.body, (n) => n.type === 'VariableDeclaration' && !n.isStateVar) : []),
        ];
        for (const declaration of declarations) {
          if (!declaration?.name || !builtins.has(declaration.name)) continue;
          report({
            node: declaration,
            fn: byNode.get(fn.node) ?? fn,
            message: `Local variable \`${declaration.name}\` in ${fn.contract.name}.${fn.name || fn.kind} shadows the built-in \`${declaration.name}\`.`,
          });
        }
      }
    }
  },
});

/** The declaration's name, found after its keyword: a whole function is too large a location. */
function nameNode(declaration: Node, text: string): Node {
  const [start, end] = declaration.range ?? [0, 0];
  const match = new RegExp(`\\b${declaration.name}\\b`).exec(text.slice(start, end + 1));
  if (!match) return { type: 'DeclarationName', range: [start, start] };
  return { type: 'DeclarationName', range: [start + match.index, start + match.index + declaration.name.length - 1] };
}

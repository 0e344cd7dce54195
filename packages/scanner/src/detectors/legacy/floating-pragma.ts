import type { Node } from '@bulwark/solidity';
import { defineDetector } from '../../detector.ts';

export const floatingPragma = defineDetector({
  id: 'floating-pragma',
  category: 'legacy',
  title: 'Floating compiler version',
  impact: 'informational',
  confidence: 'high',
  description:
    'A deployable contract accepts a range of compiler versions (`^0.8.0`, `>=0.7.0`). What was tested and audited may not be what gets deployed: another compiler version can change code generation or carry different known bugs.',
  scenario:
    'Tests ran with solc 0.8.19; the deployment pipeline picks 0.8.13, which has a known optimizer bug affecting inline assembly, and the deployed bytecode misbehaves.',
  recommendation:
    'Pin the compiler version of contracts you deploy (`pragma solidity 0.8.24;`); keep ranges for libraries meant to be imported.',
  swc: ['SWC-103'],
  owasp: [],
  control: 'SBD-07',
  detect({ contracts, report }) {
    const seen = new Set<unknown>();
    for (const contract of contracts) {
      const unit = contract.unit;
      // Libraries, interfaces and abstract contracts are imported, not deployed on their own.
      if (contract.kind !== 'contract' || seen.has(unit)) continue;
      seen.add(unit);
      for (const pragma of pragmaNodes(unit.ast)) {
        const value = String(pragma.value);
        if (!/[\^~><]|\|\||\*|x/i.test(value)) continue;
        report({
          node: pragma,
          unit,
          contract,
          message: `${unit.file.split('/').pop()} declares \`pragma solidity ${value}\` for the deployable contract ${contract.name}: pin the exact compiler version that was tested.`,
        });
      }
    }
  },
});

function pragmaNodes(ast: Node): Node[] {
  return (ast.children ?? []).filter((n: Node) => n.type === 'PragmaDirective' && n.name === 'solidity');
}

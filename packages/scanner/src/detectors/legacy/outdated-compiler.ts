import { lowestCompilerVersion, type Node } from '@bulwark/solidity';
import { defineDetector } from '../../detector.ts';

export const outdatedCompiler = defineDetector({
  id: 'outdated-compiler',
  category: 'legacy',
  title: 'Outdated compiler version',
  impact: 'informational',
  confidence: 'high',
  description:
    'The code can be compiled with a Solidity version older than 0.8.0. Those compilers do not check arithmetic for overflow, and many carry known code-generation bugs fixed since.',
  scenario:
    'A token compiled with 0.4.24 relies on developers remembering SafeMath; one raw `+=` in a rarely used function lets an attacker overflow a balance.',
  recommendation: 'Move to a maintained 0.8.x compiler and pin it; review the code for behaviour changes on the way.',
  swc: ['SWC-102'],
  owasp: [],
  control: 'SBD-07',
  detect({ contracts, report }) {
    const seen = new Set<unknown>();
    for (const contract of contracts) {
      const unit = contract.unit;
      if (seen.has(unit)) continue;
      seen.add(unit);
      const lowest = lowestCompilerVersion(unit);
      if (!lowest || lowest[0] > 0 || lowest[1] >= 8) continue;
      const pragma = (unit.ast.children ?? []).find((n: Node) => n.type === 'PragmaDirective' && n.name === 'solidity');
      if (!pragma) continue;
      report({
        node: pragma,
        unit,
        contract,
        message: `${unit.file.split('/').pop()} admits Solidity ${lowest.join('.')} (\`pragma solidity ${pragma.value}\`): compilers before 0.8.0 do not check arithmetic and have known bugs.`,
      });
    }
  },
});

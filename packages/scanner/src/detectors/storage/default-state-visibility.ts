import { defineDetector } from '../../detector.ts';

export const defaultStateVisibility = defineDetector({
  id: 'default-state-visibility',
  category: 'storage',
  title: 'State variable without an explicit visibility',
  impact: 'informational',
  confidence: 'high',
  description:
    'A state variable has no visibility keyword and is internal by default. Readers cannot tell whether internal was meant or public was forgotten (or the reverse, a belief that the value is secret).',
  scenario:
    'A developer assumes an undecorated variable is private and stores a secret in it; every storage slot is public on chain regardless.',
  recommendation: 'State the visibility of every state variable (internal, private or public).',
  // SWC-108 names this style point, but an informational finding is no weakness: tagging it with a
  // weakness class counted it among the vulnerabilities in every report that groups by class.
  swc: [],
  owasp: [],
  control: 'SBD-07',
  detect({ contracts, report }) {
    for (const contract of contracts) {
      for (const variable of contract.stateVariables) {
        if (variable.explicitVisibility || variable.constant) continue;
        report({
          node: variable.node,
          contract,
          message: `${contract.name}.${variable.name} has no visibility keyword and is internal by default.`,
        });
      }
    }
  },
});

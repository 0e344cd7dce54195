import { defineDetector } from '../../detector.ts';

export const stateVariableShadowing = defineDetector({
  id: 'state-variable-shadowing',
  category: 'storage',
  title: 'State variable shadows one of a base contract',
  impact: 'medium',
  confidence: 'high',
  description:
    "A contract declares a state variable with the same name as one in a base contract (allowed before Solidity 0.6). There are then two variables: the base's functions read and write the base's copy, the derived contract's functions its own.",
  scenario:
    "A derived contract redeclares `owner` and sets it in its constructor. The base's onlyOwner modifier reads the base's `owner`, which is never set, so the owner is locked out of the base's functions, or an unset base variable lets the wrong caller through.",
  recommendation: "Remove the redeclaration and assign the base's variable (in the constructor if need be).",
  swc: ['SWC-119'],
  owasp: ['SC03:2025'],
  control: 'SBD-07',
  detect({ contracts, report }) {
    for (const contract of contracts) {
      for (const variable of contract.stateVariables) {
        for (const base of contract.linearized.slice(1)) {
          const shadowed = base.stateVariables.find((v) => v.name === variable.name);
          // A private base variable is invisible to the derived contract: a separate variable by design.
          if (!shadowed || shadowed.visibility === 'private') continue;
          const bothConstant = variable.constant && shadowed.constant;
          report({
            node: variable.node,
            contract,
            message: `${contract.name}.${variable.name} shadows ${base.name}.${variable.name}: functions of ${base.name} use their own copy, so the two drift apart.`,
            related: [{ node: shadowed.node, unit: base.unit, message: `${base.name}.${variable.name} declared here` }],
            // Two constants cannot drift at run time, but base code still sees the base's value.
            impact: bothConstant ? 'low' : undefined,
          });
          break;
        }
      }
    }
  },
});

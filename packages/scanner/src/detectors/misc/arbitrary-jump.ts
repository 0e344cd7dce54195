import { type Analysis, type FunctionIR, findAll, type Node, qualifiedName } from '@bulwark/solidity';
import { shortSourceText } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

export const arbitraryJump = defineDetector({
  id: 'arbitrary-jump',
  category: 'misc',
  title: 'Function-type variable set from user input in assembly',
  impact: 'high',
  confidence: 'medium',
  description:
    'Inline assembly assigns a value derived from a parameter or calldata to a function-type variable, which the code then calls. The call jumps to whatever code offset the caller supplied.',
  scenario:
    'An attacker passes a crafted number that points into the middle of another function, past its access-control check, and jumps straight to the code that transfers ownership or funds.',
  recommendation:
    'Never build function pointers from user input in assembly; dispatch with an explicit if/else or a mapping to known functions.',
  swc: ['SWC-127'],
  owasp: ['SC04:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      if (!fn.body) continue;
      const pointers = functionVariables(fn, analysis);
      if (pointers.size === 0) continue;
      for (const block of findAll(fn.body, 'InlineAssemblyStatement')) {
        for (const assignment of findAll(
          block,
          (n) => n.type === 'AssemblyAssignment' || n.type === 'AssemblyLocalDefinition',
        )) {
          const names: string[] = (assignment.names ?? [])
            .map((n: Node) => n.name ?? n.expression?.name)
            .filter(Boolean);
          const target = names.find((n) => pointers.has(n));
          if (!target || !assignment.expression || !fromInput(assignment.expression, fn)) continue;
          report({
            node: assignment,
            fn,
            message: `${qualifiedName(fn)} sets the function pointer \`${target}\` from caller input in \`${shortSourceText(fn, assignment)}\`; calling it jumps to an attacker-chosen code offset.`,
          });
        }
      }
    }
  },
});

function functionVariables(fn: FunctionIR, analysis: Analysis): Set<string> {
  const out = new Set<string>();
  for (const [name, local] of analysis.facts(fn).locals) if (local.type.kind === 'function') out.add(name);
  for (const c of fn.contract.linearized)
    for (const v of c.stateVariables) if (v.type.kind === 'function') out.add(v.name);
  return out;
}

/** Assembly expression reading a parameter, calldata, or memory/storage at a parameter-controlled place. */
function fromInput(expression: Node, fn: FunctionIR): boolean {
  // Casting one function pointer to another function type keeps a valid target.
  const params = new Set(fn.params.filter((p) => p.type.kind !== 'function').map((p) => p.name));
  return (
    findAll(
      expression,
      (n) =>
        n.type === 'AssemblyCall' &&
        ((n.arguments.length === 0 && params.has(n.functionName)) ||
          n.functionName === 'calldataload' ||
          n.functionName === 'calldatacopy'),
    ).length > 0
  );
}

import {
  type Analysis,
  allFunctions,
  allStateVariables,
  type Contract,
  type FunctionIR,
  findAll,
  isAddress,
  qualifiedName,
  type StateVariable,
} from '@bulwark/solidity';
import { storageKey, writeTargets } from '../../analysis/storage.ts';
import { defineDetector } from '../../detector.ts';

export const uninitializedStateVariable = defineDetector({
  id: 'uninitialized-state-variable',
  category: 'storage',
  title: 'State variable read but never set',
  impact: 'medium',
  confidence: 'medium',
  description:
    'A state variable has no initial value and nothing in the contract or its bases ever assigns it, yet functions read it. It is always zero: an address that is zero receives (burns) ether or is called to no effect, a zero limit blocks or unblocks everything.',
  scenario:
    'A fee splitter sends a share to `treasury`, which no code ever sets; every payment sends that share to address(0) and it is lost.',
  recommendation:
    'Initialise the variable (in its declaration or the constructor) or remove it; make it immutable or constant where it never changes.',
  swc: [],
  owasp: ['SC03:2025'],
  control: 'SBD-07',
  detect({ contracts, program, analysis, report }) {
    const inherited = new Set(program.contracts.flatMap((c) => c.linearized.slice(1)));
    const reported = new Set<StateVariable>();
    for (const contract of contracts) {
      if (contract.kind !== 'contract' || inherited.has(contract) || contract.unresolvedBases.length > 0) continue;
      const code = functionsOf(analysis, contract);
      // Assembly can write any slot (`sstore`, `x.slot`): do not guess.
      if (
        code.some(
          (fn) =>
            fn.body && findAll(fn.body, (n) => n.type === 'AssemblyCall' && n.functionName === 'sstore').length > 0,
        )
      )
        continue;
      const written = new Set<string>();
      for (const fn of code) {
        for (const write of analysis.facts(fn).stateWrites) written.add(write.variable.name);
        for (const target of writeTargets(fn)) {
          const key = storageKey(analysis, fn, target);
          if (key?.startsWith('state:')) written.add(key.slice(6).split('.')[0]);
        }
      }
      for (const variable of allStateVariables(contract)) {
        if (reported.has(variable) || variable.constant || variable.immutable || variable.initialValue) continue;
        if (variable.type.kind !== 'elementary' && variable.type.kind !== 'user') continue;
        if (variable.type.kind === 'user' && !program.contract(variable.type.name, contract.unit)) continue;
        if (written.has(variable.name)) continue;
        const reads = code.flatMap((fn) =>
          analysis
            .facts(fn)
            .stateReads.filter((r) => r.variable === variable)
            .map((r) => ({ ...r, fn })),
        );
        if (reads.length === 0) continue;
        // Worst use: a destination of ether or of a call.
        const asDestination = reads.find((r) =>
          analysis.facts(r.fn).calls.some((call) => call.receiver !== undefined && contains(call.receiver, r.node)),
        );
        reported.add(variable);
        const use = asDestination ?? reads[0];
        report({
          node: variable.node,
          contract: variable.contract,
          message: `${variable.contract.name}.${variable.name} is never assigned in ${contract.name} or its bases but is read in ${qualifiedName(use.fn)}${asDestination ? ' as the target of a call or transfer' : ''}; it is always ${isAddress(variable.type) || variable.type.kind === 'user' ? 'address(0)' : 'zero'}.`,
          related: [{ node: use.node, unit: use.fn.contract.unit, message: `${variable.name} read here` }],
          impact: asDestination ? undefined : 'low',
        });
      }
    }
  },
});

function functionsOf(analysis: Analysis, contract: Contract): FunctionIR[] {
  const out = new Set<FunctionIR>();
  for (const c of contract.linearized) {
    for (const fn of [...c.functions, ...c.modifiers]) for (const f of analysis.reachable(fn)) out.add(f);
  }
  for (const fn of allFunctions(contract)) out.add(fn);
  return [...out];
}

function contains(outer: { range?: [number, number] }, inner: { range?: [number, number] }): boolean {
  const [a, b] = outer.range ?? [0, -1];
  const [c, d] = inner.range ?? [0, -1];
  return a <= c && d <= b;
}

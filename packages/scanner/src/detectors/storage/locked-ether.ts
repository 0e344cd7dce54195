import { type Analysis, allFunctions, type Contract, type FunctionIR, findAll } from '@bulwark/solidity';
import { displayName } from '../../analysis/contractProfile.ts';
import { isConcrete } from '../../analysis/contracts.ts';
import { functionHeader } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

/** Assembly that can move ether or run foreign code in this context. */
const assemblyOut = new Set(['call', 'callcode', 'delegatecall', 'create', 'create2', 'selfdestruct', 'suicide']);

export const lockedEther = defineDetector({
  id: 'locked-ether',
  category: 'storage',
  title: 'Contract accepts ether but cannot send it',
  impact: 'medium',
  confidence: 'high',
  description:
    'The contract has a payable function (or a payable receive/fallback), but no code in it or its bases sends ether out: no transfer, send, call with value, selfdestruct, delegatecall or value-moving assembly. Ether sent to it is stuck for good.',
  scenario:
    'Users pay a fee through the payable function; the team later finds there is no way to withdraw it, and the ether stays locked in the contract forever.',
  recommendation:
    'Add an (access-controlled) withdrawal function, or remove `payable` if the contract should not receive ether.',
  swc: [],
  owasp: ['SC03:2025'],
  control: 'SBD-07',
  detect({ contracts, program, analysis, report }) {
    const inherited = new Set(program.contracts.flatMap((c) => c.linearized.slice(1)));
    for (const contract of contracts) {
      if (!isConcrete(contract) || inherited.has(contract) || contract.unresolvedBases.length > 0) continue;
      const callable = allFunctions(contract);
      const payable = callable.filter((fn) => fn.mutability === 'payable' && fn.kind !== 'constructor');
      if (payable.length === 0) continue;
      if (canSendEther(analysis, contract, callable)) continue;
      const first = payable[0];
      report({
        node: functionHeader(first),
        fn: first,
        contract,
        onlyIfDeployed: contract,
        unit: first.contract.unit,
        message: `${contract.name} accepts ether through ${payable.map(displayName).join(', ')} but has no way to send it out (no transfer, send, call with value or selfdestruct); ether it receives is locked.`,
      });
    }
  },
});

function canSendEther(analysis: Analysis, contract: Contract, callable: FunctionIR[]): boolean {
  const all = new Set<FunctionIR>();
  for (const fn of callable) for (const f of analysis.reachable(fn)) all.add(f);
  // Base constructors run at deployment too.
  for (const c of contract.linearized) for (const fn of c.functions) if (fn.kind === 'constructor') all.add(fn);
  for (const fn of all) {
    for (const call of analysis.facts(fn).calls) {
      if (call.kind === 'selfdestruct' || call.kind === 'delegatecall' || call.kind === 'callcode') return true;
      if (call.kind === 'send' || call.kind === 'transfer') return true;
      if ((call.kind === 'low-level-call' || call.kind === 'external' || call.kind === 'new') && call.value)
        return true;
      // A library or unknown internal callee we cannot see may send.
      if ((call.kind === 'library' || call.kind === 'internal') && call.targets.length === 0 && call.name !== '') {
        if (!isKnownBuiltin(call.name)) return true;
      }
    }
    if (fn.body && findAll(fn.body, (n) => n.type === 'AssemblyCall' && assemblyOut.has(n.functionName)).length > 0)
      return true;
  }
  return false;
}

function isKnownBuiltin(name: string): boolean {
  return ['require', 'assert', 'revert', 'emit', 'push', 'pop'].includes(name);
}

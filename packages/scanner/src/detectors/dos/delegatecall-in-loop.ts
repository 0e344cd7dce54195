import { allFunctions, dottedName, type FunctionIR, findAll, qualifiedName } from '@bulwark/solidity';
import { callContexts } from '../../analysis/callContexts.ts';
import { entryPoints, runsInLoop } from '../../analysis/reenterable.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

export const delegatecallInLoop = defineDetector({
  id: 'delegatecall-in-loop',
  category: 'dos',
  title: 'delegatecall inside a loop of a payable function',
  impact: 'high',
  confidence: 'medium',
  description:
    'A payable function delegatecalls in a loop (a multicall). Each delegated call runs with the same msg.value, so a function of this contract that credits msg.value credits the single payment once per call in the batch.',
  scenario:
    'multicall([deposit(), deposit(), deposit()]) with 1 ether: each delegated deposit() sees msg.value = 1 ether and credits it, so the attacker is credited 3 ether for 1 (the Sushi MISO and Uniswap multicall issues).',
  recommendation:
    'Make the multicall non-payable, or have payable functions track the ether already used in the transaction instead of reading msg.value.',
  swc: ['SWC-112'],
  owasp: ['SC03:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const entry of entryPoints(analysis, functions)) {
      if (entry.mutability !== 'payable') continue;
      for (const context of callContexts(analysis, entry)) {
        const { fn, call } = context;
        if (call.kind !== 'delegatecall' || !runsInLoop(context)) continue;
        const receiver = call.receiver ? sourceText(fn, call.receiver).replace(/\s/g, '') : '';
        const toSelf = receiver === 'this' || receiver === 'address(this)' || dottedName(call.receiver) === 'this';
        const readers = valueReaders(entry);
        // Reusing msg.value matters only if the delegated code reads it.
        if (toSelf && readers.length === 0) continue;
        report({
          node: call.node,
          fn,
          // Foreign code: whether it reads msg.value is unknown here.
          ...(toSelf ? {} : { confidence: 'low' as const }),
          message: `${qualifiedName(entry)} is payable and runs \`${sourceText(fn, call.node)}\` in a loop; every delegated call sees the same msg.value${readers.length > 0 ? ` (${readers.slice(0, 3).map(qualifiedName).join(', ')} read${readers.length === 1 ? 's' : ''} it)` : ''}, so one payment can be spent once per call.`,
        });
      }
    }
  },
});

/** Payable functions of the contract, other than `entry`, that read msg.value. */
function valueReaders(entry: FunctionIR): FunctionIR[] {
  return allFunctions(entry.contract).filter(
    (f) =>
      f !== entry &&
      f.mutability === 'payable' &&
      Boolean(f.body) &&
      findAll(f.body!, (n) => n.type === 'MemberAccess' && dottedName(n) === 'msg.value').length > 0,
  );
}

import { type Analysis, dottedName, type FunctionIR, findAll, type Node, qualifiedName } from '@bulwark/solidity';
import { sourceText } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

const loopTypes = new Set(['ForStatement', 'WhileStatement', 'DoWhileStatement']);

export const msgValueInLoop = defineDetector({
  id: 'msg-value-in-loop',
  category: 'dos',
  title: 'msg.value used inside a loop',
  impact: 'high',
  confidence: 'medium',
  description:
    'msg.value is read on every iteration of a loop (directly or in a function the loop calls). The ether arrived once, but each iteration treats it as fresh: the same payment is counted several times.',
  scenario:
    'batchBuy() checks `msg.value >= price` and credits a purchase inside a loop over ids. The attacker pays for one item and passes ten ids: every iteration sees the same msg.value and all ten are credited (Opyn, 2020).',
  recommendation:
    'Read msg.value once before the loop, and decrease a local "remaining" amount as each iteration spends it; or require msg.value to equal the total computed over the loop.',
  swc: [],
  owasp: ['SC03:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      if (!fn.body || !canReceiveValue(fn)) continue;
      const facts = analysis.facts(fn);
      for (const use of findAll(fn.body, (n) => n.type === 'MemberAccess' && dottedName(n) === 'msg.value')) {
        if (!analysis.ancestors(use, facts).some((a) => loopTypes.has(a.type))) continue;
        report({
          node: use,
          fn,
          message: `${qualifiedName(fn)} reads msg.value inside a loop, in \`${sourceText(fn, statementText(analysis, fn, use))}\`; every iteration sees the full amount that arrived once, so one payment can be counted many times.`,
        });
      }
      for (const call of facts.calls) {
        if (!call.inLoop || (call.kind !== 'internal' && call.kind !== 'library')) continue;
        const reader = call.targets.flatMap((t) => analysis.reachable(t)).find((f) => readsMsgValue(f));
        if (!reader) continue;
        report({
          node: call.node,
          fn,
          message: `${qualifiedName(fn)} calls \`${sourceText(fn, call.node)}\` inside a loop, and ${qualifiedName(reader)} reads msg.value; every iteration sees the full amount that arrived once, so one payment can be counted many times.`,
        });
      }
    }
  },
});

/** Payable entry points, and internal functions (a payable one may call them). */
function canReceiveValue(fn: FunctionIR): boolean {
  if (fn.kind === 'modifier') return false;
  if (fn.visibility === 'internal' || fn.visibility === 'private')
    return fn.mutability !== 'view' && fn.mutability !== 'pure';
  return fn.mutability === 'payable';
}

function readsMsgValue(fn: FunctionIR): boolean {
  return (
    Boolean(fn.body) && findAll(fn.body!, (n) => n.type === 'MemberAccess' && dottedName(n) === 'msg.value').length > 0
  );
}

function statementText(analysis: Analysis, fn: FunctionIR, node: Node): Node {
  return analysis.statementOf(node, analysis.facts(fn))?.ast ?? node;
}

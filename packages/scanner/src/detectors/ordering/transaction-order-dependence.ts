import type { Analysis, FunctionIR, Node, StateVariable } from '@bulwark/solidity';
import { allFunctions, convertedValue, dottedName, findStateVariable, walk } from '@bulwark/solidity';
import { unparen } from '../../analysis/expressions.ts';
import { isGuarded } from '../../analysis/guards.ts';
import { valueTransfers } from '../../analysis/valueTransfers.ts';
import { defineDetector, type FindingDraft } from '../../detector.ts';

const hashFunctions = new Set(['keccak256', 'sha3', 'sha256', 'ripemd160']);

export const transactionOrderDependence = defineDetector({
  id: 'transaction-order-dependence',
  category: 'ordering',
  title: 'Transaction order dependence (front-running)',
  impact: 'medium',
  confidence: 'medium',
  description:
    'Who is paid, or how much, depends on state that another transaction can change first: a recipient any caller can overwrite, an amount another function resets, or a reward paid to whoever first submits a solution that travels in the public mempool.',
  scenario:
    'A puzzle pays whoever submits the preimage of a hash. The solver broadcasts the answer; a bot copies it from the mempool with a higher gas price, its transaction is mined first and takes the reward. Likewise an owner can lower `reward` while a claim is pending.',
  recommendation:
    'Use commit-reveal (commit a hash bound to msg.sender, reveal later), bind solutions to the sender, and let claimers state the amount they expect (`require(reward == expected)`), or lock parameters while claims are open.',
  swc: ['SWC-114'],
  owasp: ['SC03:2025'],
  control: 'SBD-07',
  detect({ contracts, analysis, report }) {
    const reported = new Set<Node>();
    const emit = (draft: FindingDraft) => {
      if (reported.has(draft.node)) return;
      reported.add(draft.node);
      report(draft);
    };
    for (const contract of contracts) {
      if (contract.kind === 'interface' || contract.kind === 'library') continue;
      const entries = allFunctions(contract).filter((fn) => isEntry(fn, analysis));
      for (const fn of entries) {
        for (const f of analysis.reachable(fn)) {
          for (const transfer of valueTransfers(f, analysis)) {
            const recipientRace = transfer.recipient
              ? overwrittenByAnyone(transfer.recipient, f, fn, entries, analysis)
              : undefined;
            if (recipientRace) {
              emit({
                node: transfer.node,
                fn: f,
                message: `${contract.name}.${fn.name} pays \`${text(f, transfer.recipient!)}\` in \`${text(f, transfer.node)}\`, and any caller can overwrite ${recipientRace.variable.name} in ${recipientRace.writer.name}() (\`${text(recipientRace.writer, recipientRace.node)}\`): whichever transaction is mined first decides who is paid.`,
                related: [
                  {
                    node: recipientRace.node,
                    unit: recipientRace.writer.contract.unit,
                    message: `${recipientRace.variable.name} overwritten by any caller`,
                  },
                ],
              });
              continue;
            }
            if (!transfer.amount || isGuarded(analysis, fn)) continue;
            const amountRace = resetElsewhere(transfer.amount, f, fn, entries, analysis);
            if (amountRace) {
              emit({
                node: transfer.node,
                fn: f,
                message: `${contract.name}.${fn.name} pays an amount read from ${amountRace.variable.name} in \`${text(f, transfer.node)}\`, and ${amountRace.writer.name}() sets it (\`${text(amountRace.writer, amountRace.node)}\`): a transaction ordered before the payment changes what the caller receives.`,
                related: [
                  {
                    node: amountRace.node,
                    unit: amountRace.writer.contract.unit,
                    message: `${amountRace.variable.name} changed by another transaction`,
                  },
                ],
              });
            }
          }
        }
        const puzzle = publicSolution(fn, analysis);
        if (puzzle) {
          emit({
            node: puzzle,
            fn,
            message: `${contract.name}.${fn.name} rewards the caller when \`${text(fn, puzzle)}\` holds, a check on a hash of the submitted value that does not involve msg.sender: the answer is visible in the mempool and anyone can resubmit it first with a higher gas price.`,
          });
        }
      }
    }
  },
});

type Race = { variable: StateVariable; writer: FunctionIR; node: Node };

function isEntry(fn: FunctionIR, analysis: Analysis): boolean {
  return analysis.isEntryPoint(fn) && fn.kind !== 'constructor';
}

function text(fn: FunctionIR, node: Node): string {
  const flat = fn.contract.unit.source.textOf(node).replace(/\s+/g, ' ');
  return flat.length > 90 ? `${flat.slice(0, 87)}...` : flat;
}

/** The scalar state variable an expression names, through conversions: `winner`, `payable(winner)`. */
function scalarState(node: Node, fn: FunctionIR, analysis: Analysis): StateVariable | undefined {
  let expression = unparen(node);
  for (let inner = convertedValue(expression); inner; inner = convertedValue(expression)) expression = unparen(inner);
  if (expression.type !== 'Identifier' || analysis.facts(fn).locals.has(expression.name)) return undefined;
  const variable = findStateVariable(fn.contract, expression.name);
  if (!variable || variable.constant || variable.immutable) return undefined;
  return variable.type.kind === 'elementary' ? variable : undefined;
}

/** Another open entry point stores msg.sender (or a caller-chosen value) into the recipient. */
function overwrittenByAnyone(
  recipient: Node,
  f: FunctionIR,
  payer: FunctionIR,
  entries: FunctionIR[],
  analysis: Analysis,
): Race | undefined {
  const variable = scalarState(recipient, f, analysis);
  if (!variable) return undefined;
  for (const writer of entries) {
    if (writer === payer || isGuarded(analysis, writer)) continue;
    for (const g of analysis.reachable(writer)) {
      for (const write of analysis.facts(g).stateWrites) {
        if (write.variable !== variable || write.node.type !== 'BinaryOperation' || write.node.operator !== '=')
          continue;
        const sources = analysis.taintOf(write.node.right, g);
        const callerChosen = [...sources].some(
          (s) => s === 'msg.sender' || s === 'tx.origin' || (s.startsWith('param:') && g === writer),
        );
        if (callerChosen) return { variable, writer, node: write.node };
      }
    }
  }
  return undefined;
}

/**
 * The amount reads a scalar state variable that another entry point overwrites with a new
 * value from its caller (`reward = msg.value`, `price = newPrice`). Running totals (`+=`) and
 * resets to constants are bookkeeping, not a race.
 */
function resetElsewhere(
  amount: Node,
  f: FunctionIR,
  payer: FunctionIR,
  entries: FunctionIR[],
  analysis: Analysis,
): Race | undefined {
  const read = new Set<StateVariable>();
  walk(amount, (node) => {
    if (node.type === 'IndexAccess') return false; // per-account values are not shared prices
    if (node.type === 'Identifier') {
      const variable = scalarState(node, f, analysis);
      if (variable && variable.type.kind === 'elementary' && /int/.test(variable.type.name)) read.add(variable);
    }
    return undefined;
  });
  // Locals computed from such variables: `uint tokens = msg.value * rate;`.
  for (const sourceName of [...analysis.taintOf(amount, f)].filter((s) => s.startsWith('state:'))) {
    const variable = findStateVariable(f.contract, sourceName.slice('state:'.length));
    if (variable && variable.type.kind === 'elementary' && /int/.test(variable.type.name) && !variable.constant)
      read.add(variable);
  }
  if (read.size === 0) return undefined;
  for (const writer of entries) {
    if (writer === payer) continue;
    for (const g of analysis.reachable(writer)) {
      for (const write of analysis.facts(g).stateWrites) {
        if (!read.has(write.variable) || write.node.type !== 'BinaryOperation' || write.node.operator !== '=') continue;
        if (dottedName(write.node.left) !== write.variable.name) continue;
        const sources = analysis.taintOf(write.node.right, g);
        const fresh = [...sources].some((s) => s === 'msg.value' || (s.startsWith('param:') && g === writer));
        const selfReferencing = sources.has(`state:${write.variable.name}`);
        if (fresh && !selfReferencing) return { variable: write.variable, writer, node: write.node };
      }
    }
  }
  return undefined;
}

/**
 * A condition comparing a hash of a parameter with a value that does not depend on the sender,
 * in a function that then pays or records the caller: first submitter of the answer wins.
 */
function publicSolution(fn: FunctionIR, analysis: Analysis): Node | undefined {
  if (isGuarded(analysis, fn)) return undefined;
  const facts = analysis.facts(fn);
  const rewardsCaller =
    analysis.reachable(fn).some((f) => valueTransfers(f, analysis).length > 0) ||
    analysis
      .reachable(fn)
      .some((f) =>
        analysis
          .facts(f)
          .stateWrites.some(
            (w) => w.node.type === 'BinaryOperation' && analysis.taintOf(w.node.right, f).has('msg.sender'),
          ),
      );
  if (!rewardsCaller) return undefined;
  for (const condition of facts.conditions) {
    let found: Node | undefined;
    walk(condition, (node) => {
      if (found) return false;
      // `==` matches an answer; `!=` against a constant is input validation (`name != ""`).
      if (node.type !== 'BinaryOperation' || node.operator !== '==') return undefined;
      for (const [side, other] of [
        [node.left, node.right],
        [node.right, node.left],
      ] as const) {
        const hash = hashOfParameter(side, fn, analysis);
        if (!hash) continue;
        const otherSources = analysis.taintOf(other, fn);
        if (otherSources.has('msg.sender') || otherSources.has('tx.origin')) continue;
        if ([...otherSources].some((s) => s.startsWith('param:'))) continue; // both sides caller-chosen
        found = node;
      }
      return undefined;
    });
    if (found) return found;
  }
  return undefined;
}

/** `keccak256(abi.encode(guess))` over parameters only (no msg.sender binding the answer). */
function hashOfParameter(node: Node, fn: FunctionIR, analysis: Analysis): Node | undefined {
  let expression = unparen(node);
  while (expression.type === 'FunctionCall' && expression.expression?.type === 'ElementaryTypeName')
    expression = unparen(expression.arguments[0]);
  if (expression.type !== 'FunctionCall') return undefined;
  const callee = unparen(expression.expression);
  if (callee.type !== 'Identifier' || !hashFunctions.has(callee.name)) return undefined;
  const sources = new Set<string>();
  for (const argument of expression.arguments ?? []) for (const s of analysis.taintOf(argument, fn)) sources.add(s);
  if (sources.has('msg.sender') || sources.has('tx.origin')) return undefined;
  return [...sources].some((s) => s.startsWith('param:')) ? expression : undefined;
}

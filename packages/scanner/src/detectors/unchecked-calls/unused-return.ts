import { type FunctionIR, findAll, qualifiedName, type SolType } from '@bulwark/solidity';
import { isStaticCall } from '../../analysis/callClasses.ts';
import { erc20Call } from '../../analysis/callResults.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

export const unusedReturn = defineDetector({
  id: 'unused-return',
  category: 'unchecked-calls',
  title: 'Return value of an external call ignored',
  impact: 'medium',
  confidence: 'medium',
  description:
    'A function calls a state-changing function of another contract that reports its outcome as a bool, and discards the bool (before solc 0.5 a function declared view counts too: the call is a plain CALL and the callee may change state); or it calls a view/pure library function on plain values and discards the result, so the call does nothing (typically `a.add(b);` written for `a = a.add(b);`).',
  scenario:
    'A bridge calls `vault.release(user, amount)`, which returns false when the vault is short of funds; the bridge ignores it and marks the transfer complete, so the user is never paid. Or `total.add(fee);` leaves total unchanged and fees are never accounted.',
  recommendation:
    'Use the returned value (check it, or use it instead of the assumed amount). If it is deliberately ignored, say so in a comment and suppress the finding.',
  swc: ['SWC-104'],
  owasp: ['SC06:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      for (const call of analysis.facts(fn).calls) {
        if (call.returnUse !== 'unused') continue;
        if (call.kind === 'external') {
          if (erc20Call(analysis, fn, call)) continue; // unsafe-erc20-call covers these
          const target = call.targets[0];
          // A discarded view result is a probe (the call only matters if it reverts); a bool
          // from a state-changing call is a status the caller must act on. Before 0.5 a view
          // call is a plain CALL and the callee may act (and report failure) like any other.
          if (!target || isStaticCall(analysis, fn, call) || !returnsBool(target)) continue;
          if (call.targets.every(alwaysReturnsTrue)) continue;
          report({
            node: call.node,
            fn,
            message: `${qualifiedName(fn)} discards the bool returned by \`${sourceText(fn, call.node)}\`; if ${qualifiedName(target)} reports failure by returning false, the failure goes unnoticed and the function carries on.`,
          });
        } else if (call.kind === 'library') {
          const target = call.targets.find(
            (t) => t.params.length === call.arguments.length || t.params.length === call.arguments.length + 1,
          );
          if (!target || target.returns.length === 0) continue;
          if (target.mutability !== 'view' && target.mutability !== 'pure') continue;
          // With only value-type inputs the function cannot change anything the caller holds.
          const inputs =
            call.receiver && target.params.length === call.arguments.length + 1
              ? [call.receiver, ...call.arguments]
              : call.arguments;
          if (!inputs.every((input) => isValueType(analysis.typeOf(input, fn)))) continue;
          report({
            node: call.node,
            fn,
            message: `${qualifiedName(fn)} calls the ${target.mutability} library function \`${sourceText(fn, call.node)}\` and discards its result, so the call computes nothing (was an assignment of its result meant?).`,
          });
        }
      }
    }
  },
});

function returnsBool(target: FunctionIR): boolean {
  const type = target.returns.length === 1 ? target.returns[0].type : undefined;
  return type?.kind === 'elementary' && type.name === 'bool';
}

/** `mint(...) { _mint(...); return true; }`: a bool that never says false carries no status. */
function alwaysReturnsTrue(target: FunctionIR): boolean {
  if (!target.body) return false;
  const returns = findAll(target.body, 'ReturnStatement');
  return (
    returns.length > 0 && returns.every((r) => r.expression?.type === 'BooleanLiteral' && r.expression.value === true)
  );
}

function isValueType(type: SolType): boolean {
  if (type.kind === 'literal') return type.value !== 'string';
  return type.kind === 'elementary' && type.name !== 'bytes' && type.name !== 'string';
}

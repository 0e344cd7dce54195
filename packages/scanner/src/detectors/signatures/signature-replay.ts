import type { Analysis, FunctionIR } from '@bulwark/solidity';
import { qualifiedName } from '@bulwark/solidity';
import {
  actsOnState,
  bindsDomain,
  type Derivation,
  derive,
  entryPointsReaching,
  type Recovery,
  recoveries,
  replayGuard,
} from '../../analysis/signatures.ts';
import { defineDetector } from '../../detector.ts';

export const signatureReplay = defineDetector({
  id: 'signature-replay',
  category: 'signatures',
  title: 'Signature can be replayed',
  impact: 'high',
  confidence: 'medium',
  description:
    'A signature authorises an action, but the signed digest carries no nonce that the call consumes and the contract does not mark the digest or signature as used, so the same signature can be submitted again. A digest without the chain id and the contract address can also be replayed on another chain or another deployment.',
  scenario:
    'A wallet pays `amount` to `to` when the owner signed keccak256(to, amount). The recipient watches the first payment land and submits the same signature again and again until the wallet is empty.',
  recommendation:
    'Include a per-signer nonce in the digest and increment it on use (or record used digests), and bind the digest to block.chainid and address(this), e.g. with EIP-712 domain separators.',
  swc: ['SWC-121'],
  owasp: ['SC01:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      for (const recovery of recoveries(fn, analysis)) {
        // Library helpers are judged where they are called.
        if (fn.contract.kind === 'library') continue;
        const entries = entryPointsReaching(fn, analysis).filter((entry) => actsOnState(entry, analysis));
        const source = fn.contract.unit.source;
        for (const entry of entries) {
          const derivation = digestFor(recovery, entry, analysis);
          const guard = replayGuard(recovery, entry, derivation, analysis);
          if (!guard) {
            report({
              node: recovery.call.node,
              fn,
              message: `${qualifiedName(entry)} acts on the signature checked by \`${source.textOf(recovery.call.node)}\`, but the digest has no nonce the call consumes and nothing marks it as used: the same signature can be replayed.`,
            });
            break;
          }
          const domain = bindsDomain(derivation, fn);
          if (!domain.chain || !domain.contract) {
            const missing = [!domain.chain && 'the chain id', !domain.contract && 'the contract address']
              .filter(Boolean)
              .join(' and ');
            report({
              node: recovery.call.node,
              fn,
              message: `${qualifiedName(entry)} checks a signature with \`${source.textOf(recovery.call.node)}\` whose digest does not include ${missing}: it can be replayed on another chain or another deployment of this contract.`,
              impact: 'low',
              confidence: 'low',
            });
            break;
          }
        }
      }
    }
  },
});

/**
 * The digest's derivation. Where it is built from parameters of a helper (`checkSignatures(dataHash, ..)`),
 * follow the arguments callers reachable from the entry point pass, up to the entry point.
 */
function digestFor(recovery: Recovery, entry: FunctionIR, analysis: Analysis): Derivation {
  const derivation = derive(recovery.digest, recovery.fn, analysis);
  const merge = (outer: Derivation) => {
    for (const node of outer.nodes) derivation.nodes.push(node);
    for (const name of outer.names) derivation.names.add(name);
    for (const variable of outer.state) derivation.state.add(variable);
    for (const callee of outer.callees) derivation.callees.add(callee);
  };
  const reachable = analysis.reachable(entry);
  const visited = new Set<string>();
  const trace = (fn: FunctionIR, names: Set<string>, depth: number) => {
    if (fn === entry || depth > 4) return;
    fn.params.forEach((parameter, position) => {
      const key = `${fn.signature}#${position}`;
      if (!names.has(parameter.name) || visited.has(key)) return;
      visited.add(key);
      for (const f of reachable) {
        for (const call of analysis.facts(f).calls) {
          if (!call.targets.includes(fn)) continue;
          const offset = fn.params.length === call.arguments.length + 1 ? 1 : 0;
          const argument = position - offset < 0 ? call.receiver : call.arguments[position - offset];
          if (!argument) continue;
          const outer = derive(argument, f, analysis);
          merge(outer);
          trace(f, outer.names, depth + 1);
        }
      }
    });
  };
  trace(recovery.fn, new Set(derivation.names), 0);
  return derivation;
}

import {
  type Analysis,
  allFunctions,
  type Contract,
  dottedName,
  type FunctionIR,
  findAll,
  type Node,
  qualifiedName,
} from '@bulwark/solidity';
import { describeSources, isCallerControlled } from '../../analysis/callerSources.ts';
import { isStateChangingEntry } from '../../analysis/entryPoints.ts';
import { framesOf, sourcesOf } from '../../analysis/frames.ts';
import { isGuarded } from '../../analysis/guards.ts';
import { oneTimeGuard } from '../../analysis/oneTimeGuard.ts';
import { functionHeader, sourceText } from '../../analysis/sourceText.ts';
import { storageKey, storageKeysRead } from '../../analysis/storage.ts';
import { defineDetector } from '../../detector.ts';

export const unprotectedInitializer = defineDetector({
  id: 'unprotected-initializer',
  category: 'access-control',
  title: 'Anyone can set the owner or admin',
  impact: 'high',
  confidence: 'high',
  description:
    'A public function without access control and without a once-only guard writes a state variable that other functions compare with msg.sender to authorise (owner, admin, guardian), and the value written comes from the caller. It is an initialiser anyone can (re)run, or a setter that lost its modifier.',
  scenario:
    "An attacker calls the function with their own address (or from their account), becomes the owner, and then uses the owner-only functions: withdraws the funds, upgrades the code, or destroys the contract (Parity multisig's initWallet, 2017).",
  recommendation:
    'Initialise privileged roles in the constructor, or guard initialisers with a once-only flag (OpenZeppelin Initializable) and call them atomically with deployment; protect role setters with the current role.',
  swc: ['SWC-105', 'SWC-118'],
  owasp: ['SC01:2025'],
  control: 'SBD-08',
  detect({ functions, analysis, program, report }) {
    const authorityCache = new Map<Contract, Map<string, Evidence>>();
    const authoritiesOf = (contract: Contract) => {
      let keys = authorityCache.get(contract);
      if (!keys) {
        keys = authorityKeys(analysis, contract);
        authorityCache.set(contract, keys);
      }
      return keys;
    };
    for (const fn of functions) {
      if (!isStateChangingEntry(fn)) continue;
      // The check may sit in a contract that inherits this one (`onlyOwner` added downstream).
      const authorities = new Map<string, Evidence>();
      for (const c of program.contracts)
        if (c === fn.contract || c.linearized.includes(fn.contract))
          for (const [key, evidence] of authoritiesOf(c)) if (!authorities.has(key)) authorities.set(key, evidence);
      if (authorities.size === 0) continue;
      const frames = framesOf(analysis, fn);
      if (isGuarded(analysis, fn) || oneTimeGuard(analysis, frames)) continue;
      // Paying for the role (`require(msg.value > price); king = msg.sender`) is a game, not a takeover.
      const paid = frames.some((f) =>
        analysis.facts(f.fn).conditions.some((c) => findAll(c, (n) => dottedName(n) === 'msg.value').length > 0),
      );
      if (paid) continue;
      const gated = frames.some((f) => analysis.facts(f.fn).conditions.length > 0);
      for (const frame of frames) {
        for (const assignment of findAll(frame.fn.body ?? { type: 'Block' }, 'BinaryOperation')) {
          if (assignment.operator !== '=') continue;
          const key = storageKey(analysis, frame.fn, assignment.left);
          const check = key ? authorities.get(key) : undefined;
          if (!key || !check) continue;
          const sources = [...sourcesOf(analysis, frame, assignment.right)].filter(isCallerControlled);
          if (sources.length === 0) continue;
          const variable = key.replace(/^state:/, '');
          report({
            // On the header: the defect is that anyone can call the function, not the assignment.
            node: functionHeader(fn),
            fn,
            message: `${qualifiedName(fn)} can be called by anyone, more than once, and sets ${variable} from ${describeSources(sources)} in \`${sourceText(frame.fn, assignment)}\`; ${variable} authorises callers elsewhere, so any caller can take that role.`,
            related: [
              { node: check.node, unit: check.fn.contract.unit, message: `${variable} decides who may call here` },
              { node: frame.via ?? assignment, unit: fn.contract.unit, message: `${variable} set here` },
              ...(frame.fn !== fn
                ? [
                    {
                      node: assignment,
                      unit: frame.fn.contract.unit,
                      message: `${variable} written in ${qualifiedName(frame.fn)}`,
                    },
                  ]
                : []),
            ],
            confidence: gated ? 'medium' : 'high',
          });
        }
      }
    }
  },
});

type Evidence = { node: Node; fn: FunctionIR };

/**
 * Storage places compared with msg.sender to authorise, across the contract and its bases:
 * `msg.sender == owner`, `require(_msgSender() == admin())`, with the comparison as evidence.
 */
function authorityKeys(analysis: Analysis, contract: Contract): Map<string, Evidence> {
  const out = new Map<string, Evidence>();
  const seen = new Set<FunctionIR>();
  for (const c of contract.linearized) {
    for (const fn of [...c.functions, ...c.modifiers, ...allFunctions(c)]) {
      if (seen.has(fn) || !fn.body) continue;
      seen.add(fn);
      for (const condition of analysis.facts(fn).conditions) {
        for (const comparison of findAll(
          condition,
          (n) => n.type === 'BinaryOperation' && (n.operator === '==' || n.operator === '!='),
        )) {
          const leftSender = namesSender(comparison.left);
          const rightSender = namesSender(comparison.right);
          if (leftSender === rightSender) continue;
          const other = leftSender ? comparison.right : comparison.left;
          for (const key of storageKeysRead(analysis, fn, other)) {
            if (key.startsWith('state:') && !out.has(key)) out.set(key, { node: comparison, fn });
          }
        }
      }
    }
  }
  return out;
}

function namesSender(node: Node): boolean {
  const dotted = dottedName(node);
  if (dotted === 'msg.sender' || dotted === 'tx.origin') return true;
  return (
    node.type === 'FunctionCall' && node.expression?.type === 'Identifier' && /^_?msgSender$/.test(node.expression.name)
  );
}

import type { CallFrame } from '@bulwark/chain';
import { defineRule } from '../defineRule.ts';
import type { RuleContext, Signal } from '../types.ts';

/** Where a labelled address appears in the transaction. */
export type ThreatRole = 'sender' | 'direct-caller' | 'frame' | 'counterparty' | 'creator' | 'creation-sender';

/** The sender and the account calling a watched contract act themselves; the other roles only relate to the act. */
const directRoles = new Set<ThreatRole>(['sender', 'direct-caller']);

type Match = { address: string; label: string; roles: ThreatRole[] };

const severityOf = (score: number): Signal['severity'] =>
  score >= 0.6 ? 'high' : score >= 0.4 ? 'medium' : score >= 0.2 ? 'low' : 'info';

export const knownMaliciousAddressRule = defineRule({
  id: 'known-malicious-address',
  title: 'Known malicious address in a transaction touching a watched contract',
  category: 'actors',
  stage: 'preparation',
  impact: 'high',
  confidence: 'high',
  description:
    'An address on the threat-intelligence list takes part in a transaction that calls a watched contract or moves value to or from one: as the transaction sender, the direct caller of a watched contract, any account in the call trace, a counterparty of a value flow of a watched contract, or the creator (or the sender of the creating transaction) of a contract created in the transaction or of a recently created contract in it. ' +
    'Score: `directScore` (0.6) for the sender or a direct caller of the watched contract, `indirectScore` (0.4) for any other role. The labels go in the details.',
  scenario:
    'The exploiter of an earlier incident (or a sanctioned address, or a known phishing drainer) prepares the next attack: it funds a new contract, probes the protocol with small calls, or calls it through a fresh contract it deployed; or a protocol pays out to an address already tied to thefts.',
  recommendation:
    'Treat the transaction as hostile: look at what the address did and what it received; block it where the protocol can (allow-lists, front-end blocks), and share the finding with the intelligence source. Keep the threat list up to date.',
  swc: [],
  owasp: [],
  control: 'SA-01',
  needs: [],
  parameters: {
    directScore: {
      default: 0.6,
      minimum: 0,
      maximum: 0.8,
      description: 'Score when the transaction sender or a direct caller of the watched contract is labelled.',
    },
    indirectScore: {
      default: 0.4,
      minimum: 0,
      maximum: 0.8,
      description:
        'Score for a labelled account elsewhere: in the trace, as a value-flow counterparty, or as a creator.',
    },
  },
  evaluate(context) {
    const touched = touchedContracts(context);
    if (touched.size === 0) return [];
    const matches = labelled(context);
    const signals: Signal[] = [];
    for (const [contract, callers] of touched) {
      const view = context.watched.get(contract);
      if (!view) continue;
      const relevant = matches
        .map((match) => ({
          ...match,
          roles: callers.has(match.address) ? [...new Set<ThreatRole>([...match.roles, 'direct-caller'])] : match.roles,
        }))
        .filter((match) => match.address !== contract);
      if (relevant.length === 0) continue;
      const direct = relevant.some((match) => match.roles.some((role) => directRoles.has(role)));
      const score = context.parameter(direct ? 'directScore' : 'indirectScore', contract);
      if (score <= 0) continue;
      const top = relevant.find((match) => match.roles.some((role) => directRoles.has(role))) ?? relevant[0]!;
      signals.push({
        ruleId: 'known-malicious-address',
        stage: 'preparation',
        contract,
        score,
        severity: severityOf(score),
        title: `Known malicious address in a transaction touching ${view.name}`,
        summary: `${top.address} (${top.label}) took part as ${top.roles.join(', ')}${relevant.length > 1 ? `, with ${relevant.length - 1} more labelled address${relevant.length > 2 ? 'es' : ''}` : ''}.`,
        actor: top.address,
        details: { matches: relevant },
      });
    }
    return signals;
  },
});

/** Watched contracts the transaction calls or moves value for, with the accounts calling each directly. */
function touchedContracts(context: RuleContext): Map<string, Set<string>> {
  const touched = new Map<string, Set<string>>();
  const of = (address: string) => {
    let callers = touched.get(address);
    if (!callers) {
      callers = new Set();
      touched.set(address, callers);
    }
    return callers;
  };
  for (const event of context.events) {
    if (event.type === 'call') of(event.contract).add(event.caller);
    else if (event.type === 'value-flow') {
      if (event.fromWatched) of(event.from);
      if (event.toWatched) of(event.to);
    } else if (event.type === 'reentrancy') of(event.contract).add(event.reenteredBy);
    else if (event.type === 'admin') of(event.contract);
  }
  return touched;
}

/** Every labelled account of the transaction, with the roles it plays. */
function labelled(context: RuleContext): Match[] {
  const roles = new Map<string, Set<ThreatRole>>();
  const note = (address: string | null | undefined, role: ThreatRole) => {
    if (!address) return;
    const key = address.toLowerCase();
    let set = roles.get(key);
    if (!set) {
      set = new Set();
      roles.set(key, set);
    }
    set.add(role);
  };
  const { tx } = context;
  note(tx.from, 'sender');
  note(tx.to, 'frame');
  const visit = (frame: CallFrame) => {
    note(frame.from, 'frame');
    note(frame.to, 'frame');
    for (const call of frame.calls) visit(call);
  };
  if (tx.trace) visit(tx.trace);
  for (const event of context.events) {
    if (event.type === 'value-flow') {
      if (event.fromWatched) note(event.to, 'counterparty');
      if (event.toWatched) note(event.from, 'counterparty');
    } else if (event.type === 'creation') {
      note(event.creator, 'creator');
      note(event.address, 'frame');
    } else if (event.type === 'call') {
      note(event.caller, 'frame');
    }
  }
  // Contracts created before this transaction: who made them.
  for (const address of [...roles.keys()]) {
    const creation = context.recentCreation(address);
    if (!creation) continue;
    note(creation.creator, 'creator');
    note(creation.txFrom, 'creation-sender');
  }
  const matches: Match[] = [];
  for (const [address, set] of roles) {
    const label = context.threatLabel(address);
    if (label !== undefined) matches.push({ address, label, roles: [...set] });
  }
  return matches;
}

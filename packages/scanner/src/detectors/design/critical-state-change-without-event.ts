import { type FunctionIR, findAll, type Node, type StateVariable } from '@bulwark/solidity';
import { authoritiesOf } from '../../analysis/authorities.ts';
import { framesOf } from '../../analysis/conditionDependencies.ts';
import { type ContractProfile, displayName, isOneShot, profileOf } from '../../analysis/contractProfile.ts';
import { deployableContracts, reachable } from '../../analysis/contracts.ts';
import { emitsEvent } from '../../analysis/events.ts';
import { shortSourceText } from '../../analysis/sourceText.ts';
import { upgradePower } from '../../analysis/upgrades.ts';
import { defineDetector } from '../../detector.ts';

type Role = 'authority' | 'roles' | 'switch' | 'gate' | 'implementation' | 'rate';

const roleLabel: Record<Role, string> = {
  authority: 'who controls the contract',
  roles: 'who holds a privileged role',
  switch: 'a switch that gates value flows',
  gate: 'settings that gate value flows',
  implementation: 'the code the contract runs',
  rate: 'a rate or limit used to compute amounts',
};

export const criticalStateChangeWithoutEvent = defineDetector({
  id: 'critical-state-change-without-event',
  category: 'design',
  title: 'Critical state change emits no event',
  impact: 'low',
  confidence: 'medium',
  description:
    'A privileged function changes state that decides who controls the contract, who holds a role, whether value may flow, which code runs, or how amounts are computed (fees, rates, limits), and emits no event.',
  scenario:
    'An attacker who obtained the admin key quietly raises the fee to 100% or adds their own address as an admin. No event is logged, so monitoring and users notice only after funds are gone.',
  recommendation:
    'Emit an event with the old and new values in every function that changes ownership, roles, pause state, implementation or economic parameters, and watch those events (advisory SA-03).',
  swc: [],
  owasp: ['SC03:2025'],
  control: 'SA-03',
  detect({ contracts, analysis, report }) {
    const targets = new Set(contracts);
    const done = new Set<FunctionIR>();
    for (const contract of deployableContracts(contracts)) {
      const profile = profileOf(analysis, contract);
      const critical = criticalVariables(profile, analysis);
      for (const entry of profile.guarded) {
        if (done.has(entry) || !targets.has(entry.contract) || isOneShot(analysis, contract, entry)) continue;
        // Only another contract may call it (a configurator, governance executor): that caller logs the action.
        const authorities = authoritiesOf(analysis, entry, contract);
        if (authorities.length > 0 && authorities.every((a) => a.kind === 'contract' || a.kind === 'self')) continue;
        const change = criticalChange(analysis, profile, entry, critical);
        if (!change || emitsEvent(analysis, entry)) continue;
        done.add(entry);
        report({
          node: change.node,
          fn: entry,
          message: `${entry.contract.name}.${displayName(entry)} changes ${change.what} in \`${shortSourceText(entry, change.node)}\` without emitting an event; monitors and users cannot see the change.`,
        });
      }
    }
  },
});

function criticalVariables(
  profile: ContractProfile,
  analysis: Parameters<typeof profileOf>[0],
): Map<StateVariable, Role> {
  const out = new Map<StateVariable, Role>();
  for (const variable of profile.implementations) out.set(variable, 'implementation');
  for (const entry of profile.entries) {
    for (const authority of authoritiesOf(analysis, entry, profile.contract)) {
      if (authority.variable && authority.kind !== 'role') out.set(authority.variable, 'authority');
      else if (authority.variable) out.set(authority.variable, 'roles');
      else if (authority.kind === 'role' && authority.check.type === 'FunctionCall') {
        const site = analysis.facts(authority.checkFn).calls.find((c) => c.node === authority.check);
        for (const target of site?.targets ?? [])
          for (const f of reachable(analysis, target))
            for (const read of analysis.facts(f).stateReads)
              if (read.variable.type.kind === 'mapping' && !out.has(read.variable)) out.set(read.variable, 'roles');
      }
    }
  }
  for (const variable of profile.gates.keys()) {
    if (out.has(variable)) continue;
    const type = variable.type;
    out.set(
      variable,
      type.kind === 'elementary' && type.name === 'bool' ? 'switch' : type.kind === 'mapping' ? 'gate' : 'rate',
    );
  }
  // Rates and limits: integers that scale amounts in what anyone may call.
  for (const entry of profile.entries) {
    if (profile.guarded.has(entry)) continue;
    for (const f of reachable(analysis, entry)) {
      if (!f.body) continue;
      for (const op of findAll(f.body, (n) => n.type === 'BinaryOperation' && ['*', '/'].includes(n.operator))) {
        for (const id of findAll(op, 'Identifier')) {
          const variable = analysis.facts(f).stateReads.find((r) => r.node === id)?.variable;
          if (!variable || out.has(variable) || variable.constant || variable.immutable) continue;
          if (variable.type.kind === 'elementary' && /^u?int\d*$/.test(variable.type.name)) out.set(variable, 'rate');
        }
      }
    }
  }
  return out;
}

function criticalChange(
  analysis: Parameters<typeof profileOf>[0],
  profile: ContractProfile,
  entry: FunctionIR,
  critical: Map<StateVariable, Role>,
): { node: Node; what: string } | undefined {
  const upgrade = upgradePower(analysis, entry, profile.implementations, profile.contract);
  if (upgrade && !upgrade.external) return { node: upgrade.node, what: roleLabel.implementation };
  for (const frame of framesOf(analysis, entry, profile.contract)) {
    for (const write of analysis.facts(frame.fn).stateWrites) {
      const role = critical.get(write.variable);
      if (role) return { node: frame.via ?? write.node, what: `\`${write.variable.name}\` (${roleLabel[role]})` };
    }
  }
  return undefined;
}

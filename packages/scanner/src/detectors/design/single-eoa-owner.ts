import type { FunctionIR, StateVariable } from '@bulwark/solidity';
import { authoritiesOf, delayVariables, hasApprovalQuorum, hasDelay } from '../../analysis/authorities.ts';
import { displayName, othersValue, profileOf } from '../../analysis/contractProfile.ts';
import { contractHead, deployableContracts } from '../../analysis/contracts.ts';
import { unique } from '../../analysis/events.ts';
import { criticalPowers, type Power, type PowerKind, powerLabel, powersOf } from '../../analysis/powers.ts';
import { functionHeader } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

const holderPowers = new Set<PowerKind>(['upgrade', 'mint', 'burn']);
const depositPowers = new Set<PowerKind>(['funds', 'selfdestruct', 'pause']);

export const singleEoaOwner = defineDetector({
  id: 'single-eoa-owner',
  category: 'design',
  title: 'Critical powers held by a single address',
  impact: 'medium',
  confidence: 'medium',
  description:
    'Privileged functions that can move funds, upgrade, mint, pause or destroy the contract are guarded by a comparison of msg.sender with one stored address. Nothing in the code requires that address to be a multisig or a timelock: no approval count, no delay, no check that it is a contract. Rated medium only where that key can drain, destroy or freeze deposits the contract keeps for others; elsewhere low, since who holds the key is a deployment fact the governance gate checks on chain.',
  scenario:
    "The owner's private key is phished or leaked (as in the Ronin and Harmony bridge hacks). The attacker calls the privileged functions directly and drains or re-points the contract in one transaction, before anyone can react.",
  recommendation:
    'Put admin powers under multi-party control: make the owner a multisig (e.g. Safe with a threshold above one) behind a timelock for non-emergency actions, or enforce approvals and delays in the contract itself. Split roles so the pauser cannot also withdraw or upgrade.',
  swc: [],
  owasp: ['SC01:2025'],
  control: 'SBD-08',
  detect({ contracts, analysis, report }) {
    for (const contract of deployableContracts(contracts)) {
      const profile = profileOf(analysis, contract);
      const byAuthority = new Map<StateVariable, { entry: FunctionIR; powers: Power[] }[]>();
      // Scheduling a delayed action is part of the timelock, not a power of its own.
      const timelock = delayVariables(analysis, profile);
      for (const entry of profile.guarded) {
        const single = authoritiesOf(analysis, entry, contract).filter((a) => a.kind === 'address' && a.variable);
        if (single.length === 0) continue;
        if (hasDelay(analysis, entry) || hasApprovalQuorum(analysis, entry)) continue;
        // Replacing this contract's own code is reported by upgradeable-proxy-without-timelock.
        const powers = powersOf(analysis, profile, entry).filter(
          (p) => !(p.kind === 'upgrade' && !p.external) && !(p.variable && timelock.has(p.variable)),
        );
        for (const variable of unique(single.map((a) => a.variable!))) {
          const list = byAuthority.get(variable) ?? [];
          list.push({ entry, powers });
          byAuthority.set(variable, list);
        }
      }
      // Upgrading, minting or burning reaches holders wherever the value sits; moving funds or
      // destroying only matters when the contract keeps deposits, and pausing when it keeps
      // deposits or balances (a token whose owner can only rescue stray tokens risks its own).
      const others = othersValue(analysis, profile);
      const atStake = (kind: PowerKind) =>
        holderPowers.has(kind) || others.deposits || (kind === 'pause' && others.balances);
      // Who holds a key is a deployment fact the governance gate checks on chain (SBD-08): medium
      // only where one key acts directly on deposits this contract keeps for others (drain, destroy, freeze).
      const onDeposits = (kind: PowerKind) => others.credited && depositPowers.has(kind);
      for (const [variable, entries] of byAuthority) {
        const critical = entries.filter((e) => e.powers.some((p) => criticalPowers.has(p.kind)));
        const minor = entries.filter((e) => e.powers.some((p) => p.kind === 'config'));
        const shown = critical.length > 0 ? critical : minor;
        if (shown.length === 0) continue;
        const kinds = unique(shown.flatMap((e) => e.powers.map((p) => p.kind))).filter((k) =>
          critical.length > 0 ? criticalPowers.has(k) : k === 'config',
        );
        const list = shown
          .slice(0, 6)
          .map((e) => displayName(e.entry))
          .join(', ');
        report({
          node: contractHead(contract),
          contract,
          onlyIfDeployed: contract,
          message: `${contract.name} gives the single address \`${variable.name}\` the power to ${kinds.map((k) => powerLabel[k]).join(', ')} (${list}) with no multisig, approval count or delay enforced in code; one compromised or careless key ${critical.length > 0 ? 'can drain, re-point or halt the contract' : 'can change its settings'}.${critical.length > 0 && !kinds.some(atStake) ? " It keeps no one else's value, so only its owner's own funds are exposed." : ''}`,
          related: [
            { node: variable.node, unit: variable.contract.unit, message: `authority \`${variable.name}\`` },
            ...shown.slice(0, 4).map((e) => ({
              node: functionHeader(e.entry),
              unit: e.entry.contract.unit,
              message: `${e.entry.contract.name}.${displayName(e.entry)} can ${unique(e.powers.map((p) => powerLabel[p.kind])).join(', ')}`,
            })),
          ],
          impact: critical.length > 0 && kinds.some(onDeposits) ? undefined : 'low',
        });
      }
    }
  },
});

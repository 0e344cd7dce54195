import { authoritiesOf, hasApprovalQuorum, hasDelay } from '../../analysis/authorities.ts';
import { displayName, profileOf } from '../../analysis/contractProfile.ts';
import { deployableContracts, isDelegatingProxy } from '../../analysis/contracts.ts';
import { shortSourceText } from '../../analysis/sourceText.ts';
import { upgradePower } from '../../analysis/upgrades.ts';
import { defineDetector } from '../../detector.ts';

export const upgradeableProxyWithoutTimelock = defineDetector({
  id: 'upgradeable-proxy-without-timelock',
  category: 'design',
  title: 'Upgrade callable by a single admin without delay',
  // Who holds the admin is decided at deployment and checked on chain by the governance gate
  // (SBD-08); the code is as meant, so a reviewer would not change it: advisory, not a bug.
  impact: 'low',
  confidence: 'medium',
  description:
    'A proxy, beacon or UUPS implementation replaces the code its users run (an EIP-1967 slot or the delegatecall target) in a function guarded only by a comparison of msg.sender with one admin address. No delay separates the decision from its effect and no approval count is required. Rated low: who holds the admin (or whether the contract is meant to be immutable) is a deployment fact the governance gate checks, not a code defect.',
  scenario:
    'The admin key is compromised. The attacker upgrades the proxy to an implementation with a drain function and empties it in the next transaction; users had no window to exit.',
  recommendation:
    'Make the upgrade admin a timelock (e.g. OpenZeppelin TimelockController) controlled by a multisig, so that every upgrade is announced and delayed; keep an emergency pause separate from the upgrade power.',
  swc: [],
  owasp: ['SC01:2025'],
  control: 'SBD-08',
  detect({ contracts, analysis, report }) {
    for (const contract of deployableContracts(contracts)) {
      const profile = profileOf(analysis, contract);
      const proxy = isDelegatingProxy(analysis, contract);
      for (const entry of profile.guarded) {
        const upgrade = upgradePower(analysis, entry, profile.implementations, contract);
        if (!upgrade || upgrade.external) continue;
        const authorities = authoritiesOf(analysis, entry, contract);
        // A contract admin (ProxyAdmin, governance, another protocol contract) is judged where its own powers are.
        if (authorities.length === 0 || authorities.some((a) => a.kind !== 'address' && a.kind !== 'slot')) continue;
        if (hasDelay(analysis, entry) || hasApprovalQuorum(analysis, entry)) continue;
        const who = authorities.find((a) => a.variable)?.variable?.name;
        const admin = who ? `the single address \`${who}\`` : 'a single admin address stored in a proxy slot';
        const what = proxy
          ? 'replaces the code this proxy runs'
          : profile.implementations.size > 0
            ? 'changes the implementation every proxy using this beacon runs'
            : "replaces the implementation behind this contract's proxy";
        report({
          node: upgrade.node,
          fn: entry,
          onlyIfDeployed: contract,
          message: `${contract.name}.${displayName(entry)} ${what} in \`${shortSourceText(entry, upgrade.node)}\` when called by ${admin}, with no timelock or multi-party approval; a compromised admin key can swap in malicious code immediately.`,
          // Who holds a slot admin is decided at deployment (often a ProxyAdmin or governance contract).
          confidence: who ? undefined : 'low',
          related: authorities.slice(0, 2).map((a) => ({
            node: a.check,
            unit: a.checkFn.contract.unit,
            message: `admin check in ${a.checkFn.contract.name}.${displayName(a.checkFn)}`,
          })),
        });
      }
    }
  },
});

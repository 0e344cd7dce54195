import type { LoadedManifest, ManifestContract } from '../../manifest/types.ts';
import { check, type GateCheck, listNames } from '../gateCheck.ts';
import type { AdminFacts } from './readAdminFacts.ts';

/** What the chain says against what the manifest claims: a contradiction, or confirmation. */
function judgeOnChain(contract: ManifestContract, facts: AdminFacts): { contradiction?: string; confirmed: boolean } {
  const admin = contract.admin!;
  const where = `${facts.address} on chain ${facts.chainId} (${facts.rpc})`;
  const claimed = `${contract.name}'s admin is declared a ${admin.kind}`;
  const chainSays =
    facts.kind === 'eoa'
      ? 'has no code: it is a single key'
      : facts.kind === 'safe'
        ? `is a Safe with threshold ${facts.threshold} of ${facts.owners?.length} owners`
        : facts.kind === 'timelock'
          ? `is a timelock with a minimum delay of ${facts.minDelay} s`
          : 'is a contract that is neither a Safe (getThreshold) nor a timelock (getMinDelay)';
  const contradiction = (what: string) => ({
    contradiction: `${claimed}${what}, but ${where} ${chainSays}`,
    confirmed: false,
  });
  if (admin.kind === 'multisig') {
    if (facts.kind !== 'safe') return contradiction('');
    if ((facts.threshold ?? 0) < 2) return contradiction('');
    if (admin.threshold !== undefined && admin.threshold !== facts.threshold)
      return contradiction(` with threshold ${admin.threshold}`);
    return { confirmed: true };
  }
  if (admin.kind === 'timelock') {
    if (facts.kind !== 'timelock' || (facts.minDelay ?? 0) === 0) return contradiction('');
    if (admin.delay !== undefined && (facts.minDelay ?? 0) < admin.delay)
      return contradiction(` with a delay of ${admin.delay} s`);
    return { confirmed: true };
  }
  return { confirmed: false };
}

/**
 * Passes when no contract's admin powers rest with one key: admin `multisig` (with a threshold
 * above 1 when given) or `timelock`, or `none`. An `eoa` admin, or a 1-of-n multisig, fails.
 * With chain facts (a deployment and its RPC), the claim is checked against the chain: a Safe's
 * threshold, a timelock's delay, or no code at all; a contradiction fails with both facts.
 */
export function adminCheck(loaded: LoadedManifest, chain?: readonly AdminFacts[] | undefined): GateCheck {
  const failing: string[] = [];
  const contradicted: string[] = [];
  const unknown: string[] = [];
  const noAddress: string[] = [];
  const unread: string[] = [];
  const confirmedNames: string[] = [];
  const contracts = loaded.manifest.contracts.map((contract) => {
    const admin = contract.admin;
    const facts = chain?.find((f) => f.contract === contract.name);
    if (!admin) unknown.push(contract.name);
    else if (admin.kind === 'eoa')
      failing.push(`${contract.name} (a single EOA${admin.address ? ` ${admin.address}` : ''})`);
    else if (admin.kind === 'multisig' && admin.threshold !== undefined && admin.threshold < 2)
      failing.push(`${contract.name} (a ${admin.threshold}-of-n multisig: one key acts alone)`);
    else if ((admin.kind === 'multisig' || admin.kind === 'timelock') && !admin.address) noAddress.push(contract.name);
    else if (facts?.error) unread.push(`${contract.name} (${facts.error})`);
    else if (facts && (admin.kind === 'multisig' || admin.kind === 'timelock')) {
      const judged = judgeOnChain(contract, facts);
      if (judged.contradiction) contradicted.push(judged.contradiction);
      if (judged.confirmed) confirmedNames.push(contract.name);
    }
    return {
      name: contract.name,
      kind: admin?.kind,
      address: admin?.address,
      threshold: admin?.threshold,
      ...(facts ? { chain: facts } : {}),
    };
  });
  const multiParty = loaded.manifest.contracts.filter(
    (c) => c.admin?.kind === 'multisig' || c.admin?.kind === 'timelock',
  );
  const confirmedOnChain = multiParty.length > 0 && confirmedNames.length === multiParty.length;
  const details = { contracts, confirmedOnChain };
  if (failing.length > 0 || contradicted.length > 0)
    return check(
      'admin',
      'fail',
      [
        ...contradicted.map((c) => `${c}.`),
        ...(failing.length > 0
          ? [
              `Admin powers rest with one key: ${listNames(failing)}. Move them behind a multisig (2 or more signers) or a timelock.`,
            ]
          : []),
      ].join(' '),
      details,
    );
  if (unknown.length > 0 || noAddress.length > 0 || unread.length > 0) {
    const problems = [
      unknown.length > 0 ? `admin not declared for ${listNames(unknown)}` : undefined,
      noAddress.length > 0 ? `no admin address for ${listNames(noAddress)}` : undefined,
      unread.length > 0 ? `the chain could not be read for ${listNames(unread)}` : undefined,
    ].filter(Boolean);
    const text = problems.join('; ');
    return check('admin', 'warn', `${text.charAt(0).toUpperCase()}${text.slice(1)}.`, details);
  }
  return check(
    'admin',
    'pass',
    `Admin powers of ${contracts.length} contract(s) are behind a multisig or timelock, or absent${
      confirmedNames.length > 0 ? `; confirmed on chain for ${listNames(confirmedNames)}` : ''
    }.`,
    details,
  );
}

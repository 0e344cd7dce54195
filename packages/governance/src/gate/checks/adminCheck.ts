import type { LoadedManifest } from '../../manifest/types.ts';
import { check, type GateCheck, listNames } from '../gateCheck.ts';

/**
 * Passes when no contract's admin powers rest with one key: admin `multisig` (with a threshold
 * above 1 when given) or `timelock`, or `none`. An `eoa` admin, or a 1-of-n multisig, fails.
 */
export function adminCheck(loaded: LoadedManifest): GateCheck {
  const failing: string[] = [];
  const unknown: string[] = [];
  const noAddress: string[] = [];
  const contracts = loaded.manifest.contracts.map((contract) => {
    const admin = contract.admin;
    if (!admin) unknown.push(contract.name);
    else if (admin.kind === 'eoa')
      failing.push(`${contract.name} (a single EOA${admin.address ? ` ${admin.address}` : ''})`);
    else if (admin.kind === 'multisig' && admin.threshold !== undefined && admin.threshold < 2)
      failing.push(`${contract.name} (a ${admin.threshold}-of-n multisig: one key acts alone)`);
    else if ((admin.kind === 'multisig' || admin.kind === 'timelock') && !admin.address) noAddress.push(contract.name);
    return { name: contract.name, kind: admin?.kind, address: admin?.address, threshold: admin?.threshold };
  });
  const details = { contracts };
  if (failing.length > 0)
    return check(
      'admin',
      'fail',
      `Admin powers rest with one key: ${listNames(failing)}. Move them behind a multisig (2 or more signers) or a timelock.`,
      details,
    );
  if (unknown.length > 0 || noAddress.length > 0) {
    const problems = [
      unknown.length > 0 ? `admin not declared for ${listNames(unknown)}` : undefined,
      noAddress.length > 0 ? `no admin address for ${listNames(noAddress)}` : undefined,
    ].filter(Boolean);
    const text = problems.join('; ');
    return check('admin', 'warn', `${text.charAt(0).toUpperCase()}${text.slice(1)}.`, details);
  }
  return check(
    'admin',
    'pass',
    `Admin powers of ${contracts.length} contract(s) are behind a multisig or timelock, or absent.`,
    details,
  );
}

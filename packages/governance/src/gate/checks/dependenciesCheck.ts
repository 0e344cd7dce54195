import { dependencyKey } from '../../dependencies/dependency.ts';
import type { DependencyStatusReturnType } from '../../dependencies/dependencyStatus.ts';
import type { DependencyInventory } from '../../dependencies/readDependencyInventory.ts';
import { check, type GateCheck, listNames } from '../gateCheck.ts';
import type { DependencyScope } from '../gateConfig.ts';

/** Passes when every dependency in scope is reviewed and approved at its exact version and integrity. */
export function dependenciesCheck(
  status: DependencyStatusReturnType,
  inventory: DependencyInventory,
  scope: DependencyScope,
): GateCheck {
  const inScope = status.entries.filter((e) => scope === 'all' || e.imported.length > 0);
  const pending = inScope.filter((e) => e.state !== 'reviewed');
  const describe = (e: (typeof pending)[number]) =>
    e.state !== 'changed'
      ? `${dependencyKey(e)} (${e.state})`
      : e.changes?.includes('version')
        ? `${dependencyKey(e)} (changed: reviewed at ${e.review?.version})`
        : `${dependencyKey(e)} (changed: other integrity than reviewed)`;
  const details = {
    scope,
    lockDigest: inventory.lockDigest,
    total: inScope.length,
    pending: pending.map((e) => ({
      ecosystem: e.ecosystem,
      name: e.name,
      version: e.version,
      integrity: e.integrity,
      state: e.state,
      ...(e.changes ? { changes: e.changes } : {}),
    })),
    unresolvedImports: inventory.unresolvedImports.map((u) => ({ import: u.import, from: u.from })),
  };
  if (pending.length > 0)
    return check(
      'dependencies',
      'fail',
      `${pending.length} of ${inScope.length} dependencies not reviewed at their exact version and integrity: ${listNames(pending.map(describe), 4)}. Review them with \`bulwark deps review\`.`,
      details,
    );
  if (inventory.unresolvedImports.length > 0)
    return check(
      'dependencies',
      'warn',
      `All ${inScope.length} dependencies reviewed, but ${inventory.unresolvedImports.length} import(s) resolve nowhere, so code may be missing from the inventory: ${listNames(
        inventory.unresolvedImports.map((u) => `"${u.import}" in ${u.from}`),
        3,
      )}.`,
      details,
    );
  if (inScope.length === 0)
    return check(
      'dependencies',
      'pass',
      scope === 'imported'
        ? 'The contracts import no open-source code.'
        : 'No open-source dependencies: no lockfile, no library in lib/, no imported package.',
      details,
    );
  const what = scope === 'imported' ? 'imported dependencies' : 'dependencies';
  return check(
    'dependencies',
    'pass',
    `All ${inScope.length} ${what} reviewed at their exact version and integrity.`,
    details,
  );
}

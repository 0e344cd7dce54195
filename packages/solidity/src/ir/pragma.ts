import { compareVersions, lowestAdmittedVersion, parseVersion, type Version } from '../compile/satisfiesRange.ts';

/** What a version question needs of a source unit (`SourceUnit` has both). */
export type VersionedUnit = { solcVersion?: string | undefined; pragmas: readonly string[] };

/**
 * The lowest compiler that may build the unit: the one that compiled it, else the lowest version
 * all its `pragma solidity` lines admit. Undefined when nothing says (no pragma, or only
 * unreadable ones, or `<0.8.0` alone, which admits any older compiler).
 */
export function lowestCompilerVersion(unit: VersionedUnit): Version | undefined {
  const compiled = unit.solcVersion ? parseVersion(unit.solcVersion) : undefined;
  if (compiled) return compiled;
  let lowest: Version | undefined;
  for (const pragma of unit.pragmas) {
    let admitted: Version | undefined;
    try {
      admitted = lowestAdmittedVersion(pragma);
    } catch {
      continue; // an unreadable pragma says nothing
    }
    if (!admitted || compareVersions(admitted, [0, 0, 0]) === 0) continue;
    // Several pragmas all apply: the lowest admitted is the highest of their lower bounds.
    if (!lowest || compareVersions(admitted, lowest) > 0) lowest = admitted;
  }
  return lowest;
}

/** Whether a compiler older than `version` may build the unit (true when nothing says otherwise). */
export function admitsCompilerBelow(unit: VersionedUnit, version: Version): boolean {
  const lowest = lowestCompilerVersion(unit);
  return !lowest || compareVersions(lowest, version) < 0;
}

/** True when arithmetic reverts on overflow (0.8+) outside `unchecked` blocks, whatever compiler builds the unit. */
export function hasCheckedArithmetic(unit: VersionedUnit): boolean {
  return !admitsCompilerBelow(unit, [0, 8, 0]);
}

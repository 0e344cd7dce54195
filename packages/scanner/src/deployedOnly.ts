import type { Finding } from '@bulwark/core';
import type { Contract, Program } from '@bulwark/solidity';

/**
 * What one file's analysis tells the scan-wide stage below: the contracts its code inherits from,
 * and which of its findings hold only if a given contract is deployed as it is.
 */
export type InheritanceFacts = {
  /** Contracts some contract of the file (or of its imports) inherits from, as `contractKey`s. */
  inherited: string[];
  /** Findings about a contract as deployed (locked ether, no pause switch): fingerprint → contract key. */
  deployedOnly: { fingerprint: string; contract: string }[];
};

/**
 * A contract's key across files: the file it is declared in and its name. A base whose declaration
 * was never found is known only by name (`*:Name`), and matches any contract of that name.
 */
export function contractKey(contract: Contract, displayPath: (file: string) => string): string {
  return `${displayPath(contract.unit.file)}:${contract.name}`;
}

const unresolvedKey = (name: string) => `*:${name}`;

/** The contracts inherited by any contract of `program` (its files and their imports). */
export function inheritedContracts(program: Program, displayPath: (file: string) => string): string[] {
  const keys = new Set<string>();
  for (const contract of program.contracts) {
    for (const base of contract.linearized.slice(1)) keys.add(contractKey(base, displayPath));
    for (const name of contract.unresolvedBases) keys.add(unresolvedKey(name.split('.').at(-1) ?? name));
  }
  return [...keys];
}

/**
 * Files are analysed one at a time, so a base contract alone in its file looks deployable there.
 * Drops the findings that hold only for a deployed contract when any file of the scan inherits
 * from that contract: what is deployed is the derived contract, analysed with its bases where it
 * is declared.
 */
export function dropFindingsOnBases(findings: Finding[], facts: Partial<InheritanceFacts>[]): Finding[] {
  const inherited = new Set(facts.flatMap((f) => f.inherited ?? []));
  const onBase = new Set<string>();
  for (const { fingerprint, contract } of facts.flatMap((f) => f.deployedOnly ?? [])) {
    const name = contract.slice(contract.lastIndexOf(':') + 1);
    if (inherited.has(contract) || inherited.has(unresolvedKey(name))) onBase.add(fingerprint);
  }
  return onBase.size === 0 ? findings : findings.filter((f) => !onBase.has(f.fingerprint));
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findAll, type Node, parseSolidity } from '@bulwark/solidity';
import { foundryLibFolders } from '../../dependencies/readFoundryLibs.ts';
import { traceImports } from '../../dependencies/traceImports.ts';
import type { LoadedManifest, ManifestContract } from '../../manifest/types.ts';
import { check, type GateCheck, listNames } from '../gateCheck.ts';

/** Function or modifier names that stop a contract: OpenZeppelin's Pausable, circuit breakers, kill switches. */
const stopNames =
  /^_?(pause|unpause|emergency|halt|freeze|stop|shutdown|kill|terminate|trip|whenNotPaused|whenNotHalted)/i;

/**
 * Passes when every contract that holds value is declared pausable (advisory p17: contracts that
 * can be paused or terminated). A declaration that the code does not back (no pause-like function
 * or modifier in the contract or its bases) is a warning.
 */
export function pausableCheck(loaded: LoadedManifest): GateCheck {
  const notPausable: string[] = [];
  const undeclared: string[] = [];
  const unbacked: string[] = [];
  const contracts = loaded.manifest.contracts.map((contract) => {
    const pausable = Boolean(contract.pausable);
    const mechanism = pausable ? findStopMechanism(loaded, contract) : undefined;
    if (contract.holdsValue === undefined) undeclared.push(contract.name);
    if (contract.holdsValue && !pausable) notPausable.push(contract.name);
    if (pausable && mechanism === undefined) unbacked.push(contract.name);
    return { name: contract.name, holdsValue: contract.holdsValue, pausable, mechanism };
  });
  const details = { contracts };
  if (notPausable.length > 0)
    return check(
      'pausable',
      'fail',
      `${listNames(notPausable)} hold(s) value but cannot be paused. Add a circuit breaker (e.g. GuardianPausable) and set pausable in the manifest.`,
      details,
    );
  const warnings = [
    unbacked.length > 0
      ? `${listNames(unbacked)} is declared pausable but no pause function or modifier was found in its code or bases`
      : undefined,
    undeclared.length > 0 ? `holdsValue is not declared for ${listNames(undeclared)}` : undefined,
  ].filter(Boolean);
  if (warnings.length > 0) return check('pausable', 'warn', `${warnings.join('; ')}.`, details);
  const holding = contracts.filter((c) => c.holdsValue).length;
  return check('pausable', 'pass', `${holding} contract(s) hold value and all can be paused.`, details);
}

/** The first pause-like function or modifier of the contract or its bases, as `Contract.name`. */
function findStopMechanism(loaded: LoadedManifest, contract: ManifestContract): string | undefined {
  const sources = contract.sources.map((s) => path.resolve(loaded.dir, s));
  const traced = traceImports({ root: loaded.dir, sources, libs: foundryLibFolders(loaded.dir) });
  const definitions = new Map<string, Node>();
  for (const file of [...traced.local, ...traced.external.map((e) => e.file)]) {
    let ast: Node | undefined;
    try {
      ast = parseSolidity(readFileSync(file, 'utf8')).ast;
    } catch {
      continue;
    }
    if (!ast) continue;
    for (const definition of findAll(ast, 'ContractDefinition'))
      if (!definitions.has(definition.name)) definitions.set(definition.name, definition);
  }
  const seen = new Set<string>();
  const queue = [contract.contract ?? contract.name];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const definition = definitions.get(name);
    if (!definition) continue;
    for (const member of definition.subNodes ?? []) {
      if (
        (member.type === 'FunctionDefinition' || member.type === 'ModifierDefinition') &&
        stopNames.test(member.name ?? '')
      )
        return `${name}.${member.name}`;
    }
    for (const base of definition.baseContracts ?? []) {
      const baseName: string | undefined = base.baseName?.namePath;
      if (baseName) queue.push(baseName.split('.').at(-1)!);
    }
  }
  return undefined;
}

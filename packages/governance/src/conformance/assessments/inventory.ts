import type { ConformanceFacts } from '../collectFacts.ts';
import type { Assessments } from '../types.ts';
import { assessment, names, plural, ratioStatus } from './judge.ts';

/**
 * GOV-07 (an inventory of DLT assets and their owners): the asset classes the control names, and
 * which of them the system inventories. Bulwark holds contracts (manifest, registry, watched) with
 * their contacts, and the oracles and bridges the manifest declares; nodes, wallets and keys, and
 * third-party providers are not inventoried here.
 */
export function assessInventory(facts: ConformanceFacts): Assessments {
  const manifest = 'loaded' in facts.manifest ? facts.manifest.loaded.manifest : undefined;
  const contractNames = new Set([
    ...(manifest?.contracts.map((c) => c.name) ?? []),
    ...facts.contracts.map((c) => c.name),
    ...facts.watched.map((w) => w.name ?? `${w.chainId}:${w.address}`),
  ]);
  const withOwners = manifest?.contracts.filter((c) => (c.documentation?.contacts?.length ?? 0) > 0) ?? [];
  const external = manifest?.contracts.filter((c) => c.documentation?.externalDependencies !== undefined) ?? [];
  const oracles =
    manifest?.contracts
      .flatMap((c) => c.documentation?.externalDependencies ?? [])
      .filter((d) => d.kind === 'oracle' || d.kind === 'bridge') ?? [];
  const classes = [
    { name: 'contracts with owners', held: contractNames.size > 0 && withOwners.length > 0 },
    {
      name: 'oracles and bridges',
      held: manifest !== undefined && external.length === manifest.contracts.length && external.length > 0,
    },
    { name: 'nodes', held: false },
    { name: 'wallets and keys', held: false },
    { name: 'third-party providers', held: false },
  ];
  const held = classes.filter((c) => c.held);
  if (contractNames.size === 0)
    return {
      'GOV-07': [
        assessment(
          'asset-inventory',
          'no-evidence',
          'No contract is inventoried (manifest, registry or monitor).',
          facts.now,
        ),
      ],
    };
  return {
    'GOV-07': [
      assessment(
        'asset-inventory',
        ratioStatus(held.length, classes.length),
        `${plural(contractNames.size, 'contract')} inventoried${withOwners.length ? `, ${withOwners.length} with contacts` : ', none with contacts'}${oracles.length ? `; ${plural(oracles.length, 'oracle or bridge', 'oracles or bridges')} declared` : ''}. Not inventoried here: ${names(classes.filter((c) => !c.held).map((c) => c.name))}.`,
        facts.now,
        [...contractNames].slice(0, 20).map((name) => ({ kind: 'contract', ref: `contract:${name}`, summary: name })),
      ),
    ],
  };
}

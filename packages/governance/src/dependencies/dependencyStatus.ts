import { type DependencyReview, listControlEvidence, listDependencyReviews, type StoreClient } from '@bulwark/store';
import type { Dependency } from './dependency.ts';
import type { DependencyInventory } from './readDependencyInventory.ts';

/**
 * - `reviewed`: approved at this exact version and integrity;
 * - `rejected`: reviewed at this version and integrity, and rejected;
 * - `changed`: reviewed before, but at another version or integrity (updated or tampered with since);
 * - `unreviewed`: never reviewed, and already there at the last review round;
 * - `new`: never reviewed, and added since the last review round (or there was none).
 */
export type DependencyState = 'reviewed' | 'rejected' | 'changed' | 'unreviewed' | 'new';

export const dependencyStates = ['reviewed', 'rejected', 'changed', 'unreviewed', 'new'] as const;

export type DependencyStatusEntry = Dependency & {
  state: DependencyState;
  /** The review that decides the state: the exact one, or for `changed` the latest of this name. */
  review?:
    | { reviewer: string; verdict: string; version: string; integrity: string; reviewedAt: string; notes?: string }
    | undefined;
  /** For `changed`: what differs from that review. */
  changes?: ('version' | 'integrity')[] | undefined;
};

export type DependencyStatusReturnType = {
  entries: DependencyStatusEntry[];
  counts: Record<DependencyState, number>;
};

/** The evidence kind holding the names inventoried at the last review round (control GOV-04). */
export const inventorySnapshotKind = 'dependency-inventory';

/** Compares the inventory with the reviews in the store. */
export async function dependencyStatus(
  store: StoreClient,
  inventory: Pick<DependencyInventory, 'dependencies'>,
): Promise<DependencyStatusReturnType> {
  const reviews = await listDependencyReviews(store);
  const byName = new Map<string, DependencyReview[]>();
  for (const review of reviews) {
    const key = nameKey(review);
    byName.set(key, [...(byName.get(key) ?? []), review]);
  }
  const known = await lastInventoryNames(store);
  const entries = inventory.dependencies.map((dependency): DependencyStatusEntry => {
    const ofName = byName.get(nameKey(dependency)) ?? [];
    // Reviews come oldest first: the latest one of the exact version and integrity decides.
    const exact = ofName.filter((r) => r.version === dependency.version && r.integrity === dependency.integrity).at(-1);
    if (exact)
      return { ...dependency, state: exact.verdict === 'approved' ? 'reviewed' : 'rejected', review: view(exact) };
    const latest = ofName.at(-1);
    if (latest) {
      const changes: ('version' | 'integrity')[] = [];
      if (latest.version !== dependency.version) changes.push('version');
      if (latest.integrity !== dependency.integrity) changes.push('integrity');
      return { ...dependency, state: 'changed', review: view(latest), changes };
    }
    const state = known?.has(nameKey(dependency)) ? 'unreviewed' : 'new';
    return { ...dependency, state };
  });
  const counts = Object.fromEntries(dependencyStates.map((s) => [s, 0])) as Record<DependencyState, number>;
  for (const entry of entries) counts[entry.state]++;
  return { entries, counts };
}

/** The names inventoried at the last review round; undefined before the first one. */
async function lastInventoryNames(store: StoreClient): Promise<Set<string> | undefined> {
  const evidence = await listControlEvidence(store, { controlId: 'GOV-04', latest: true });
  const snapshot = evidence.find((e) => e.kind === inventorySnapshotKind);
  const names = snapshot?.data.names;
  if (!Array.isArray(names)) return undefined;
  return new Set(names.filter((n): n is string => typeof n === 'string'));
}

function view(review: DependencyReview): NonNullable<DependencyStatusEntry['review']> {
  return {
    reviewer: review.reviewer,
    verdict: review.verdict,
    version: review.version,
    integrity: review.integrity,
    reviewedAt: review.reviewedAt.toISOString(),
    ...(review.notes ? { notes: review.notes } : {}),
  };
}

/** How the inventory snapshot names a dependency: `npm:@openzeppelin/contracts`. */
export function nameKey(d: { ecosystem: string; name: string }): string {
  return `${d.ecosystem}:${d.name}`;
}

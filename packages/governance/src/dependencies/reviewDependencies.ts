import {
  appendLog,
  type DependencyReview,
  insertControlEvidence,
  insertDependencyReview,
  type StoreClient,
  withTransaction,
} from '@bulwark/store';
import { requireRole } from '../identity/requireRole.ts';
import { type Dependency, type DependencyEcosystem, dependencyKey } from './dependency.ts';
import { dependencyStatus, inventorySnapshotKind, nameKey } from './dependencyStatus.ts';
import { DependencyError } from './errors.ts';
import type { DependencyInventory } from './readDependencyInventory.ts';

export type DependencySelection = {
  name: string;
  version?: string | undefined;
  integrity?: string | undefined;
  ecosystem?: DependencyEcosystem | undefined;
};

export type ReviewDependenciesParameters = {
  inventory: DependencyInventory;
  /** The dependencies reviewed, or `pending`: every new, changed and unreviewed one. */
  select: DependencySelection[] | 'pending';
  reviewer: string;
  notes?: string | undefined;
  verdict?: 'approved' | 'rejected' | undefined;
  at?: Date | undefined;
};

export type ReviewDependenciesReturnType = { reviews: DependencyReview[] };

const docsPath = 'governance/deps.md#review';

/**
 * Records reviews of dependencies at their exact version and integrity, each with a log entry,
 * and notes which dependencies the project had at this review round (so later status can tell
 * new ones from ones left unreviewed). All in one transaction.
 */
export async function reviewDependencies(
  store: StoreClient,
  parameters: ReviewDependenciesParameters,
): Promise<ReviewDependenciesReturnType> {
  if (!parameters.reviewer.trim())
    throw new DependencyError('A review needs a reviewer.', { metaMessages: ['Fix: pass --reviewer NAME.'], docsPath });
  await requireRole(store, parameters.reviewer, 'review-dependencies');
  const verdict = parameters.verdict ?? 'approved';
  const targets =
    parameters.select === 'pending'
      ? (await dependencyStatus(store, parameters.inventory)).entries.filter((e) =>
          ['new', 'changed', 'unreviewed'].includes(e.state),
        )
      : parameters.select.map((selection) => resolveSelection(parameters.inventory.dependencies, selection));

  return withTransaction(store, async (tx) => {
    const reviews: DependencyReview[] = [];
    for (const dependency of targets) {
      const review = await insertDependencyReview(tx, {
        ecosystem: dependency.ecosystem,
        name: dependency.name,
        version: dependency.version,
        integrity: dependency.integrity,
        reviewer: parameters.reviewer,
        verdict,
        notes: parameters.notes,
        reviewedAt: parameters.at,
      });
      await appendLog(tx, {
        actor: parameters.reviewer,
        action: 'deps.review',
        at: parameters.at,
        payload: {
          ecosystem: review.ecosystem,
          name: review.name,
          version: review.version,
          integrity: review.integrity,
          verdict: review.verdict,
          notes: review.notes,
          reviewId: review.id.toString(),
        },
      });
      reviews.push(review);
    }
    const after = await dependencyStatus(tx, parameters.inventory);
    const pending = after.entries.length - after.counts.reviewed;
    await insertControlEvidence(tx, {
      controlId: 'GOV-04',
      kind: inventorySnapshotKind,
      ref: `lock:${parameters.inventory.lockDigest}`,
      status: pending === 0 ? 'pass' : 'fail',
      collectedAt: parameters.at,
      data: {
        lockDigest: parameters.inventory.lockDigest,
        counts: after.counts,
        names: [...new Set(parameters.inventory.dependencies.map(nameKey))].sort(),
      },
    });
    return { reviews };
  });
}

/** Finds the one inventoried dependency a selection means, or a dependency reviewed ahead of use. */
export function resolveSelection(dependencies: readonly Dependency[], selection: DependencySelection): Dependency {
  const label = `${selection.name}${selection.version ? `@${selection.version}` : ''}`;
  const candidates = dependencies.filter(
    (d) =>
      d.name === selection.name &&
      (!selection.version || d.version === selection.version) &&
      (!selection.ecosystem || d.ecosystem === selection.ecosystem),
  );
  if (candidates.length === 0) {
    if (selection.version && selection.integrity)
      return {
        ecosystem: selection.ecosystem ?? 'npm',
        name: selection.name,
        version: selection.version,
        integrity: selection.integrity,
        imported: [],
      };
    const others = dependencies.filter((d) => d.name === selection.name).map((d) => `${d.name}@${d.version}`);
    throw new DependencyError(`${label} is not in the project's dependencies.`, {
      metaMessages: [
        others.length > 0
          ? `Fix: the project has ${others.join(', ')}; review that version.`
          : 'Fix: check the name (`bulwark deps status` lists them), or give --integrity to review it before it is added.',
      ],
      docsPath,
    });
  }
  if (selection.integrity) {
    const match = candidates.filter((d) => d.integrity === selection.integrity);
    if (match.length === 0)
      throw new DependencyError(
        `${label} in the project has integrity ${candidates.map((d) => d.integrity).join(', ')}, not ${selection.integrity}.`,
        {
          metaMessages: [
            'Fix: the code you reviewed is not the code installed; review what the lockfile pins, or restore the lockfile.',
          ],
          docsPath,
        },
      );
    if (match.length === 1) return match[0]!;
  }
  if (candidates.length > 1) {
    throw new DependencyError(`${label} matches ${candidates.length} dependencies.`, {
      metaMessages: [
        `They are: ${candidates.map((d) => `${dependencyKey(d)} (${d.integrity})`).join(', ')}.`,
        'Fix: add the version (NAME@VERSION), --ecosystem or --integrity.',
      ],
      docsPath,
    });
  }
  return candidates[0]!;
}

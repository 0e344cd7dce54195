import type { ConformanceFacts } from '../collectFacts.ts';
import type { Assessments } from '../types.ts';
import { assessment, plural } from './judge.ts';

/** Pause statuses that show the breaker worked on chain. */
const verifiedStatuses = ['verified'];

/**
 * SBD-06 (contracts can be paused): a pause was sent for real and verified on chain. Dry runs and
 * pauses not (yet) verified show the path exists but not that it works: partial.
 */
export function assessBreakers(facts: ConformanceFacts): Assessments {
  const { pauses, now } = facts;
  if (pauses.length === 0)
    return {
      'SBD-06': [
        assessment(
          'breaker-tested',
          'no-evidence',
          'No pause has been sent or rehearsed by a responder (no responder action of kind pause).',
          now,
        ),
      ],
    };
  const verified = pauses.filter((p) => !p.dryRun && verifiedStatuses.includes(p.status));
  const links = pauses.map((p) => ({
    kind: 'responder-action',
    ref: `incident:${p.incidentId}#${p.id}`,
    summary: `pause of ${p.address ?? 'a contract'}${p.chainId ? ` on chain ${p.chainId}` : ''}: ${p.dryRun ? 'dry run, ' : ''}${p.status}${p.txHash ? ` (tx ${p.txHash})` : ''}`,
    status: p.dryRun ? `dry-run ${p.status}` : p.status,
    at: p.updatedAt.toISOString(),
    href: `#incident-${p.incidentId}`,
  }));
  return {
    'SBD-06': [
      assessment(
        'breaker-tested',
        verified.length > 0 ? 'met' : 'partial',
        verified.length > 0
          ? `A circuit breaker was tripped and verified on chain (${plural(verified.length, 'verified pause')}).`
          : `${plural(pauses.length, 'pause')} recorded, none verified on chain (dry runs or unconfirmed).`,
        now,
        links,
      ),
    ],
  };
}

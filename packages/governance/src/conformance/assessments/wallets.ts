import { controls } from '@bulwark/core';
import type { ConformanceFacts } from '../collectFacts.ts';
import type { Assessments } from '../types.ts';
import { assessment } from './judge.ts';

/**
 * The wallet controls: Bulwark has no wallet guard yet, so nothing in the system records wallet
 * policies, quorums or key custody. Evidence recorded for them by hand still counts (see recordedEvidence).
 */
export function assessWallets(facts: ConformanceFacts): Assessments {
  return Object.fromEntries(
    controls
      .filter((c) => c.area === 'wallets')
      .map((c) => [
        c.id,
        [
          assessment(
            'wallet-guard',
            'no-evidence',
            'Bulwark has no wallet guard yet: nothing in the system records wallet policies, quorums, limits or key custody.',
            facts.now,
          ),
        ],
      ]),
  );
}

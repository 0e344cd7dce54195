import { checkDocs } from '../../docs/checkDocs.ts';
import type { LoadedManifest } from '../../manifest/types.ts';
import { check, type GateCheck, listNames } from '../gateCheck.ts';

/** Passes when every contract's documentation is complete and none of it is stale (see checkDocs). */
export function documentationCheck(loaded: LoadedManifest, now?: Date): GateCheck {
  const report = checkDocs(loaded.manifest, { cwd: loaded.dir, now });
  const incomplete = report.contracts.filter((c) => !c.complete);
  const details = { contracts: report.contracts };
  if (report.complete)
    return check(
      'documentation',
      'pass',
      `Documentation of ${report.contracts.length} contract(s) is complete and current.`,
      details,
    );
  const parts = incomplete.map((c) =>
    [
      c.missing.length > 0 ? `${c.name} lacks ${listNames(c.missing, 4)}` : undefined,
      c.stale.length > 0 ? `${c.name} has stale ${listNames(c.stale, 3)}` : undefined,
    ]
      .filter(Boolean)
      .join('; '),
  );
  return check(
    'documentation',
    'fail',
    `${parts.join('; ')}. Complete it in the manifest (\`bulwark docs\` lists what each contract needs).`,
    details,
  );
}

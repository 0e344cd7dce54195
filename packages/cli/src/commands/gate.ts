import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Impact, isImpact, UsageError } from '@bulwark/core';
import {
  type GateResult,
  isSignatureAlgorithm,
  isTarget,
  loadManifest,
  readScanResults,
  readSigningKey,
  resolveActor,
  runGate,
  type SigningKey,
  writeAttestation,
} from '@bulwark/governance';
import { loadBaseline } from '@bulwark/scanner';
import type { Io } from '../main.ts';
import { withStore } from '../store.ts';

export const gateHelp = `Usage: bulwark gate [--target production] [options]

Decides whether a release may go out. Checks: scan (no unaccepted finding at or above
--threshold), audit (the exact code audited, no open high finding), tests (a passing report),
approvals (enough distinct signed approvals of this release digest), dependencies (each reviewed
at its exact version), documentation (complete, current), pausable (contracts holding value can
be paused; the manifest's claims checked against the scanner's design findings), admin (behind a
multisig or timelock; read from the chain — Safe threshold, timelock delay — when a deployment
names an rpc variable that is set). A failed check covered by an accepted exception (\`bulwark
exception\`) warns instead, naming it; an expired one fails. The decision is logged and kept as
evidence for the advisory's controls; --attestation writes it as a signed in-toto statement (DSSE).

Options:
      --target <name>           Release target (default: production)
      --threshold <impact>      Block on findings at or above high (default), medium or low
      --scan-results <file>     Use \`bulwark scan --format json\` output instead of scanning here
      --baseline <file>         Findings of this earlier JSON result count as accepted
      --test-report <file>      JUnit XML, Vitest/Jest JSON or \`forge test --json\` output
      --author <name>           The release author, whose approval does not count (default: gate.author)
      --attestation <file>      Write the signed attestation (DSSE envelope) here
      --sign-key <file>         The gate's private key (hex) to sign the attestation
      --sign-key-env <var>      ... or the environment variable holding it
      --sign-algorithm <alg>    ed25519 (default) or secp256k1
      --actor <name>            Who runs the gate, for the log (default: $BULWARK_ACTOR, $USER)
      --manifest <file>         The manifest (default: bulwark.config.ts|yaml|json here)
      --db <dir>                PGlite folder (default .bulwark/db; DATABASE_URL wins)
  -f, --format <text|json>      Output format (default: text)
  -h, --help                    Show this help

Exit codes: 0 the release may go out, 1 a check failed, 2 usage or tool error.
`;

export async function gateCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      threshold: { type: 'string' },
      'scan-results': { type: 'string' },
      baseline: { type: 'string' },
      'test-report': { type: 'string' },
      author: { type: 'string' },
      attestation: { type: 'string' },
      'sign-key': { type: 'string' },
      'sign-key-env': { type: 'string' },
      'sign-algorithm': { type: 'string' },
      actor: { type: 'string' },
      manifest: { type: 'string' },
      db: { type: 'string' },
      format: { type: 'string', short: 'f' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(gateHelp);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`Unexpected argument '${positionals.join(' ')}'.`);
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format ${format} is not a format.`, { metaMessages: ['Use text or json.'] });
  const target = values.target ?? 'production';
  if (!isTarget(target))
    throw new UsageError(`--target ${target} is not a target name.`, {
      metaMessages: ['Use letters, digits, dot, dash and underscore.'],
    });
  const thresholdText = values.threshold ?? 'high';
  if (!isImpact(thresholdText) || thresholdText === 'optimization' || thresholdText === 'informational')
    throw new UsageError(`--threshold ${thresholdText} is not an impact.`, {
      metaMessages: ['Use high, medium or low.'],
    });
  const threshold: Impact = thresholdText;
  const algorithm = values['sign-algorithm'] ?? 'ed25519';
  if (!isSignatureAlgorithm(algorithm))
    throw new UsageError(`--sign-algorithm ${algorithm} is not supported.`, {
      metaMessages: ['Use ed25519 or secp256k1.'],
    });
  const signs = values['sign-key'] !== undefined || values['sign-key-env'] !== undefined;
  if (values.attestation && !signs)
    throw new UsageError('--attestation needs a key to sign it: pass --sign-key FILE or --sign-key-env VAR.');
  if (signs && !values.attestation)
    throw new UsageError('--sign-key signs the attestation: pass --attestation FILE to say where to write it.');
  // Read the key before the checks run, so a bad key fails fast.
  const key: SigningKey | undefined = signs
    ? readSigningKey({
        algorithm,
        file: values['sign-key'],
        envVar: values['sign-key-env'],
        cwd: io.cwd,
        env: io.env,
        option: '--sign-key',
      })
    : undefined;

  const loaded = await loadManifest({ cwd: io.cwd, file: values.manifest });
  const scanResults = values['scan-results']
    ? readScanResults(path.resolve(io.cwd, values['scan-results']), values['scan-results'])
    : undefined;
  const baseline = values.baseline ? loadBaseline(values.baseline, io.cwd) : undefined;

  return withStore(io, { db: values.db }, async (store) => {
    const actor = resolveActor(values.actor, io.env);
    const result = await runGate(store, {
      loaded,
      target,
      threshold,
      scanResults,
      baseline,
      testReport: values['test-report'],
      author: values.author,
      cwd: io.cwd,
      actor,
      env: io.env,
    });
    let attestation: { file: string; sha256: string; keyId: string } | undefined;
    if (key && values.attestation) {
      const written = await writeAttestation(store, {
        result,
        key,
        file: path.resolve(io.cwd, values.attestation),
        shownAs: values.attestation,
        actor,
      });
      attestation = { file: values.attestation, sha256: written.sha256, keyId: key.keyId };
    }
    if (format === 'json')
      io.stdout(
        `${JSON.stringify(
          {
            decision: result.decision,
            target: result.target,
            releaseDigest: result.releaseDigest,
            checks: result.checks,
            approvals: result.approvals,
            requiredApprovals: result.requiredApprovals,
            release: result.release,
            ...(attestation ? { attestation } : {}),
            startedOn: result.startedOn,
            finishedOn: result.finishedOn,
          },
          null,
          2,
        )}\n`,
      );
    else io.stdout(formatGate(result, attestation));
    return result.decision === 'pass' ? 0 : 1;
  });
}

function formatGate(result: GateResult, attestation: { file: string; keyId: string } | undefined): string {
  const lines = [`Release gate: ${result.target}, release ${result.releaseDigest}`, ''];
  const width = Math.max(...result.checks.map((c) => c.id.length), 'CHECK'.length);
  lines.push(`${'CHECK'.padEnd(width)}  STATUS  REASON`);
  for (const c of result.checks) lines.push(`${c.id.padEnd(width)}  ${c.status.toUpperCase().padEnd(6)}  ${c.reason}`);
  lines.push('');
  const failed = result.checks.filter((c) => c.status === 'fail').map((c) => c.id);
  lines.push(
    result.decision === 'pass'
      ? 'Decision: PASS. The release may go out.'
      : `Decision: FAIL (${failed.join(', ')}). The release may not go out.`,
  );
  if (attestation) lines.push(`Attestation: ${attestation.file}, signed by ${attestation.keyId}.`);
  return `${lines.join('\n')}\n`;
}

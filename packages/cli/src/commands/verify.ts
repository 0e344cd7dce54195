import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InputError, UsageError } from '@bulwark/core';
import { isSignatureAlgorithm, readPublicKey, verifyAttestation } from '@bulwark/governance';
import type { Io } from '../main.ts';

export const verifyHelp = `Usage: bulwark verify ATTESTATION --key PUBKEY [options]

Verifies a gate attestation (\`bulwark gate --attestation\`): the DSSE envelope's signature by
the gate's key, the in-toto statement, that each subject (contract artifact) on disk still has
the attested sha256, and that the gate's decision was pass. Needs no database.

Options:
      --key <pubkey|file>     The gate's public key (hex), or a file holding it
      --algorithm <alg>       ed25519 or secp256k1 (default: from the key's length)
      --root <dir>            The folder subject paths are relative to (default: here)
      --target <name>         Also require the attestation to be for this target
  -f, --format <text|json>    Output format (default: text)
  -h, --help                  Show this help

Exit codes: 0 verified, 1 verification failed (the message says which step and why),
2 usage error or unreadable file.
`;

export async function verifyCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      key: { type: 'string' },
      algorithm: { type: 'string' },
      root: { type: 'string' },
      target: { type: 'string' },
      format: { type: 'string', short: 'f' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(verifyHelp);
    return 0;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format ${format} is not a format.`, { metaMessages: ['Use text or json.'] });
  if (positionals.length !== 1)
    throw new UsageError('Give one attestation file: bulwark verify ATTESTATION --key PUBKEY.');
  if (!values.key) throw new UsageError('--key PUBKEY is required: the public key of the gate that signed.');
  if (values.algorithm !== undefined && !isSignatureAlgorithm(values.algorithm))
    throw new UsageError(`--algorithm ${values.algorithm} is not supported.`, {
      metaMessages: ['Use ed25519 or secp256k1.'],
    });
  const file = positionals[0]!;
  let text: string;
  try {
    text = readFileSync(path.resolve(io.cwd, file), 'utf8');
  } catch (error) {
    throw new InputError(`Cannot read the attestation ${file}.`, {
      cause: error,
      metaMessages: ['Fix: check the path; `bulwark gate --attestation FILE` writes one.'],
      docsPath: 'governance/verify.md',
    });
  }
  const key = readPublicKey(values.key, {
    algorithm: values.algorithm as 'ed25519' | 'secp256k1' | undefined,
    cwd: io.cwd,
  });
  const result = verifyAttestation({
    text,
    key,
    root: path.resolve(io.cwd, values.root ?? '.'),
    target: values.target,
  });
  if (format === 'json') {
    const predicate = result.statement?.predicate;
    io.stdout(
      `${JSON.stringify(
        {
          ok: result.ok,
          checks: result.checks,
          subjects: result.subjects,
          ...(predicate
            ? {
                target: predicate.target,
                releaseDigest: predicate.releaseDigest,
                decision: predicate.decision,
                finishedOn: predicate.finishedOn,
              }
            : {}),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const lines = result.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.id}: ${c.message}`);
    lines.push(result.ok ? `Verified: ${file}.` : `Not verified: ${file}.`);
    io.stdout(`${lines.join('\n')}\n`);
  }
  return result.ok ? 0 : 1;
}

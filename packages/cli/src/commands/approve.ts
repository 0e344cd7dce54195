import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '@bulwark/core';
import {
  ApprovalError,
  approvalMessage,
  computeRelease,
  generatePrivateKey,
  isSignatureAlgorithm,
  loadManifest,
  parsePrivateKey,
  publicKeyHex,
  readGateConfig,
  readSigningKey,
  recordApproval,
  type SignatureAlgorithm,
  verifyApprovals,
} from '@bulwark/governance';
import { listApprovals } from '@bulwark/store';
import { bytesToHex } from '@noble/hashes/utils';
import type { Io } from '../main.ts';
import { withStore } from '../store.ts';

export const approveHelp = `Usage: bulwark approve [options]                 sign this release as an approver
       bulwark approve --signature HEX --approver NAME   record a signature made elsewhere
       bulwark approve digest                    print the release digest and the text to sign
       bulwark approve list                      list this release's approvals, each verified
       bulwark approve pubkey --key FILE         print a key's public half, for gate.approvers
       bulwark approve keygen --out FILE         create a private key

The release digest is sha256 over the manifest, every contract source, the artifacts' bytecode,
the target and the dependency lock. Approvers sign "bulwark-release-approval:v1:<digest>:<target>"
(secp256k1: as an Ethereum personal_sign message, so \`cast wallet sign\` works too).

Options:
      --target <name>        Release target (default: production)
      --key <file>           Private key file (hex)
      --key-env <var>        Environment variable holding the private key (hex)
      --algorithm <alg>      ed25519 (default) or secp256k1
      --approver <name>      Your name in the manifest's gate.approvers (checked against the key)
      --signature <hex>      A signature made elsewhere, recorded after it is verified
      --author <name>        The release author, who may not approve (default: gate.author)
      --manifest <file>      The manifest (default: bulwark.config.ts|yaml|json here)
      --db <dir>             PGlite folder (default .bulwark/db; DATABASE_URL wins)
      --out <file>           keygen: where to write the new key (created with mode 600)
  -f, --format <text|json>   Output format (default: text)
  -h, --help                 Show this help

Exit codes: 0 done, 1 the approval was refused (unregistered key, bad signature, author,
duplicate), 2 usage or tool error.
`;

export async function approveCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      key: { type: 'string' },
      'key-env': { type: 'string' },
      algorithm: { type: 'string' },
      approver: { type: 'string' },
      signature: { type: 'string' },
      author: { type: 'string' },
      manifest: { type: 'string' },
      db: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string', short: 'f' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(approveHelp);
    return 0;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format ${format} is not a format.`, { metaMessages: ['Use text or json.'] });
  const algorithmText = values.algorithm ?? 'ed25519';
  if (!isSignatureAlgorithm(algorithmText))
    throw new UsageError(`--algorithm ${algorithmText} is not supported.`, {
      metaMessages: ['Use ed25519 or secp256k1.'],
    });
  const algorithm: SignatureAlgorithm = algorithmText;
  const target = values.target ?? 'production';
  const [action, ...extra] = positionals;
  if (extra.length > 0 || (action && !['digest', 'list', 'pubkey', 'keygen'].includes(action)))
    throw new UsageError(`Unexpected argument '${positionals.join(' ')}'.`, {
      metaMessages: ['Use digest, list, pubkey or keygen, or no argument to approve.'],
    });
  const print = (json: unknown, text: string) =>
    io.stdout(format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : text);
  const readKey = () =>
    readSigningKey({ algorithm, file: values.key, envVar: values['key-env'], cwd: io.cwd, env: io.env });

  if (action === 'keygen') {
    if (!values.out) throw new UsageError('keygen needs --out FILE: where to write the private key.');
    const file = path.resolve(io.cwd, values.out);
    if (existsSync(file))
      throw new UsageError(`${values.out} exists; keygen never overwrites a key.`, {
        metaMessages: ['Fix: choose another --out, or remove the old key yourself.'],
      });
    const key = parsePrivateKey(bytesToHex(generatePrivateKey(algorithm)), algorithm, 'the new key');
    writeFileSync(file, `${bytesToHex(key.privateKey)}\n`, { mode: 0o600 });
    const entry = { algorithm, publicKey: publicKeyHex(key), keyId: key.keyId };
    print(
      { file: values.out, ...entry },
      `Wrote a new ${algorithm} key to ${values.out}. Register it in the manifest:\n` +
        `gate:\n  approvers:\n    - name: <your name>\n      algorithm: ${algorithm}\n      publicKey: "${entry.publicKey}"\n`,
    );
    return 0;
  }
  if (action === 'pubkey') {
    const key = readKey();
    const entry = { algorithm, publicKey: publicKeyHex(key), keyId: key.keyId };
    print(entry, `algorithm: ${algorithm}\npublicKey: "${entry.publicKey}"\nkeyId: ${entry.keyId}\n`);
    return 0;
  }

  const loaded = await loadManifest({ cwd: io.cwd, file: values.manifest });
  const config = readGateConfig(loaded);
  const { digest, release } = computeRelease({ loaded, target });
  const message = approvalMessage(digest, target);
  if (action === 'digest') {
    print(
      { releaseDigest: digest, target, message, release },
      `release digest: ${digest}\ntarget: ${target}\nsign: ${message}\n`,
    );
    return 0;
  }

  return withStore(io, { db: values.db }, async (store) => {
    if (action === 'list') {
      const approvals = await listApprovals(store, { releaseDigest: digest });
      const verified = verifyApprovals({
        digest,
        target,
        approvals,
        approvers: config.approvers,
        author: values.author ?? config.author,
      });
      const text = [
        `Release ${digest} (${target}): ${verified.approvedBy.length} of ${config.requiredApprovals} required approvals.`,
        ...verified.verdicts.map(
          (v) =>
            `  ${v.valid ? 'valid  ' : 'INVALID'} ${v.approver ?? v.keyId} ${v.signedAt}${v.valid ? '' : `: ${v.reason}`}`,
        ),
      ].join('\n');
      print(
        {
          releaseDigest: digest,
          target,
          required: config.requiredApprovals,
          approvedBy: verified.approvedBy,
          approvals: verified.verdicts,
        },
        `${text}\n`,
      );
      return 0;
    }
    if (values.signature && (values.key || values['key-env']))
      throw new UsageError('Give either --signature (made elsewhere) or --key to sign here, not both.');
    try {
      const common = {
        digest,
        target,
        approvers: config.approvers,
        author: values.author ?? config.author,
        approverName: values.approver,
      };
      const recorded = values.signature
        ? await recordApproval(store, { ...common, signature: values.signature })
        : await recordApproval(store, { ...common, key: readKey() });
      const existing = await listApprovals(store, { releaseDigest: digest });
      const verified = verifyApprovals({
        digest,
        target,
        approvals: existing,
        approvers: config.approvers,
        author: common.author,
      });
      print(
        {
          releaseDigest: digest,
          target,
          approver: recorded.approver.name,
          keyId: recorded.approval.approverKeyId,
          algorithm: recorded.approval.algorithm,
          signature: recorded.approval.signature,
          message,
          approvals: verified.approvedBy.length,
          required: config.requiredApprovals,
        },
        `${recorded.approver.name} approved release ${digest} for ${target} ` +
          `(${verified.approvedBy.length} of ${config.requiredApprovals} required approvals).\n`,
      );
      return 0;
    } catch (error) {
      if (!(error instanceof ApprovalError)) throw error;
      io.stderr(`error: ${error.message}\n`);
      return 1;
    }
  });
}

/**
 * Signatures per second through the wallet guard's gate (`signAllowed`: digest check, sign,
 * recover-and-compare), one at a time, with three signers: a local key (in process), the AWS KMS
 * stand-in (SigV4-signed HTTP to 127.0.0.1, DER answer normalised to low-s with its recovery id)
 * and the Web3Signer stand-in (HTTP to 127.0.0.1). Peers in the same run: raw secp256k1 signing
 * with @noble/curves (the limit for a local key), and the local key (for the remote signers: what
 * the HTTP round trip and the encoding cost). The stand-ins sign with real keys, so their figures
 * are an upper bound for the real services, whose network latency dominates.
 * Median of BENCH_WALLET_RUNS (default 5) rounds of BENCH_WALLET_SIGNATURES (default 300).
 * Appends rows to BENCHMARKS.md. Needs nothing outside the repository.
 */

import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1';
import { type Hex, keccak256, numberToHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createKmsSigner } from '../../packages/wallet/src/signers/kms.ts';
import { createLocalKeySigner } from '../../packages/wallet/src/signers/localKey.ts';
import { payloadDigest, type Signer, type SignPayload, signAllowed } from '../../packages/wallet/src/signers/signer.ts';
import { startKmsStandIn, startWeb3SignerStandIn } from '../../packages/wallet/src/signers/testing.ts';
import { createWeb3Signer } from '../../packages/wallet/src/signers/web3signer.ts';
import { recordBenchmarkRows } from '../benchmarksFile.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
const date = new Date().toISOString().slice(0, 10);
const runs = Number(process.env.BENCH_WALLET_RUNS ?? 5);
const count = Number(process.env.BENCH_WALLET_SIGNATURES ?? 300);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

// Distinct payloads (a transfer each), so no signer can answer from a cache.
const recipient = privateKeyToAccount(generatePrivateKey()).address;
const payloads: SignPayload[] = Array.from({ length: count }, (_, nonce) => ({
  kind: 'transaction',
  transaction: {
    chainId: 1,
    type: 'eip1559',
    nonce,
    to: recipient,
    value: 1n,
    gas: 21_000n,
    maxFeePerGas: 30_000_000_000n,
    maxPriorityFeePerGas: 1_000_000_000n,
  },
}));
const authorizations = payloads.map((payload) => ({
  action: 'allow' as const,
  requestDigest: payloadDigest(payload).hash,
}));

async function perSecond(signer: Signer): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await signAllowed(authorizations[i]!, signer, payloads[i]!);
  return (count * 1000) / (performance.now() - started);
}

function rawPerSecond(privateKey: Hex): number {
  const hashes = payloads.map((_, i) => keccak256(numberToHex(i, { size: 32 })).slice(2));
  const started = performance.now();
  for (const hash of hashes) secp256k1.sign(hash, privateKey.slice(2), { lowS: true });
  return (count * 1000) / (performance.now() - started);
}

const credentials = { accessKeyId: 'AKIDBENCH000000001', secretAccessKey: 'bench-secret-0123456789abcdef' };
const keyId = 'bench-key';
const kmsKey = generatePrivateKey();
const w3sKey = generatePrivateKey();
const localKey = generatePrivateKey();
const kms = await startKmsStandIn({ privateKey: kmsKey, keyId, region: 'eu-west-1', credentials });
const w3s = await startWeb3SignerStandIn({ privateKeys: [w3sKey] });
try {
  const signers = {
    local: createLocalKeySigner({ privateKey: localKey }),
    kms: await createKmsSigner({ keyId, region: 'eu-west-1', credentials, endpoint: kms.url }),
    web3signer: await createWeb3Signer({ url: w3s.url, address: privateKeyToAccount(w3sKey).address }),
  };
  const results: Record<'raw' | keyof typeof signers, number[]> = { raw: [], local: [], kms: [], web3signer: [] };
  // Warm-up round (JIT, connection pools), not counted.
  for (const signer of Object.values(signers)) await perSecond(signer);
  for (let round = 0; round < runs; round++) {
    results.raw.push(rawPerSecond(localKey));
    for (const [name, signer] of Object.entries(signers))
      results[name as keyof typeof signers].push(await perSecond(signer));
  }
  const m = Object.fromEntries(Object.entries(results).map(([name, values]) => [name, median(values)])) as Record<
    keyof typeof results,
    number
  >;
  const data = `${count} EIP-1559 transactions signed one at a time through signAllowed, median of ${runs}, load avg ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`;
  const rate = (value: number) => `${value.toFixed(0)} sig/s`;
  const rows = [
    `| ${date} | ${commit} | local key: ${data} | ${rate(m.local)} | raw @noble/curves sign ${rate(m.raw)} | ${(m.local / m.raw).toFixed(2)} |`,
    `| ${date} | ${commit} | AWS KMS stand-in (127.0.0.1, SigV4, DER→low-s): ${data} | ${rate(m.kms)} | local key ${rate(m.local)} | ${(m.kms / m.local).toFixed(2)} |`,
    `| ${date} | ${commit} | Web3Signer stand-in (127.0.0.1): ${data} | ${rate(m.web3signer)} | local key ${rate(m.local)} | ${(m.web3signer / m.local).toFixed(2)} |`,
  ];
  for (const row of rows) console.log(row);
  if (!process.argv.includes('--no-append')) {
    recordBenchmarkRows(
      {
        name: 'wallet-signers',
        title: 'Wallet signers (`npm run bench:wallet-signers`)',
        intro:
          'Signatures per second through the gate (`signAllowed`), one at a time; the KMS and Web3Signer\nfigures are against local stand-ins that sign with real keys (an upper bound: real services add network latency).',
      },
      rows,
    );
  }
} finally {
  await kms.close();
  await w3s.close();
}

import path from 'node:path';
import { UsageError } from '@bulwark/core';
import {
  createKeystoreSigner,
  createKmsSigner,
  createLocalKeySigner,
  createWeb3Signer,
  type Signer,
} from '@bulwark/wallet';
import { getAddress, isAddress } from 'viem';

/*
 * The hot wallet `bulwark serve` sends wallet requests from: which key signs (one of four kinds,
 * as the wallet package has them) and where. Config names files and environment variables, never
 * secrets, the way the monitor's guardian key does (`keystore` + `passwordEnv`, `privateKeyEnv`).
 */

export const serveWalletHelp = `      --wallet-key-env VAR  Send wallet requests: the hot wallet's private key is in the environment
                            variable VAR; each allowed or approved transaction request of that
                            wallet on the chain of --wallet-rpc is signed and broadcast once, also
                            with several servers on one PostgreSQL (docs/server.md, replicas)
      --wallet-keystore FILE  ... or the key is in this keystore (v3), with its password in the
                            variable named by --wallet-password-env VAR
      --wallet-kms-key ID   ... or the key is this AWS KMS key (ECC_SECG_P256K1), in
                            --wallet-kms-region REGION (--wallet-kms-endpoint URL for a VPC
                            endpoint); credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
                            and AWS_SESSION_TOKEN
      --wallet-web3signer URL  ... or the key is held by this Web3Signer, the key of
                            --wallet-address ADDR (a bearer token in the variable named by
                            --wallet-web3signer-token-env VAR)
      --wallet-rpc URL      With a wallet key: the chain's JSON-RPC endpoint (HTTP)
      --wallet-source NAME  With a wallet key: the requests' source the key holds (default: hot)
      --wallet-claim-stale-after S  A send claimed by a replica that did not finish it in S
                            seconds (it died) is taken over by another (default: 60)
`;

export const serveWalletOptions = {
  'wallet-key-env': { type: 'string' },
  'wallet-keystore': { type: 'string' },
  'wallet-password-env': { type: 'string' },
  'wallet-kms-key': { type: 'string' },
  'wallet-kms-region': { type: 'string' },
  'wallet-kms-endpoint': { type: 'string' },
  'wallet-web3signer': { type: 'string' },
  'wallet-web3signer-token-env': { type: 'string' },
  'wallet-address': { type: 'string' },
  'wallet-rpc': { type: 'string' },
  'wallet-source': { type: 'string' },
  'wallet-claim-stale-after': { type: 'string' },
} as const;

type Values = Record<string, string | boolean | undefined>;

export type ServeWallet = { signer: Signer; rpcUrl: string; source: string; staleAfterMs: number };

const signerFlags = ['wallet-key-env', 'wallet-keystore', 'wallet-kms-key', 'wallet-web3signer'] as const;
/** Flags that only mean something with one of the signer flags, and the one they go with (if only one). */
const companions: Record<string, string | undefined> = {
  'wallet-password-env': 'wallet-keystore',
  'wallet-kms-region': 'wallet-kms-key',
  'wallet-kms-endpoint': 'wallet-kms-key',
  'wallet-web3signer-token-env': 'wallet-web3signer',
  'wallet-address': 'wallet-web3signer',
  'wallet-rpc': undefined,
  'wallet-source': undefined,
  'wallet-claim-stale-after': undefined,
};

/** A variable named by a flag: set and not empty, else a usage error naming the variable (never its value). */
function fromEnv(env: NodeJS.ProcessEnv, flag: string, name: string, what: string): string {
  const value = env[name];
  if (value === undefined || value === '')
    throw new UsageError(`--${flag} ${name}: the variable is ${value === undefined ? 'not set' : 'empty'}.`, {
      metaMessages: [`Set ${name} to ${what}.`],
    });
  return value;
}

/**
 * The hot wallet from serve's `--wallet-*` flags, or undefined without them. Opens the signer
 * (decrypts the keystore, asks KMS or Web3Signer for the key's address), so a wrong key refuses
 * the start.
 */
export async function serveWallet(
  values: Values,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<ServeWallet | undefined> {
  const given = signerFlags.filter((flag) => values[flag] !== undefined);
  if (given.length > 1) throw new UsageError(`--${given[0]} and --${given[1]} both name the wallet's key; give one.`);
  const signerFlag = given[0];
  for (const [flag, owner] of Object.entries(companions))
    if (values[flag] !== undefined && (signerFlag === undefined || (owner !== undefined && owner !== signerFlag)))
      throw new UsageError(
        `--${flag} goes with ${owner ? `--${owner}` : 'a wallet key (--wallet-key-env, --wallet-keystore, --wallet-kms-key or --wallet-web3signer)'}.`,
      );
  if (signerFlag === undefined) return undefined;
  const rpcUrl = values['wallet-rpc'] as string | undefined;
  if (rpcUrl === undefined) throw new UsageError(`--${signerFlag} needs --wallet-rpc URL (the chain to send on).`);
  const source = (values['wallet-source'] as string | undefined) ?? 'hot';
  return {
    signer: await openSigner(signerFlag, values, env, cwd, source),
    rpcUrl,
    source,
    staleAfterMs: staleAfter(values),
  };
}

function staleAfter(values: Values): number {
  const value = values['wallet-claim-stale-after'] as string | undefined;
  if (value === undefined) return 60_000;
  if (!/^[1-9]\d{0,5}$/.test(value))
    throw new UsageError(`--wallet-claim-stale-after ${value} is not a number of seconds.`, {
      metaMessages: ['Give a whole number of seconds, 1 or more; longer than a send takes (default 60).'],
    });
  return Number(value) * 1000;
}

async function openSigner(
  flag: (typeof signerFlags)[number],
  values: Values,
  env: NodeJS.ProcessEnv,
  cwd: string,
  source: string,
): Promise<Signer> {
  const value = values[flag] as string;
  if (flag === 'wallet-key-env') {
    const key = env[value];
    // The key itself is never quoted: only the variable's name.
    if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key))
      throw new UsageError(`--wallet-key-env ${value}: the variable must hold a private key (0x and 64 hex digits).`);
    return createLocalKeySigner({ privateKey: key as `0x${string}`, name: `serve:${source}` });
  }
  if (flag === 'wallet-keystore') {
    const passwordEnv = values['wallet-password-env'] as string | undefined;
    if (passwordEnv === undefined)
      throw new UsageError('--wallet-keystore needs --wallet-password-env VAR, the variable with its password.');
    const password = fromEnv(env, 'wallet-password-env', passwordEnv, `the password of the keystore ${value}`);
    return createKeystoreSigner({ path: path.resolve(cwd, value), password });
  }
  if (flag === 'wallet-kms-key') {
    const region = values['wallet-kms-region'] as string | undefined;
    if (region === undefined) throw new UsageError('--wallet-kms-key needs --wallet-kms-region REGION.');
    const credentials = {
      accessKeyId: fromEnv(env, 'wallet-kms-key', 'AWS_ACCESS_KEY_ID', 'the access key id of a role that may sign'),
      secretAccessKey: fromEnv(env, 'wallet-kms-key', 'AWS_SECRET_ACCESS_KEY', 'its secret access key'),
      sessionToken: env.AWS_SESSION_TOKEN || undefined,
    };
    return createKmsSigner({
      keyId: value,
      region,
      credentials,
      endpoint: values['wallet-kms-endpoint'] as string | undefined,
    });
  }
  const address = values['wallet-address'] as string | undefined;
  if (address === undefined || !isAddress(address, { strict: false }))
    throw new UsageError('--wallet-web3signer needs --wallet-address ADDR, the address of the key it holds.');
  const tokenEnv = values['wallet-web3signer-token-env'] as string | undefined;
  const token = tokenEnv && fromEnv(env, 'wallet-web3signer-token-env', tokenEnv, 'the bearer token of the signer');
  return createWeb3Signer({
    url: value,
    address: getAddress(address),
    headers: token ? { authorization: `Bearer ${token}` } : undefined,
  });
}

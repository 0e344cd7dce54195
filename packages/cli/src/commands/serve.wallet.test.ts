/**
 * `bulwark serve` sends wallet requests with each kind of key the wallet guard has: a keystore
 * file, an AWS KMS key and a Web3Signer (the last two through the local stand-ins that check what
 * they receive, as the real services would), on anvil, on both store engines.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encryptKeystore } from '@bulwark/chain';
import { startTestNode, type TestNode } from '@bulwark/chain/testing';
import { exchange, installPolicy } from '@bulwark/server/api-testing';
import { getWalletRequest, listLog } from '@bulwark/store';
import { approveRequest, parseRequest, submitRequest } from '@bulwark/wallet';
import { startKmsStandIn, startWeb3SignerStandIn } from '@bulwark/wallet/signers-testing';
import { createPublicClient, type Hex, http, numberToHex, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Io } from '../main.ts';
import { describeCli } from '../testing.ts';
import { serveCommand } from './serve.ts';

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode();
});
afterAll(async () => {
  await node?.stop();
});

const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-serve-wallet-'));

/** Waits for `check` to hold, reading again every 50 ms (the deadline only stops a hung test). */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Not true within 60 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeCli('bulwark serve: the wallet key from a keystore, KMS or Web3Signer', (ctx) => {
  beforeAll(async () => {
    await installPolicy(ctx.store);
  });

  /**
   * Funds `from`, runs serve with `args` and `env`, approves a 500 wei withdrawal and waits until
   * serve has broadcast it; checks the transaction on the chain is from `from`.
   */
  async function sendsFrom(from: Hex, args: string[], env: NodeJS.ProcessEnv) {
    await node.rpc('anvil_setBalance', [from, numberToHex(parseEther('1'))]);
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let errors = '';
    const io: Io = {
      stdout: () => {},
      stderr: (text) => {
        errors += text;
      },
      stdoutIsTty: false,
      stderrIsTty: false,
      cwd: dir,
      env,
      openStore: async () => ctx.store,
    };
    const serving = serveCommand(
      ['--port', '0', '--format', 'json', '--wallet-rpc', node.anvil.rpcUrl, ...args],
      io,
      () => stopped,
    );
    try {
      const request = parseRequest({
        kind: 'withdrawal',
        initiator: 'olga',
        source: 'hot',
        chain: 31337,
        asset: 'native',
        amount: '500',
        destination: exchange,
      });
      const { record } = await submitRequest(ctx.store, { request });
      await approveRequest(ctx.store, { id: record.id, approver: 'carol', digest: record.digest });
      const broadcast = async () =>
        (await listLog(ctx.store)).find(
          (e) => e.action === 'wallet.request.broadcast' && (e.payload as { id: string }).id === record.id,
        );
      await until(async () => (await broadcast()) !== undefined, `request sent (serve said: ${errors})`);
      expect((await getWalletRequest(ctx.store, record.id))?.state).toBe('signed');
      const hash = ((await broadcast())!.payload as { hash: Hex }).hash;
      const client = createPublicClient({ transport: http(node.anvil.rpcUrl) });
      const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
      expect(receipt).toMatchObject({ status: 'success', from: from.toLowerCase(), to: exchange });
    } finally {
      stop();
    }
    expect(await serving).toBe(0);
  }

  test('default: --wallet-keystore with --wallet-password-env signs with the keystore key', async () => {
    const key = generatePrivateKey();
    const file = path.join(dir, 'hot.json');
    const keystore = await encryptKeystore(key, 'correct horse', { scryptN: 1024 });
    writeFileSync(file, JSON.stringify(keystore));
    await sendsFrom(
      privateKeyToAccount(key).address,
      ['--wallet-keystore', 'hot.json', '--wallet-password-env', 'HOT_PW'],
      {
        HOT_PW: 'correct horse',
      },
    );
    // A wrong password refuses the start (exit 2) and does not print the password.
    const wrong = await ctx.run(
      [
        'serve',
        '--port',
        '0',
        '--wallet-keystore',
        file,
        '--wallet-password-env',
        'HOT_PW',
        '--wallet-rpc',
        node.anvil.rpcUrl,
      ],
      { env: { HOT_PW: 'wrong horse' } },
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).not.toContain('wrong horse');
  });

  test('behavior: --wallet-kms-key signs through KMS (SigV4 with the AWS_* credentials)', async () => {
    const key = generatePrivateKey();
    const keyId = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const credentials = { accessKeyId: 'AKIDEXAMPLE0000001', secretAccessKey: 'kms-secret-do-not-print/0123' };
    const kms = await startKmsStandIn({ privateKey: key, keyId, region: 'eu-west-1', credentials });
    try {
      await sendsFrom(
        privateKeyToAccount(key).address,
        ['--wallet-kms-key', keyId, '--wallet-kms-region', 'eu-west-1', '--wallet-kms-endpoint', kms.url],
        { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey },
      );
      expect(kms.refusals).toEqual([]);
      expect(kms.requests.map((r) => r.headers['x-amz-target'])).toContain('TrentService.Sign');
    } finally {
      await kms.close();
    }
  });

  test('behavior: --wallet-web3signer with --wallet-address signs through Web3Signer (bearer token from a variable)', async () => {
    const keys = [generatePrivateKey(), generatePrivateKey()];
    const token = 'w3s-bearer-token-0123456789abcdef';
    const remote = await startWeb3SignerStandIn({ privateKeys: keys, bearerToken: token });
    const address = privateKeyToAccount(keys[1]!).address;
    try {
      await sendsFrom(
        address,
        ['--wallet-web3signer', remote.url, '--wallet-address', address, '--wallet-web3signer-token-env', 'W3S_TOKEN'],
        { W3S_TOKEN: token },
      );
      expect(remote.refusals).toEqual([]);
      expect(remote.requests.some((r) => r.path.startsWith('/api/v1/eth1/sign/'))).toBe(true);
    } finally {
      await remote.close();
    }
  });

  test('error: two keys, a flag without its key, a missing password variable, a bad staleness: exit 2', async () => {
    const rpc = ['--wallet-rpc', 'http://127.0.0.1:8545'];
    for (const [args, message] of [
      [['--wallet-key-env', 'K', '--wallet-keystore', 'k.json', ...rpc], 'both name the wallet'],
      [
        ['--wallet-password-env', 'PW', '--wallet-key-env', 'K', ...rpc],
        '--wallet-password-env goes with --wallet-keystore',
      ],
      [['--wallet-keystore', 'k.json', ...rpc], 'needs --wallet-password-env'],
      [
        ['--wallet-keystore', 'k.json', '--wallet-password-env', 'UNSET_PW', ...rpc],
        'UNSET_PW: the variable is not set',
      ],
      [['--wallet-kms-key', 'id', ...rpc], 'needs --wallet-kms-region'],
      [
        ['--wallet-kms-key', 'id', '--wallet-kms-region', 'eu-west-1', ...rpc],
        'AWS_ACCESS_KEY_ID: the variable is not set',
      ],
      [['--wallet-web3signer', 'http://127.0.0.1:9', ...rpc], 'needs --wallet-address'],
      [['--wallet-key-env', 'K', '--wallet-claim-stale-after', '0', ...rpc], 'not a number of seconds'],
      [['--wallet-claim-stale-after', '5'], 'goes with a wallet key'],
    ] as const) {
      const result = await ctx.run(['serve', '--port', '0', ...args], { env: { K: `0x${'11'.repeat(32)}` } });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });
});

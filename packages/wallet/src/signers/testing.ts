/**
 * Local stand-ins for the remote signers no test can reach: an AWS KMS endpoint (the JSON API,
 * `X-Amz-Target: TrentService.GetPublicKey|Sign`) that checks the SigV4 signature it received and
 * signs with a real secp256k1 key (every other signature high-s, as KMS may answer), and a
 * Web3Signer (`/api/v1/eth1/publicKeys`, `/api/v1/eth1/sign/{publicKey}`). Not exported from the package.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { secp256k1 } from '@noble/curves/secp256k1';
import { type Hex, keccak256, toHex } from 'viem';
import { type AwsCredentials, signAwsRequest } from './sigv4.ts';

export type StandIn = {
  url: string;
  /** Every request, as received. */
  requests: { path: string; headers: IncomingMessage['headers']; body: string }[];
  /** Requests refused, with why (a bad SigV4 signature, an unknown key…). */
  refusals: string[];
  close(): Promise<void>;
};

async function serve(
  handle: (
    request: { method: string; path: string; headers: IncomingMessage['headers']; body: string },
    response: ServerResponse,
  ) => void,
  record: StandIn['requests'],
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      record.push({ path, headers: req.headers, body });
      handle({ method: req.method ?? 'GET', path, headers: req.headers, body }, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(response: ServerResponse, status: number, body: unknown, type = 'application/x-amz-json-1.1') {
  response.writeHead(status, { 'content-type': type });
  response.end(JSON.stringify(body));
}

const spkiPrefix = Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex');

export type KmsStandInParameters = {
  privateKey: Hex;
  keyId: string;
  region: string;
  credentials: AwsCredentials;
  /** Answer a high-s signature every other time (default true): KMS does not normalise. */
  highS?: boolean | undefined;
  /** Answer every Sign with this HTTP status and body (a KMS outage, a throttle). */
  failSign?: { status: number; body: unknown } | undefined;
};

export async function startKmsStandIn(parameters: KmsStandInParameters): Promise<StandIn & { highSAnswers: number }> {
  const requests: StandIn['requests'] = [];
  const refusals: string[] = [];
  const key = Buffer.from(parameters.privateKey.slice(2), 'hex');
  const publicKey = secp256k1.getPublicKey(key, false);
  let signs = 0;
  const state = { highSAnswers: 0 };
  const server = await serve((request, response) => {
    const refuse = (why: string, status = 400, type = 'InvalidSignatureException') => {
      refusals.push(why);
      json(response, status, { __type: type, message: why });
    };
    const target = String(request.headers['x-amz-target'] ?? '');
    if (request.method !== 'POST' || request.path !== '/')
      return refuse(`${request.method} ${request.path}`, 404, 'UnknownOperationException');
    if (request.headers['content-type'] !== 'application/x-amz-json-1.1')
      return refuse('content-type is not application/x-amz-json-1.1');
    // SigV4: the shape, then the signature itself, recomputed over the signed headers with the known secret.
    const authorization = String(request.headers.authorization ?? '');
    const match =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/kms\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
        authorization,
      );
    if (!match) return refuse('Authorization is not a SigV4 header');
    const [, accessKeyId, day, region, signedHeaders, signature] = match as unknown as string[];
    const amzDate = String(request.headers['x-amz-date'] ?? '');
    if (accessKeyId !== parameters.credentials.accessKeyId)
      return refuse('unknown access key', 400, 'UnrecognizedClientException');
    if (region !== parameters.region || !amzDate.startsWith(day!)) return refuse('credential scope does not match');
    const names = signedHeaders!.split(';');
    for (const required of ['content-type', 'host', 'x-amz-date', 'x-amz-target'])
      if (!names.includes(required)) return refuse(`${required} is not signed`);
    const date = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    const headers = Object.fromEntries(
      names
        .filter((n) => n !== 'host' && n !== 'x-amz-date' && n !== 'x-amz-security-token')
        .map((n) => [n, String(request.headers[n])]),
    );
    const expected = signAwsRequest({
      method: 'POST',
      url: new URL(`http://${request.headers.host}/`),
      headers,
      body: request.body,
      region: parameters.region,
      service: 'kms',
      credentials: parameters.credentials,
      date,
    }).authorization;
    if (!expected?.endsWith(`Signature=${signature}`))
      return refuse('The request signature we calculated does not match the signature you provided.');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.body) as Record<string, unknown>;
    } catch {
      return refuse('body is not JSON', 400, 'SerializationException');
    }
    if (body.KeyId !== parameters.keyId)
      return refuse(`Key '${String(body.KeyId)}' does not exist`, 400, 'NotFoundException');
    if (target === 'TrentService.GetPublicKey') {
      return json(response, 200, {
        KeyId: parameters.keyId,
        KeySpec: 'ECC_SECG_P256K1',
        KeyUsage: 'SIGN_VERIFY',
        PublicKey: Buffer.concat([spkiPrefix, publicKey]).toString('base64'),
        SigningAlgorithms: ['ECDSA_SHA_256'],
      });
    }
    if (target === 'TrentService.Sign') {
      if (parameters.failSign) return json(response, parameters.failSign.status, parameters.failSign.body);
      if (body.MessageType !== 'DIGEST' || body.SigningAlgorithm !== 'ECDSA_SHA_256')
        return refuse('only MessageType DIGEST with ECDSA_SHA_256 is served here', 400, 'ValidationException');
      const digest = Buffer.from(String(body.Message), 'base64');
      if (digest.length !== 32) return refuse('a DIGEST message must be 32 bytes', 400, 'ValidationException');
      let sig: InstanceType<typeof secp256k1.Signature> = secp256k1.sign(digest, key, { lowS: true, prehash: false });
      if ((parameters.highS ?? true) && signs++ % 2 === 0) {
        sig = new secp256k1.Signature(sig.r, secp256k1.CURVE.n - sig.s);
        state.highSAnswers++;
      }
      return json(response, 200, {
        KeyId: parameters.keyId,
        Signature: Buffer.from(sig.toDERRawBytes()).toString('base64'),
        SigningAlgorithm: 'ECDSA_SHA_256',
      });
    }
    return refuse(`unknown target ${target}`, 400, 'UnknownOperationException');
  }, requests);
  return Object.assign(state, { ...server, requests, refusals }) as StandIn & { highSAnswers: number };
}

export type Web3SignerStandInParameters = {
  privateKeys: Hex[];
  /** When set, requests without `authorization: Bearer <token>` get 401. */
  bearerToken?: string | undefined;
  /** Sign with this key instead (a compromised or misconfigured signer). */
  signWith?: Hex | undefined;
};

export async function startWeb3SignerStandIn(parameters: Web3SignerStandInParameters): Promise<StandIn> {
  const requests: StandIn['requests'] = [];
  const refusals: string[] = [];
  const keys = new Map(
    parameters.privateKeys.map((privateKey) => {
      const publicKey = toHex(secp256k1.getPublicKey(privateKey.slice(2), false).slice(1)) as string;
      return [publicKey.toLowerCase(), privateKey] as const;
    }),
  );
  const server = await serve((request, response) => {
    const refuse = (why: string, status: number) => {
      refusals.push(why);
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(why);
    };
    if (parameters.bearerToken && request.headers.authorization !== `Bearer ${parameters.bearerToken}`)
      return refuse('unauthorised', 401);
    if (request.method === 'GET' && request.path === '/api/v1/eth1/publicKeys')
      return json(response, 200, [...keys.keys()], 'application/json');
    const sign = /^\/api\/v1\/eth1\/sign\/(0x[0-9a-fA-F]+)$/.exec(request.path);
    if (request.method === 'POST' && sign) {
      const privateKey = keys.get(sign[1]!.toLowerCase());
      if (!privateKey) return refuse('Signer not found', 404);
      let data: string;
      try {
        data = String((JSON.parse(request.body) as { data?: unknown }).data);
      } catch {
        return refuse('body is not JSON', 400);
      }
      if (!/^0x([0-9a-fA-F]{2})*$/.test(data)) return refuse('data is not hex', 400);
      const signature = secp256k1.sign(keccak256(data as Hex).slice(2), (parameters.signWith ?? privateKey).slice(2), {
        lowS: true,
      });
      const hex = `0x${signature.toCompactHex()}${(27 + (signature.recovery ?? 0)).toString(16)}`;
      response.writeHead(200, { 'content-type': 'text/plain' });
      return response.end(hex);
    }
    return refuse(`${request.method} ${request.path}`, 404);
  }, requests);
  return { ...server, requests, refusals };
}

/** A fresh anvil (`--no-mining`; blocks by `evm_mine`) and a transfer to sign, for the acceptance tests. */
export async function startSignerChain() {
  const { startAnvil } = await import('@bulwark/contracts');
  const { createPublicClient, http, numberToHex: toQuantity, parseEther } = await import('viem');
  const anvil = await startAnvil({ noMining: true });
  const client = createPublicClient({ transport: http(anvil.rpcUrl) });
  const rpc = <T>(method: string, params: unknown[] = []) =>
    client.request({ method: method as never, params: params as never }) as Promise<T>;
  return {
    anvil,
    client,
    rpc,
    fund: (address: Hex) => rpc('anvil_setBalance', [address, toQuantity(parseEther('10'))]),
    /** An EIP-1559 transfer of 1 gwei from `from` to `to`, with the node's nonce and fees. */
    async transfer(from: Hex, to: Hex) {
      const nonce = await client.getTransactionCount({ address: from, blockTag: 'pending' });
      const block = await client.getBlock();
      return {
        chainId: 31337,
        type: 'eip1559' as const,
        nonce,
        to,
        value: 1_000_000_000n,
        gas: 21_000n,
        maxFeePerGas: (block.baseFeePerGas ?? 1_000_000_000n) * 2n + 1_000_000_000n,
        maxPriorityFeePerGas: 1_000_000_000n,
      };
    },
    /** Sends a raw transaction, mines one block, returns the receipt. */
    async sendAndMine(raw: Hex) {
      const hash = await rpc<Hex>('eth_sendRawTransaction', [raw]);
      await rpc('evm_mine');
      return client.getTransactionReceipt({ hash });
    },
    stop: () => anvil.stop(),
  };
}

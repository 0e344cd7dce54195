import { type Address, getAddress, type Hex, isAddressEqual, isHex, parseSignature } from 'viem';
import { SignerError } from './errors.ts';
import { addressOfPublicKey } from './kms.ts';
import { registerSigner, type Signer } from './signer.ts';

/*
 * A remote signer speaking the Web3Signer HTTP API (Consensys Web3Signer, or any signer that
 * implements its eth1 routes): `GET /api/v1/eth1/publicKeys` lists the secp256k1 public keys it
 * holds, `POST /api/v1/eth1/sign/{publicKey}` with `{ "data": hex }` signs keccak256(data) and
 * answers the 65-byte signature. So it is sent the preimage (the unsigned transaction, or
 * 0x1901 ‖ domain ‖ struct), and `signAllowed` checks the answer recovers to the address.
 */

export type CreateWeb3SignerParameters = {
  /** Base URL, e.g. `http://web3signer:9000`. May carry credentials; they are never logged. */
  url: string;
  /** Which of its keys: the address (the signer finds its public key). */
  address: Address;
  /** Extra headers (a bearer token in front of it); values are treated as secrets. */
  headers?: Record<string, string> | undefined;
  /** Default 10 s per request. */
  timeoutMs?: number | undefined;
  fetch?: typeof fetch | undefined;
};

export async function createWeb3Signer(parameters: CreateWeb3SignerParameters): Promise<Signer> {
  let base: URL;
  try {
    base = new URL(parameters.url);
  } catch {
    throw new SignerError('The Web3Signer URL is not a URL.', { secrets: [parameters.url], anchor: '#web3signer' });
  }
  const doFetch = parameters.fetch ?? fetch;
  const secrets = [parameters.url, base.password, base.username, ...Object.values(parameters.headers ?? {})];
  const host = base.host;
  const headers: Record<string, string> = { ...parameters.headers };
  if (base.username || base.password) {
    headers.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
    base.username = '';
    base.password = '';
  }
  const route = (path: string) => new URL(path, base.href.endsWith('/') ? base.href : `${base.href}/`);

  async function call(path: string, init: RequestInit): Promise<string> {
    let response: Response;
    try {
      response = await doFetch(route(path), {
        ...init,
        headers: { ...headers, ...(init.headers as Record<string, string>) },
        signal: AbortSignal.timeout(parameters.timeoutMs ?? 10_000),
      });
    } catch (cause) {
      throw new SignerError(`Web3Signer on ${host} did not answer.`, {
        cause,
        secrets,
        retryable: true,
        anchor: '#web3signer',
      });
    }
    const text = await response.text();
    if (!response.ok)
      throw new SignerError(
        `Web3Signer on ${host} refused ${path.split('/').slice(0, 5).join('/')}: HTTP ${response.status}.`,
        {
          secrets,
          retryable: response.status >= 500,
          anchor: '#web3signer',
          metaMessages: [response.status === 404 ? 'The signer does not hold this key.' : 'Check the signer’s logs.'],
        },
      );
    return text;
  }

  const listed = JSON.parse(await call('api/v1/eth1/publicKeys', { method: 'GET' })) as unknown;
  if (!Array.isArray(listed))
    throw new SignerError(`Web3Signer on ${host} answered publicKeys with something that is not a list.`, {
      anchor: '#web3signer',
    });
  const address = getAddress(parameters.address);
  const publicKey = listed
    .filter((key): key is string => typeof key === 'string' && isHex(key) && (key.length === 130 || key.length === 132))
    .find((key) => isAddressEqual(addressOfPublicKey(uncompressed(key)), address));
  if (!publicKey)
    throw new SignerError(`Web3Signer on ${host} holds no key for ${address} (it has ${listed.length}).`, {
      anchor: '#web3signer',
      metaMessages: ['Load the key into the signer, or fix the configured address.'],
    });

  return registerSigner({ kind: 'web3signer', address, name: `web3signer:${host}` }, async ({ preimage }) => {
    const text = await call(`api/v1/eth1/sign/${publicKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/plain, application/json' },
      body: JSON.stringify({ data: preimage }),
    });
    const value = text.trim().startsWith('"') ? (JSON.parse(text) as string) : text.trim();
    if (!isHex(value) || value.length !== 132)
      throw new SignerError(`Web3Signer on ${host} answered something that is not a 65-byte signature.`, {
        anchor: '#web3signer',
      });
    const signature = parseSignature(value as Hex);
    return { r: signature.r, s: signature.s, yParity: (signature.yParity ?? 0) as 0 | 1 };
  });
}

/** Web3Signer lists keys as 64 bytes (X ‖ Y) or 65 (04 ‖ X ‖ Y). */
function uncompressed(key: string): Uint8Array {
  const bytes = Buffer.from(key.slice(2), 'hex');
  return bytes.length === 64 ? Buffer.concat([Buffer.from([4]), bytes]) : bytes;
}

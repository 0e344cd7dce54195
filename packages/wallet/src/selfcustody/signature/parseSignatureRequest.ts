import { InputError } from '@bulwark/core';
import { type Address, getAddress, type Hex, hashTypedData, isAddress, isHex, stringToHex } from 'viem';
import type { Authorization, SignatureRequest, TypedData } from './types.ts';

const docsPath = 'wallet/self-custody.md#check-signature';

const fail = (problem: string, fix: string): never => {
  throw new InputError(`Signature request: ${problem}.`, { metaMessages: [fix], docsPath });
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads what a dapp asks a wallet to sign: EIP-712 typed data, a JSON-RPC request
 * (`eth_signTypedData_v4`, `eth_sign`, `personal_sign`) or an EIP-7702 authorization
 * (`{chainId, address, nonce}`). Anything else is an InputError that says which shapes are read.
 */
export function parseSignatureRequest(input: unknown): SignatureRequest {
  if (!isObject(input)) return fail('the file holds no JSON object', 'Give typed data or a JSON-RPC request object.');
  if (typeof input.method === 'string') return parseRpcRequest(input.method, input.params);
  if ('primaryType' in input || 'types' in input) {
    return { method: 'eth_signTypedData_v4', signer: undefined, typedData: parseTypedData(input) };
  }
  const authorization = isObject(input.authorization) ? input.authorization : input;
  if ('chainId' in authorization && ('address' in authorization || 'contractAddress' in authorization)) {
    return { method: 'eip7702_authorization', signer: undefined, authorization: parseAuthorization(authorization) };
  }
  return fail(
    'the object is neither typed data, a JSON-RPC request nor an EIP-7702 authorization',
    'Expected {domain, types, primaryType, message}, {method, params} or {chainId, address, nonce}.',
  );
}

function parseRpcRequest(method: string, params: unknown): SignatureRequest {
  if (!Array.isArray(params)) return fail(`'${method}' has no params array`, 'Give params as a JSON array.');
  switch (method) {
    case 'eth_signTypedData_v4':
    case 'eth_signTypedData_v3': {
      const [signer, data] = params;
      let typed = data;
      if (typeof data === 'string') {
        try {
          typed = JSON.parse(data);
        } catch {
          fail(`the typed data of '${method}' is a string that is not JSON`, 'params[1] must be typed data.');
        }
      }
      return { method: 'eth_signTypedData_v4', signer: optionalAddress(signer), typedData: parseTypedData(typed) };
    }
    case 'eth_sign': {
      const [signer, data] = params;
      return { method: 'eth_sign', signer: optionalAddress(signer), data: hexParam(data, method) };
    }
    case 'personal_sign': {
      // The spec puts the data first; some dapps send the address first. The address is the 20-byte one.
      const [first, second] = params;
      const addressFirst =
        typeof first === 'string' &&
        isAddress(first, { strict: false }) &&
        !(typeof second === 'string' && isAddress(second, { strict: false }));
      const [data, signer] = addressFirst ? [second, first] : [first, second];
      const bytes = typeof data === 'string' && !isHex(data) ? stringToHex(data) : hexParam(data, method);
      return { method: 'personal_sign', signer: optionalAddress(signer), data: bytes };
    }
    default:
      return fail(
        `method '${method}' is not a signing method read here`,
        'Use eth_signTypedData_v4, eth_sign or personal_sign.',
      );
  }
}

function parseTypedData(value: unknown): TypedData {
  if (!isObject(value)) return fail('the typed data is not an object', 'Give {domain, types, primaryType, message}.');
  const { domain, types, primaryType, message } = value;
  if (!isObject(types)) return fail("typed data has no 'types' object", 'EIP-712 typed data lists its struct types.');
  if (typeof primaryType !== 'string' || !Array.isArray(types[primaryType])) {
    return fail(`primaryType '${String(primaryType)}' is not one of the types`, 'Name a struct listed in types.');
  }
  if (!isObject(message)) return fail("typed data has no 'message' object", 'The message is what gets signed.');
  for (const [name, fields] of Object.entries(types)) {
    if (
      !Array.isArray(fields) ||
      fields.some((f) => !isObject(f) || typeof f.name !== 'string' || typeof f.type !== 'string')
    ) {
      return fail(`type '${name}' is not a list of {name, type}`, 'Each EIP-712 type is an array of fields.');
    }
  }
  const typedData: TypedData = {
    domain: isObject(domain) ? domain : {},
    types: types as TypedData['types'],
    primaryType: primaryType as string,
    message,
  };
  try {
    digestOf(typedData);
  } catch (cause) {
    // A wallet cannot sign what does not encode; a drainer's page would not get a signature either.
    throw new InputError('Signature request: the typed data does not encode as EIP-712.', {
      cause,
      metaMessages: ['Check each field against its declared type (addresses, uint ranges, bytes lengths).'],
      docsPath,
    });
  }
  return typedData;
}

function parseAuthorization(value: Record<string, unknown>): Authorization {
  const address = value.address ?? value.contractAddress;
  if (typeof address !== 'string' || !isAddress(address, { strict: false })) {
    return fail(
      'the authorization has no valid delegate address',
      "Give 'address' (the contract the account delegates to).",
    );
  }
  return {
    chainId: bigintOf(value.chainId, 'chainId'),
    address: getAddress(address),
    nonce: bigintOf(value.nonce ?? 0, 'nonce'),
  };
}

function bigintOf(value: unknown, name: string): bigint {
  try {
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'bigint') return BigInt(value);
  } catch {}
  return fail(`'${name}' is not a number`, `Give '${name}' as a decimal or 0x number.`);
}

function optionalAddress(value: unknown): Address | undefined {
  return typeof value === 'string' && isAddress(value, { strict: false }) ? getAddress(value) : undefined;
}

function hexParam(value: unknown, method: string): Hex {
  if (typeof value !== 'string' || !isHex(value))
    return fail(`'${method}' data is not 0x hex`, 'Give the bytes to sign as 0x hex.');
  return value;
}

/** The EIP-712 digest the wallet signs: what a hardware wallet shows for typed data it cannot display. */
export const digestOf = (typedData: TypedData): Hex => hashTypedData(typedData as Parameters<typeof hashTypedData>[0]);

import { unlimitedAmount } from '../../../tokens.ts';
import { defineSignatureCheck } from '../defineSignatureCheck.ts';

export const unrecognizedTypedDataCheck = defineSignatureCheck({
  id: 'unrecognized-typed-data',
  title: 'Typed data of an unrecognised kind',
  impact: 'medium',
  confidence: 'low',
  description:
    'EIP-712 typed data that is none of the permits, orders, votes or logins recognised here. Its fields are shown; a huge number among them is reported.',
  scenario:
    'A drainer uses a contract-specific "claim" or "order" type that no wallet decodes, hoping the user signs without reading.',
  recommendation:
    'Read every field; sign only when you know the contract in the domain and what it does with the message.',
  swc: [],
  owasp: [],
  control: 'WAL-09',
  check(context) {
    if (context.decoded.kind !== 'typed-data') return [];
    const huge = hugeNumbers(context.decoded.fields);
    return [
      huge.length > 0
        ? {
            id: 'unrecognized-typed-data',
            severity: 'medium',
            message: `Typed data '${context.decoded.primaryType}' is not recognised and carries unlimited-looking numbers in ${huge.join(', ')}.`,
          }
        : {
            id: 'unrecognized-typed-data',
            severity: 'low',
            message: `Typed data '${context.decoded.primaryType}' is not recognised: read its fields before signing.`,
          },
    ];
  },
});

function hugeNumbers(value: unknown, path = 'message'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => hugeNumbers(item, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => hugeNumbers(item, `${path}.${key}`));
  }
  if ((typeof value === 'string' && /^\d+$/.test(value) && value.length < 80) || typeof value === 'number') {
    try {
      if (BigInt(value) >= unlimitedAmount) return [path];
    } catch {}
  }
  return [];
}

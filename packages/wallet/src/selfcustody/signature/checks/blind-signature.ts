import { defineSignatureCheck } from '../defineSignatureCheck.ts';
import type { SignatureSeverity } from '../types.ts';

const severities: Record<string, [SignatureSeverity, string]> = {
  'eth-sign-hash': [
    'critical',
    'eth_sign of a 32-byte hash: it can be the hash of a transaction, an order or a permit, and the wallet cannot show which',
  ],
  'eth-sign-transaction': [
    'critical',
    'eth_sign of a serialized transaction: the signature is a valid transaction anyone can broadcast',
  ],
  'eth-sign-authorization': [
    'critical',
    'eth_sign of an EIP-7702 authorization: the account hands its code to another contract',
  ],
  'eth-sign-bytes': [
    'high',
    'eth_sign of raw bytes: eth_sign signs without a prefix, so the bytes may be anything the chain accepts',
  ],
  'personal-sign-hash': [
    'high',
    'personal_sign of a 32-byte hash: contracts that accept prefixed signatures (orders, meta-transactions) take it as consent',
  ],
  'personal-sign-transaction': [
    'high',
    'personal_sign of bytes that decode to a transaction: nothing readable is shown',
  ],
  'personal-sign-authorization': ['high', 'personal_sign of bytes shaped like an EIP-7702 authorization'],
  'personal-sign-bytes': ['medium', 'personal_sign of bytes that are not readable text'],
  'blur-bulk-root': [
    'high',
    'a Blur bulk signature over a merkle root: the orders it lists are not shown and can include give-away listings',
  ],
};

export const blindSignatureCheck = defineSignatureCheck({
  id: 'blind-signature',
  title: 'Blind signature (hash or raw bytes)',
  impact: 'high',
  confidence: 'high',
  description:
    'The request signs bytes the wallet cannot show as anything meaningful: an eth_sign of a hash, a personal_sign of binary data, a bulk-order merkle root.',
  scenario:
    "The drainer computes the hash of a transaction or order moving the victim's assets and asks for eth_sign of it; the signature is the order.",
  recommendation: 'Never sign a hash or raw bytes for a website; dapps that need a signature use EIP-712 typed data.',
  swc: [],
  owasp: [],
  control: 'WAL-09',
  check(context) {
    const entry = severities[context.decoded.kind];
    if (!entry) return [];
    return [{ id: 'blind-signature', severity: entry[0], message: `${entry[1]}.` }];
  },
});

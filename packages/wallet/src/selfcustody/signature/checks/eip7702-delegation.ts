import { describeAccount } from '../../accountInfo.ts';
import { defineSignatureCheck } from '../defineSignatureCheck.ts';

export const eip7702DelegationCheck = defineSignatureCheck({
  id: 'eip7702-delegation',
  title: 'EIP-7702 delegation of the account',
  impact: 'high',
  confidence: 'high',
  description:
    "An EIP-7702 authorization sets the account's code to the delegate contract: from then on that contract decides what the account does with every asset it holds or receives.",
  scenario:
    'A phishing page asks for an authorization to a "sweeper" contract (often with chainId 0, valid on every chain); the sweeper empties the account on each chain and takes whatever arrives later.',
  recommendation:
    "Delegate only through your wallet's own upgrade screen, to the wallet vendor's audited delegator, for one chain; a website never needs an authorization.",
  swc: [],
  owasp: [],
  control: 'WAL-09',
  check(context) {
    const authorization = context.decoded.authorization;
    if (!authorization) return [];
    const facts = context.addresses?.get(authorization.address.toLowerCase());
    const anyChain = authorization.chainId === 0n;
    const chainNote = anyChain
      ? 'chainId 0: valid on every chain'
      : context.chainId !== undefined && BigInt(context.chainId) !== authorization.chainId
        ? `for chain ${authorization.chainId}, not the chain you are on (${context.chainId})`
        : `for chain ${authorization.chainId}`;
    return [
      {
        id: 'eip7702-delegation',
        severity: 'critical',
        message: `Authorization delegates this account to ${authorization.address}${facts ? ` (${describeAccount(facts)})` : ''}, ${chainNote}, nonce ${authorization.nonce}: the delegate controls every asset of the account.`,
      },
    ];
  },
});

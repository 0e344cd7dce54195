import { getAddress, isAddress } from 'viem';
import { knownTokens, permit2Address } from '../../knownAddresses.ts';
import { defineSignatureCheck } from '../defineSignatureCheck.ts';
import type { SignatureFinding } from '../types.ts';

export const domainMismatchCheck = defineSignatureCheck({
  id: 'domain-mismatch',
  title: 'EIP-712 domain does not match the chain or the contract',
  impact: 'high',
  confidence: 'high',
  description:
    'The domain binds a signature to a chain and a verifying contract. A chainId other than the one the user is on, a Permit2 message whose verifying contract is not Permit2, or a well-known token name on another contract means the signature will be used somewhere other than where the page says.',
  scenario:
    'A page on a test network asks for a mainnet permit (chainId 1) the user thinks is worthless; or a "USD Coin" permit names a look-alike contract that then pulls the real tokens through another approval.',
  recommendation:
    'Compare the domain chainId and verifyingContract with the chain and the token you mean; refuse when they differ.',
  swc: [],
  owasp: [],
  control: 'WAL-09',
  check(context) {
    const { domain, grants, orders } = context.decoded;
    if (!domain) return [];
    const findings: SignatureFinding[] = [];
    const moves = grants.length > 0 || orders.length > 0;
    const domainChain = domain.chainId === undefined ? undefined : Number(domain.chainId);
    if (context.chainId === undefined) {
      if (moves)
        findings.push({ id: 'domain-mismatch', severity: 'info', message: 'Chain not checked: give --chain-id N.' });
    } else if (domainChain !== undefined && domainChain !== context.chainId) {
      findings.push({
        id: 'domain-mismatch',
        severity: moves ? 'high' : 'medium',
        message: `The domain is for chain ${domainChain}, not chain ${context.chainId} you are on: the signature is usable on chain ${domainChain}.`,
      });
    } else if (domainChain === undefined && moves) {
      findings.push({
        id: 'domain-mismatch',
        severity: 'medium',
        message: 'The domain has no chainId: the signature may be replayed on other chains.',
      });
    }
    const verifying =
      typeof domain.verifyingContract === 'string' && isAddress(domain.verifyingContract, { strict: false })
        ? getAddress(domain.verifyingContract)
        : undefined;
    const permit2 = grants.some((grant) => grant.standard.startsWith('permit2'));
    if (permit2 && verifying !== permit2Address) {
      findings.push({
        id: 'domain-mismatch',
        severity: 'high',
        message: `A Permit2 message with verifying contract ${verifying ?? '(none)'} instead of Permit2 ${permit2Address}: a look-alike contract.`,
      });
    }
    if (!permit2 && grants.length > 0 && verifying === permit2Address) {
      findings.push({
        id: 'domain-mismatch',
        severity: 'high',
        message: 'A token permit whose verifying contract is Permit2: the message and the contract do not match.',
      });
    }
    const chain = context.chainId ?? domainChain;
    const borrowed = knownTokens.find(
      (token) =>
        token.name === domain.name && token.chainId === chain && verifying !== undefined && verifying !== token.address,
    );
    if (borrowed && grants.length > 0) {
      findings.push({
        id: 'domain-mismatch',
        severity: 'high',
        message: `The domain is named '${borrowed.name}' but its verifying contract is ${verifying}, not ${borrowed.address}.`,
      });
    }
    return findings;
  },
});

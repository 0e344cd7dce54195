import { defineSignatureCheck } from '../defineSignatureCheck.ts';
import type { SignatureFinding } from '../types.ts';

export const loginMessageCheck = defineSignatureCheck({
  id: 'login-message',
  title: 'Readable message, login or vote',
  impact: 'low',
  confidence: 'high',
  description:
    'A readable personal_sign message (a Sign-In with Ethereum login, EIP-4361) or a DAO vote grants nothing on chain. A SIWE login is checked: its URI must be on the domain it names, its chain the one the user is on.',
  scenario:
    "A phishing page shows a login for the real site's domain with its own URI, to reuse the session it obtains.",
  recommendation: 'Sign logins only for the site in the address bar; check the domain and URI lines.',
  swc: [],
  owasp: [],
  control: 'WAL-09',
  check(context) {
    const { decoded, request } = context;
    const { login } = decoded;
    if (decoded.kind === 'vote' || decoded.kind === 'vote-delegation') {
      return [
        {
          id: 'login-message',
          severity: decoded.kind === 'vote' ? 'info' : 'low',
          message: `${decoded.summary}: grants no tokens.`,
        },
      ];
    }
    if (decoded.kind === 'text-message') {
      return [
        {
          id: 'login-message',
          severity: 'info',
          message: 'A readable message: signing it grants nothing on chain by itself.',
        },
      ];
    }
    if (!login) return [];
    const findings: SignatureFinding[] = [];
    let uriHost: string | undefined;
    try {
      uriHost = login.uri ? new URL(login.uri).host : undefined;
    } catch {
      uriHost = undefined;
    }
    if (login.uri && uriHost !== login.domain) {
      findings.push({
        id: 'login-message',
        severity: 'medium',
        message: `The login names domain ${login.domain} but URI ${login.uri}: a page signing you in somewhere else.`,
      });
    }
    if (context.chainId !== undefined && login.chainId !== undefined && login.chainId !== context.chainId) {
      findings.push({
        id: 'login-message',
        severity: 'medium',
        message: `The login is for chain ${login.chainId}, not ${context.chainId}.`,
      });
    }
    if (request.signer && login.address.toLowerCase() !== request.signer.toLowerCase()) {
      findings.push({
        id: 'login-message',
        severity: 'medium',
        message: `The login names account ${login.address}, not the signer ${request.signer}.`,
      });
    }
    if (findings.length === 0) {
      findings.push({
        id: 'login-message',
        severity: 'info',
        message: `Sign-In with Ethereum to ${login.domain}: grants nothing on chain.`,
      });
    }
    return findings;
  },
});

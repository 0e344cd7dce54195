/** What a preflight check looked at. */
export type PreflightCheck = 'abi' | 'threat-intel' | 'endpoint' | 'chain-id' | 'code' | 'responder';

/**
 * One finding of the preflight: `where` is the place in the config (a JSON pointer such as
 * `/contracts/0/breaker`), `message` what was found (endpoints by redacted name, never a URL with
 * its key), `fix` what to change when it is not `ok`.
 */
export type PreflightResult = {
  check: PreflightCheck;
  where: string;
  status: 'ok' | 'warning' | 'error';
  message: string;
  fix?: string | undefined;
};

export const ok = (check: PreflightCheck, where: string, message: string): PreflightResult => ({
  check,
  where,
  status: 'ok',
  message,
});

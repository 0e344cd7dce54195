/**
 * Who is acting, for the log: `--actor`, else `BULWARK_ACTOR`, else the login name. The log
 * records this name as given; it is an attribution, not an authentication.
 */
export function resolveActor(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const actor = flag?.trim() || env.BULWARK_ACTOR?.trim() || env.USER?.trim() || env.LOGNAME?.trim();
  return actor || 'cli';
}

import { IdentityError } from '../identity/errors.ts';

/**
 * Who is acting, for the log: `--actor`, else `BULWARK_ACTOR`, else the login name. Once people
 * are registered (`bulwark identity add`), the name must be one of them (see requireIdentity);
 * it is an attribution, not an authentication.
 */
export function resolveActor(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const actor = flag?.trim() || env.BULWARK_ACTOR?.trim() || env.USER?.trim() || env.LOGNAME?.trim();
  if (actor) return actor;
  throw new IdentityError('Nobody to attribute this action to: no --actor, BULWARK_ACTOR or login name.', {
    metaMessages: [
      'Say who you are with --actor NAME or BULWARK_ACTOR=NAME.',
      'Register the people who act with `bulwark identity add NAME --role ROLE` (the first one with --role admin).',
    ],
    docsPath: 'governance/identity.md',
  });
}

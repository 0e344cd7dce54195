import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requireRole } from '@bulwark/governance';
import { listLog } from '@bulwark/store';
import { expect, test } from 'vitest';
import { describeCli } from '../testing.ts';

describeCli('bulwark identity', (ctx) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-identity-'));
  const as = (actor: string, args: string[]) => ctx.run(args, { cwd: dir, env: { BULWARK_ACTOR: actor } });
  const addRisk = (actor: string) =>
    as(actor, [
      'risk',
      'add',
      '--threat',
      'Key theft',
      '--asset',
      'Hot wallet',
      '--likelihood',
      '2',
      '--impact',
      '5',
      '--owner',
      actor,
      '--treatment',
      'mitigate',
    ]);

  test('default: registered people act under their name; others are refused once anyone is registered', async () => {
    const empty = await as('alice', ['identity', 'list']);
    expect(empty.stdout).toContain('Register yourself first: bulwark identity add YOUR-NAME --role admin');
    // Before the first registration, names are taken as given.
    expect((await addRisk('carol')).code).toBe(0);

    const notAdmin = await as('alice', ['identity', 'add', 'alice', '--role', 'review-dependencies']);
    expect(notAdmin.code).toBe(2);
    expect(notAdmin.stderr).toContain('The first identity must be an admin');
    expect((await as('alice', ['identity', 'add', 'alice', '--role', 'admin'])).stdout).toBe(
      'Registered alice: admin.\n',
    );

    const refused = await addRisk('carol');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('"carol" is not a registered identity, so it cannot act here.');
    expect(refused.stderr).toContain('bulwark identity add NAME --role ROLE');
    expect((await addRisk('alice')).code).toBe(0);

    // Only an admin registers people; roles add up.
    const byCarol = await as('carol', ['identity', 'add', 'bob', '--role', 'resolve-findings']);
    expect(byCarol.code).toBe(2);
    await as('alice', ['identity', 'add', 'bob', '--role', 'resolve-findings']);
    expect((await as('alice', ['identity', 'add', 'bob', '--role', 'review-dependencies'])).stdout).toBe(
      'Registered bob: resolve-findings, review-dependencies.\n',
    );
    const bad = await as('alice', ['identity', 'add', 'bob', '--role', 'reviewer']);
    expect(bad.stderr).toContain('--role reviewer is not a role.');

    const log = await listLog(ctx.store);
    expect(log.filter((e) => e.action === 'risk.add').map((e) => e.actor)).toEqual(['carol', 'alice']);
    expect(log.filter((e) => e.action === 'identity.add').map((e) => e.actor)).toEqual(['alice', 'alice', 'alice']);
    expect(log.map((e) => e.actor)).not.toContain('cli');
    expect((await as('alice', ['log', 'verify'])).code).toBe(0);
    const list = await as('alice', ['identity', 'list']);
    expect(list.stdout).toMatch(/^alice\s+admin\nbob\s+resolve-findings, review-dependencies\n$/);
  });

  test('behavior: requireRole lets a role holder or an admin through, and names the missing role', async () => {
    await expect(requireRole(ctx.store, 'bob', 'review-dependencies')).resolves.toBeUndefined();
    await expect(requireRole(ctx.store, 'alice', 'accept-exceptions')).resolves.toBeUndefined();
    await expect(requireRole(ctx.store, 'bob', 'accept-exceptions')).rejects.toThrow(
      /bob may not do this: it needs the role accept-exceptions/,
    );
    await expect(requireRole(ctx.store, 'mallory', 'resolve-findings')).rejects.toThrow(/not a registered identity/);
  });

  test('error: a key is registered from what approve pubkey prints; no name means no action', async () => {
    await ctx.run(['approve', 'keygen', '--out', 'k.hex'], { cwd: dir });
    const printed = await ctx.run(['approve', 'pubkey', '--key', 'k.hex'], { cwd: dir });
    const withKey = await as('alice', ['identity', 'add', 'bob', '--key', printed.stdout.trim()]);
    expect(withKey.code).toBe(0);
    expect(withKey.stdout).toMatch(
      /^Registered bob: resolve-findings, review-dependencies; key ed25519:[0-9a-f]{64}\.\n$/,
    );
    const nobody = await addRisk('');
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toContain('Nobody to attribute this action to: no --actor, BULWARK_ACTOR or login name.');
  });
});

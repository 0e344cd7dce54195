import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { BaseError } from '@bulwark/core';

/**
 * A throwaway PostgreSQL cluster for tests, from the binaries on this machine (Debian puts them in
 * /usr/lib/postgresql/<version>/bin). initdb refuses to run as root, so as root everything runs as
 * the `postgres` system user. The cluster listens on 127.0.0.1 on a free port, with a password,
 * and is gone when the process that started it ends, however it ends.
 */

const run = promisify(execFile);

export class PostgresServerError extends BaseError {
  override name = 'PostgresServerError' as const;
}

export type PostgresBinaries = {
  binDir: string;
  /** Major version, from the folder or `postgres --version`. */
  version: string;
  /** Command prefix that runs a program as the cluster's owner: `['runuser', '-u', 'postgres', '--']` as root. */
  runAs: string[];
  /** uid/gid to give folders the owner must write, when running as root. */
  owner: { uid: number; gid: number } | undefined;
};

export type PostgresServer = {
  /** Superuser URL, with the password: `postgres://postgres:…@127.0.0.1:port/postgres`. */
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
  /** Stops the server at once (`-m immediate`, as a crash) and starts it again on the same port and data. */
  restart(): Promise<void>;
};

const programs = ['initdb', 'pg_ctl', 'postgres'] as const;

/**
 * Finds initdb, pg_ctl and postgres; returns why not when they cannot be used here. Looks only in
 * $PG_BINDIR when it is set, else in PATH, /usr/lib/postgresql/<newest>/bin and /usr/local/pgsql/bin.
 */
export function findPostgresBinaries(): PostgresBinaries | { missing: string } {
  const candidates: string[] = [];
  if (process.env.PG_BINDIR) {
    // An explicit choice: only there.
    candidates.push(process.env.PG_BINDIR);
  } else {
    candidates.push(...(process.env.PATH ?? '').split(delimiter).filter(Boolean));
    if (existsSync('/usr/lib/postgresql')) {
      const versions = readdirSync('/usr/lib/postgresql')
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a));
      candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
    }
    candidates.push('/usr/local/pgsql/bin');
  }
  const binDir = candidates.find((dir) => programs.every((p) => existsSync(join(dir, p))));
  if (!binDir)
    return {
      missing: process.env.PG_BINDIR
        ? `PG_BINDIR (${process.env.PG_BINDIR}) does not hold initdb, pg_ctl and postgres`
        : 'no PostgreSQL server binaries (initdb, pg_ctl, postgres) in PATH or /usr/lib/postgresql/*/bin; install Debian\'s "postgresql" package or set TEST_DATABASE_URL',
    };
  const versionOutput = spawnSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout ?? '';
  const version = /(\d+)(?:\.\d+)?/.exec(versionOutput)?.[1] ?? 'unknown';

  if (process.getuid?.() !== 0) return { binDir, version, runAs: [], owner: undefined };
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0)
    return { missing: 'running as root and there is no "postgres" user to run initdb as (initdb refuses root)' };
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find(existsSync);
  const runAs = runuser ? [runuser, '-u', 'postgres', '--'] : undefined;
  if (!runAs) return { missing: 'running as root without runuser to run initdb as the "postgres" user' };
  return {
    binDir,
    version,
    runAs,
    owner: { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) },
  };
}

async function runAsOwner(bin: PostgresBinaries, program: string, args: string[]): Promise<string> {
  const [command, ...prefix] = [...bin.runAs, program];
  try {
    const { stdout } = await run(command!, [...prefix, ...args], { cwd: tmpdir(), timeout: 120_000 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new PostgresServerError(`${program} failed.`, {
      details: (e.stderr || e.stdout || e.message).trim().slice(0, 2000),
    });
  }
}

function own(bin: PostgresBinaries, path: string): void {
  if (bin.owner) chownSync(path, bin.owner.uid, bin.owner.gid);
}

/**
 * An initdb'd data folder shared by the tests of this machine, copied for each cluster:
 * initdb takes seconds, a copy a fraction of one. Built in a temporary folder and renamed into
 * place, so concurrent test processes never see half of one.
 */
async function template(bin: PostgresBinaries): Promise<{ dir: string; password: string }> {
  const user = bin.owner ? 'postgres' : String(process.getuid?.() ?? 'user');
  const dir = join(tmpdir(), `bulwark-pg${bin.version}-template-${user}`);
  const passwordFile = join(dir, 'bulwark-password');
  const ready = () => existsSync(join(dir, 'PG_VERSION')) && existsSync(passwordFile);
  if (!ready()) {
    const work = mkdtempSync(join(tmpdir(), 'bulwark-pg-init-'));
    own(bin, work);
    const password = randomBytes(18).toString('base64url');
    const pwfile = join(work, 'pwfile');
    await runAsOwner(bin, 'sh', ['-c', `umask 077 && printf %s "$1" > "$2"`, 'sh', password, pwfile]);
    const data = join(work, 'data');
    await runAsOwner(bin, join(bin.binDir, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=scram-sha-256',
      `--pwfile=${pwfile}`,
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    await runAsOwner(bin, 'sh', ['-c', 'umask 077 && cp "$1" "$2"', 'sh', pwfile, join(data, 'bulwark-password')]);
    try {
      if (!ready()) renameSync(data, dir);
    } catch {
      // Another process got there first; its template is as good as ours.
    }
    rmSync(work, { recursive: true, force: true });
    if (!ready()) throw new PostgresServerError(`Could not prepare the template cluster in ${dir}.`);
  }
  return { dir, password: readFileSync(passwordFile, 'utf8').trim() };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Starts a new cluster; it is stopped by `stop()`, at process exit, or by a watchdog if the process is killed. */
export async function startPostgres(bin?: PostgresBinaries): Promise<PostgresServer> {
  const found = bin ?? findPostgresBinaries();
  if ('missing' in found) throw new PostgresServerError(`Cannot start PostgreSQL: ${found.missing}.`);
  const { dir: templateDir, password } = await template(found);

  const root = mkdtempSync(join(tmpdir(), 'bulwark-pg-'));
  own(found, root);
  const dataDir = join(root, 'data');
  await runAsOwner(found, 'cp', ['-R', templateDir, dataDir]);
  const pgCtl = join(found.binDir, 'pg_ctl');

  const pgStart = (port: number) =>
    runAsOwner(found, pgCtl, [
      '-D',
      dataDir,
      '-l',
      join(root, 'log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${port} -c listen_addresses=127.0.0.1 -k ${root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
      'start',
    ]);

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      await pgStart(port);
    } catch (error) {
      lastError = error;
      continue;
    }
    const stopNow = () => {
      const [command, ...prefix] = [...found.runAs, pgCtl];
      spawnSync(command!, [...prefix, '-D', dataDir, '-m', 'immediate', '-w', 'stop'], {
        stdio: 'ignore',
        cwd: tmpdir(),
      });
      // We own the folder (or are root), so no need to switch user for this.
      rmSync(root, { recursive: true, force: true });
    };
    // Outlives us if we are killed: stops the cluster once this process is gone.
    const watchdog = [
      `while kill -0 ${process.pid} 2>/dev/null || [ -d /proc/${process.pid} ]; do sleep 1; done`,
      `"${pgCtl}" -D "${dataDir}" -m immediate stop >/dev/null 2>&1`,
      `rm -rf "${root}"`,
    ].join('; ');
    const [command, ...prefix] = [...found.runAs, 'sh'];
    spawn(command!, [...prefix, '-c', watchdog], { detached: true, stdio: 'ignore', cwd: tmpdir() }).unref();
    process.once('exit', stopNow);
    let stopped = false;
    return {
      url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
      port,
      dataDir,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        process.off('exit', stopNow);
        stopNow();
      },
      restart: async () => {
        await runAsOwner(found, pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
        await pgStart(port);
      },
    };
  }
  const log = existsSync(join(root, 'log')) ? readFileSync(join(root, 'log'), 'utf8').slice(-2000) : '';
  rmSync(root, { recursive: true, force: true });
  throw new PostgresServerError('Could not start a PostgreSQL cluster.', {
    cause: lastError,
    details: log || undefined,
  });
}

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type SolcRegistry = {
  /** Base URL with a trailing slash, as `npmRegistryUrl()` gives it. */
  url: string;
  /** Every request received, in order. */
  requests: { url: string; headers: IncomingHttpHeaders }[];
  /** The bytes of soljson.js inside the served tarballs. */
  soljson: Buffer;
  close(): Promise<void>;
};

/**
 * A stand-in npm registry on 127.0.0.1 for compiler fetching: the `solc` packument and tarballs
 * packed (by the system's tar, as npm packs them) from the installed solc-js 0.4.26 build. No other
 * build is on the machine, so it is published under the versions given (default 0.4.25, which is
 * not bundled); `tampered` versions serve altered bytes under the good tarball's integrity.
 */
export async function startSolcRegistry(
  options: { versions?: string[]; tampered?: string[] } = {},
): Promise<SolcRegistry> {
  const installed = dirname(createRequire(import.meta.url).resolve('solc-0.4.26/package.json'));
  const staging = mkdtempSync(join(tmpdir(), 'bulwark-solc-pack-'));
  mkdirSync(join(staging, 'package'));
  copyFileSync(join(installed, 'package.json'), join(staging, 'package', 'package.json'));
  copyFileSync(join(installed, 'soljson.js'), join(staging, 'package', 'soljson.js'));
  execFileSync('tar', ['czf', join(staging, 'solc.tgz'), '-C', staging, 'package']);
  const tarball = readFileSync(join(staging, 'solc.tgz'));
  rmSync(staging, { recursive: true, force: true });
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  const altered = Buffer.from(tarball);
  altered[altered.length - 20]! ^= 0xff;
  const tampered = new Set(options.tampered ?? []);
  const versions = [...(options.versions ?? ['0.4.25']), ...tampered];
  const requests: SolcRegistry['requests'] = [];
  const server = createServer((request, response) => {
    requests.push({ url: request.url ?? '', headers: request.headers });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const tgz = /^\/solc\/-\/solc-(.+)\.tgz$/.exec(request.url ?? '')?.[1];
    if (request.url === '/solc') {
      response.setHeader('content-type', 'application/vnd.npm.install-v1+json');
      const entries = versions.map((v) => [v, { dist: { tarball: `${base}/solc/-/solc-${v}.tgz`, integrity } }]);
      response.end(JSON.stringify({ name: 'solc', versions: Object.fromEntries(entries) }));
    } else if (tgz && versions.includes(tgz)) response.end(tampered.has(tgz) ? altered : tarball);
    else {
      response.statusCode = 404;
      response.end('{"error":"not found"}');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    soljson: readFileSync(join(installed, 'soljson.js')),
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** The URL of a registry that is offline: a port nothing listens on. */
export async function offlineRegistryUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((done) => probe.close(() => done()));
  return `http://127.0.0.1:${port}/`;
}

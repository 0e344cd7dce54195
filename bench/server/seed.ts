/**
 * A store with the volume a busy team's server holds, written through the store's and the
 * wallet's own APIs (never raw SQL): a project in git of BENCH_SERVE_CONTRACTS contracts (default 20)
 * with a manifest, sources and a scan run of BENCH_SERVE_FINDINGS findings (default 300), thousands
 * of alerts (BENCH_SERVE_ALERTS, default 5000) grouped into incidents (one per two alerts), a risk
 * register, and wallet requests (BENCH_SERVE_REQUESTS, default 400) under an approved policy.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { installPolicy, withdrawal } from '@bulwark/server/api-testing';
import { insertAlert, insertRisk, insertScanRun, openIncident, type StoreClient, upsertContract } from '@bulwark/store';
import { parseRequest, submitRequest } from '@bulwark/wallet';

export type SeedVolume = { contracts: number; findings: number; alerts: number; requests: number; risks: number };

export const seedVolume = (): SeedVolume => ({
  contracts: Number(process.env.BENCH_SERVE_CONTRACTS ?? 20),
  findings: Number(process.env.BENCH_SERVE_FINDINGS ?? 300),
  alerts: Number(process.env.BENCH_SERVE_ALERTS ?? 5000),
  requests: Number(process.env.BENCH_SERVE_REQUESTS ?? 400),
  risks: Number(process.env.BENCH_SERVE_RISKS ?? 60),
});

export const describeVolume = (volume: SeedVolume) =>
  `${volume.alerts} alerts, ${Math.ceil(volume.alerts / 2)} incidents, ${volume.findings} findings in ${volume.contracts} contracts, ${volume.requests} wallet requests, ${volume.risks} risks`;

const rules = ['reentrancy-drain', 'outflow-spike', 'flash-loan-price', 'admin-change', 'large-approval'];
const severities = ['critical', 'high', 'medium', 'low'];
const impacts = ['high', 'medium', 'low', 'informational'];

const contractSource = (name: string) =>
  [
    '// SPDX-License-Identifier: MIT',
    'pragma solidity ^0.8.20;',
    `contract ${name} {`,
    ...Array.from({ length: 60 }, (_, i) => `  uint256 public slot${i};`),
    '  function withdraw() external {',
    '    (bool ok, ) = msg.sender.call{value: address(this).balance}("");',
    '    require(ok);',
    '  }',
    '}',
  ].join('\n');

/** Writes the project folder (manifest and sources) at `dir` and fills `store`; alerts and incidents over the past `spanDays`. */
export async function seedStore(
  store: StoreClient,
  dir: string,
  volume: SeedVolume,
  log: (line: string) => void,
  spanDays = 30,
): Promise<void> {
  const names = Array.from({ length: volume.contracts }, (_, i) => `Vault${i}`);
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  for (const name of names) writeFileSync(path.join(dir, 'src', `${name}.sol`), contractSource(name));
  writeFileSync(
    path.join(dir, 'bulwark.config.json'),
    JSON.stringify({
      version: 1,
      project: { name: 'Serve benchmark' },
      contracts: names.map((name) => ({ name, sources: [`src/${name}.sol`], deployments: [] })),
    }),
  );
  // Projects live in git: the documentation check asks git when each source last changed.
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('add', '.');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-qm', 'project');
  for (const name of names) await upsertContract(store, { name, repoPath: `src/${name}.sol` });
  await insertScanRun(store, {
    startedAt: new Date(),
    finishedAt: new Date(),
    commit: 'bench',
    findings: Array.from({ length: volume.findings }, (_, i) => ({
      fingerprint: `bench-${i}`,
      detector: rules[i % rules.length]!,
      impact: impacts[i % impacts.length]!,
      confidence: 'medium',
      file: `src/${names[i % names.length]}.sol`,
      line: 3 + (i % 60),
      data: { title: `Finding ${i}`, message: 'A benchmark finding.', endLine: 5 + (i % 60) },
    })),
  });
  log(`seeded ${names.length} contracts and ${volume.findings} findings`);

  const now = Date.now();
  const spanMs = spanDays * 86_400_000;
  for (let i = 0; i < volume.alerts; i += 2) {
    const at = new Date(now - spanMs + Math.floor((i / volume.alerts) * spanMs));
    const address = `0x${(0xbeef00 + (i % volume.contracts)).toString(16).padStart(40, '0')}`;
    const ids: string[] = [];
    for (let j = i; j < Math.min(i + 2, volume.alerts); j++) {
      const { alert } = await insertAlert(store, {
        ruleId: rules[j % rules.length]!,
        severity: severities[j % severities.length]!,
        chainId: 1,
        address,
        blockNumber: BigInt(19_000_000 + j),
        txHash: `0x${j.toString(16).padStart(64, '0')}`,
        dedupeKey: `bench-${j}`,
        payload: { drainedWei: String(10n ** 18n * BigInt(j + 1)), attacker: address },
        createdAt: at,
      });
      ids.push(alert.id);
    }
    await openIncident(store, {
      title: `${rules[i % rules.length]} on Vault${i % volume.contracts}`,
      severity: severities[i % severities.length]!,
      chainId: 1,
      address,
      detectedAt: at,
      actor: 'monitor',
      alertIds: ids,
    });
    if (i % 1000 === 0) log(`seeded ${i} of ${volume.alerts} alerts`);
  }
  for (let i = 0; i < volume.risks; i++)
    await insertRisk(store, {
      threat: `Threat ${i}`,
      asset: names[i % names.length]!,
      likelihood: 1 + (i % 5),
      impact: 1 + ((i * 3) % 5),
      owner: 'security',
      treatment: 'Reviewed quarterly',
    });
  await installPolicy(store);
  for (let i = 0; i < volume.requests; i++)
    await submitRequest(store, {
      request: parseRequest({ ...withdrawal(String(101 + i)), initiator: 'olga' }, 'seed'),
    });
  log(`seeded ${describeVolume(volume)}`);
}

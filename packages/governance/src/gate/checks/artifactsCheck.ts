import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { keccak256 } from 'viem';
import { readArtifact } from '../../deployment/readArtifact.ts';
import type { LoadedManifest } from '../../manifest/types.ts';
import { check, type GateCheck, listNames } from '../gateCheck.ts';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What the build recorded of each source: the keccak256 in solc's metadata, or a build-info's content. */
type RecordedSource = { keccak256: string } | { content: string };

/**
 * The sources a build recorded, by the path it compiled them under: solc metadata (a string or
 * object under `metadata`/`rawMetadata`, as in solc output and Foundry artifacts) whose
 * compilation target is the contract, or a Hardhat/solc build-info's `input.sources`.
 */
export function recordedSources(raw: unknown, contractName: string): Map<string, RecordedSource> | undefined {
  const found = new Map<string, RecordedSource>();
  const visit = (value: unknown, depth: number) => {
    if (depth > 6 || found.size > 0) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    if (!isObject(value)) return;
    for (const key of ['metadata', 'rawMetadata']) {
      let metadata = value[key];
      if (typeof metadata === 'string') {
        try {
          metadata = JSON.parse(metadata);
        } catch {
          continue;
        }
      }
      if (!isObject(metadata) || !isObject(metadata.sources)) continue;
      const target = isObject(metadata.settings) ? metadata.settings.compilationTarget : undefined;
      if (isObject(target) && !Object.values(target).includes(contractName)) continue;
      for (const [file, source] of Object.entries(metadata.sources))
        if (isObject(source) && typeof source.keccak256 === 'string') found.set(file, { keccak256: source.keccak256 });
      if (found.size > 0) return;
    }
    const input = value.input;
    if (isObject(input) && isObject(input.sources)) {
      for (const [file, source] of Object.entries(input.sources))
        if (isObject(source) && typeof source.content === 'string') found.set(file, { content: source.content });
      if (found.size > 0) return;
    }
    for (const child of Object.values(value)) visit(child, depth + 1);
  };
  visit(raw, 0);
  return found.size > 0 ? found : undefined;
}

/**
 * Passes when every artifact was built from the sources as they are today: each source the
 * manifest lists is in the artifact's build record with the same hash (solc metadata) or content
 * (build-info). A source that differs fails, naming it; an artifact that records no sources warns,
 * since nothing ties it to these sources.
 */
export function artifactsCheck(loaded: LoadedManifest): GateCheck {
  const stale: string[] = [];
  const unrecorded: string[] = [];
  const unreadable: string[] = [];
  const contracts: { name: string; artifact?: string; sources: { path: string; state: string }[] }[] = [];
  for (const contract of loaded.manifest.contracts) {
    if (
      !contract.artifact &&
      !existsSync(path.join(loaded.dir, 'out')) &&
      !existsSync(path.join(loaded.dir, 'artifacts'))
    )
      continue;
    let file: string;
    let raw: unknown;
    try {
      file = readArtifact(contract, loaded.dir).file;
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      unreadable.push(
        `${contract.name} (${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message})`,
      );
      continue;
    }
    const shown = path.relative(loaded.dir, file);
    const recorded = recordedSources(raw, contract.contract ?? contract.name);
    if (!recorded) {
      unrecorded.push(`${contract.name} (${shown})`);
      contracts.push({ name: contract.name, artifact: shown, sources: [] });
      continue;
    }
    const sources = contract.sources.map((source) => {
      const normalised = source.replace(/^\.\//, '');
      const key = [...recorded.keys()].find(
        (k) => k === normalised || k.endsWith(`/${normalised}`) || normalised.endsWith(`/${k}`),
      );
      if (!key) return { path: source, state: 'not in the build' };
      const content = readFileSync(path.resolve(loaded.dir, source));
      const entry = recorded.get(key)!;
      const same =
        'keccak256' in entry
          ? keccak256(content) === entry.keccak256.toLowerCase()
          : content.toString('utf8') === entry.content;
      return { path: source, state: same ? 'same' : 'changed since the build' };
    });
    for (const s of sources) if (s.state !== 'same') stale.push(`${s.path} (${s.state}, ${shown})`);
    contracts.push({ name: contract.name, artifact: shown, sources });
  }
  const details = { contracts };
  if (stale.length > 0 || unreadable.length > 0)
    return check(
      'artifacts',
      'fail',
      [
        stale.length > 0
          ? `The artifacts were not built from today's sources: ${listNames(stale, 3)}. Rebuild them (forge build, npx hardhat compile) and run the gate again.`
          : undefined,
        unreadable.length > 0 ? `Artifacts that cannot be read: ${listNames(unreadable, 3)}.` : undefined,
      ]
        .filter(Boolean)
        .join(' '),
      details,
    );
  if (unrecorded.length > 0)
    return check(
      'artifacts',
      'warn',
      `${listNames(unrecorded, 3)} record(s) no source hashes (solc metadata or build-info), so nothing ties the code to these sources. Build with metadata in the output (Foundry and Hardhat do by default).`,
      details,
    );
  if (contracts.length === 0) return check('artifacts', 'pass', 'No artifacts: the sources are the release.', details);
  return check(
    'artifacts',
    'pass',
    `${contracts.length} artifact(s) were built from the sources as they are now (${contracts.reduce((n, c) => n + c.sources.length, 0)} source hash(es) compared).`,
    details,
  );
}

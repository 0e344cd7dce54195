/** Where a dependency comes from. */
export type DependencyEcosystem = 'npm' | 'foundry';

export const dependencyEcosystems = ['npm', 'foundry'] as const satisfies DependencyEcosystem[];

/** One open-source dependency at an exact version and content. */
export type Dependency = {
  ecosystem: DependencyEcosystem;
  name: string;
  /** npm: the package version; foundry: the submodule commit, or `unversioned`. */
  version: string;
  /** npm: the lockfile's SRI hash (or `resolved:<url>` when it has none); otherwise `sha256-<base64>` of the content. */
  integrity: string;
  /** npm: the tarball or git URL (or the folder, outside the lockfile); foundry: the folder. */
  source?: string | undefined;
  /** npm: only needed to develop (devDependencies, transitively). */
  dev?: boolean | undefined;
  /** Files of it the contracts import, relative to the project root. */
  imported: string[];
};

/** `npm:@openzeppelin/contracts@5.0.2`: one entry per ecosystem, name and version. */
export function dependencyKey(d: Pick<Dependency, 'ecosystem' | 'name' | 'version'>): string {
  return `${d.ecosystem}:${d.name}@${d.version}`;
}

/** `@scope/name@1.2.3` → { name: '@scope/name', version: '1.2.3' }; no version → version undefined. */
export function parseNameAtVersion(text: string): { name: string; version: string | undefined } {
  const at = text.lastIndexOf('@');
  if (at <= 0) return { name: text, version: undefined };
  return { name: text.slice(0, at), version: text.slice(at + 1) || undefined };
}

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { ManifestError } from './errors.ts';
import { jsonErrorOffset } from './jsonErrorOffset.ts';
import type { LoadedManifest, Manifest, ManifestFormat } from './types.ts';
import { type Locate, validateManifest } from './validateManifest.ts';

/**
 * The manifest file names looked for, in order. YAML comes before JSON so that a project may keep
 * its manifest in YAML beside a bulwark.config.json that holds only the scanner's `scan` section.
 */
export const manifestFileNames = [
  'bulwark.config.ts',
  'bulwark.config.yaml',
  'bulwark.config.yml',
  'bulwark.config.json',
] as const;

export type LoadManifestParameters = {
  /** The folder to look in, and that `file` is relative to. */
  cwd: string;
  /** A manifest file; default: the first of `manifestFileNames` in `cwd`. */
  file?: string | undefined;
};

/**
 * Reads, parses and validates the project manifest (`bulwark.config.ts|yaml|json`). Errors name
 * the file, the line and column (JSON, YAML) and the JSON path, and suggest the fix.
 */
export async function loadManifest(parameters: LoadManifestParameters): Promise<LoadedManifest> {
  const path = findManifest(parameters);
  const name = relativeName(path, parameters.cwd);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new ManifestError(`Cannot read the manifest ${name}.`, { file: path, cause });
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const format = formatOf(path);
  let raw: unknown;
  let locate: Locate | undefined;
  if (format === 'ts') {
    raw = await importManifest(path, name, sha256);
  } else {
    const text = bytes.toString('utf8');
    raw = format === 'json' ? parseJson(text, name, path) : parseYaml(text, name, path);
    locate = locator(text);
  }
  const manifest: Manifest = validateManifest(raw, { file: name, locate });
  return { manifest, path, dir: dirname(path), format, sha256 };
}

function findManifest(parameters: LoadManifestParameters): string {
  if (parameters.file) {
    const path = resolve(parameters.cwd, parameters.file);
    if (!existsSync(path))
      throw new ManifestError(`The manifest ${parameters.file} does not exist (looked in ${parameters.cwd}).`, {
        file: path,
        metaMessages: ['Fix: pass the path of an existing bulwark.config.ts, .yaml or .json.'],
      });
    return path;
  }
  for (const name of manifestFileNames) {
    const path = resolve(parameters.cwd, name);
    if (existsSync(path)) return path;
  }
  throw new ManifestError(`No manifest in ${parameters.cwd}.`, {
    metaMessages: [
      `Fix: create ${manifestFileNames.join(', ')} (see examples/bulwark.config.yaml), or pass --manifest FILE.`,
    ],
  });
}

function formatOf(path: string): ManifestFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.ts' || ext === '.mts' || ext === '.js' || ext === '.mjs') return 'ts';
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  throw new ManifestError(`The manifest ${basename(path)} has an unknown extension ${ext || '(none)'}.`, {
    file: path,
    metaMessages: ['Fix: name it bulwark.config.ts, bulwark.config.yaml or bulwark.config.json.'],
  });
}

function relativeName(path: string, cwd: string): string {
  const resolvedCwd = resolve(cwd);
  return path.startsWith(`${resolvedCwd}/`) ? path.slice(resolvedCwd.length + 1) : path;
}

async function importManifest(path: string, name: string, sha256: string): Promise<unknown> {
  let module: { default?: unknown };
  try {
    // The hash in the query makes an edited file load afresh in a long-lived process.
    module = (await import(`${pathToFileURL(path).href}?sha256=${sha256}`)) as { default?: unknown };
  } catch (cause) {
    throw new ManifestError(`Cannot load the manifest ${name}.`, {
      file: path,
      cause,
      metaMessages: ['Fix: make it a TypeScript module whose default export is the manifest.'],
    });
  }
  let value = module.default;
  // A .ts file outside an ESM package is compiled to CommonJS: its `export default` arrives wrapped.
  if (isObject(value) && 'default' in value && !('project' in value)) value = value.default;
  if (value === undefined)
    throw new ManifestError(`The manifest ${name} has no default export.`, {
      file: path,
      metaMessages: ['Fix: write `export default { project: { … }, contracts: [ … ] };`.'],
    });
  if (typeof value === 'function') {
    try {
      value = await (value as () => unknown)();
    } catch (cause) {
      throw new ManifestError(`The default export of ${name} threw.`, { file: path, cause });
    }
  }
  return value;
}

function parseJson(text: string, name: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const message = (cause as Error).message;
    const offset = jsonErrorOffset(text);
    const where = offset === undefined ? undefined : lineColumn(text, offset);
    // Node's message quotes the text around the error, on several lines: the position says more.
    const what =
      offset === undefined
        ? message
        : offset >= text.length
          ? 'the text ends too early'
          : `unexpected ${JSON.stringify(text[offset])}`;
    throw new ManifestError(
      `Invalid JSON in the manifest ${name}${where ? `:${where.line}:${where.column}` : ''}: ${what}.`,
      { file: path, metaMessages: ['Fix: correct the JSON syntax there (no comments, no trailing commas).'] },
    );
  }
}

function parseYaml(text: string, name: string, path: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    const first = error.message.split('\n')[0];
    throw new ManifestError(`Invalid YAML in the manifest ${name}:${pos.line}:${pos.col}: ${first}`, {
      file: path,
      metaMessages: [
        `Fix: correct the YAML at line ${pos.line}, column ${pos.col} (indentation, a missing colon or quote).`,
      ],
    });
  }
  return doc.toJS();
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** JSON is YAML, so one YAML parse gives positions for both formats. */
function locator(text: string): Locate {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: false });
  const position = (node: Node | null | undefined) => {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  return (path, key) => {
    let node: unknown = doc.contents;
    let lastFound: unknown = node;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === segment);
        node = pair?.value;
      } else if (isSeq(node) && typeof segment === 'number') node = node.items[segment];
      else node = undefined;
      if (node === undefined || node === null) break;
      lastFound = node;
    }
    if (key !== undefined && isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === key);
      if (pair) return position(pair.key as Node);
    }
    return position((node ?? lastFound) as Node);
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

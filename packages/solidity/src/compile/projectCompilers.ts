import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseVersion } from './satisfiesRange.ts';
import { stripComments } from './stripComments.ts';

/** The solc versions a project configures; a file gets the newest its pragmas allow, or its override. */
export type ProjectCompilers = {
  /** Where they were read from, for messages (`foundry.toml`, `hardhat.config.ts`). */
  source: string;
  versions: string[];
  /** Absolute file path -> version, from Hardhat's `overrides`. */
  overrides?: Record<string, string> | undefined;
};

/**
 * Hardhat's `solidity` setting, read from the config's text without running it: a version string,
 * `{ version }`, `{ compilers: [{ version }…], overrides: { "contracts/X.sol": { version } } }`, or
 * Hardhat 3's `{ profiles: { default: … } }`. Undefined when the setting is missing or computed
 * (a variable, a function call): then pragmas decide, as they would without a config.
 */
export function readHardhatCompilers(root: string, configFile: string): ProjectCompilers | undefined {
  let text: string;
  try {
    text = readFileSync(join(root, configFile), 'utf8');
  } catch {
    return undefined;
  }
  return parseHardhatCompilers(text, root, configFile);
}

export function parseHardhatCompilers(text: string, root: string, source: string): ProjectCompilers | undefined {
  const code = stripComments(text);
  const key = /(?:^|[{,\s])["']?solidity["']?\s*:\s*/.exec(code);
  if (!key) return undefined;
  let setting = readValue(code, key.index + key[0].length);
  if (setting === undefined) return undefined;
  const single = stringValue(setting);
  if (single !== undefined) return exactVersions(source, [single]);
  if (!setting.startsWith('{')) return undefined;
  const profiles = entries(setting).get('profiles');
  if (profiles?.startsWith('{')) setting = entries(profiles).get('default') ?? setting;
  const fields = entries(setting);
  const versions: string[] = [];
  const one = fields.get('version');
  if (one !== undefined) versions.push(stringValue(one) ?? '');
  const compilers = fields.get('compilers');
  if (compilers?.startsWith('[')) {
    for (const compiler of items(compilers)) {
      const version = compiler.startsWith('{') ? entries(compiler).get('version') : undefined;
      versions.push((version !== undefined && stringValue(version)) || '');
    }
  }
  const overrides: Record<string, string> = {};
  const overrideText = fields.get('overrides');
  if (overrideText?.startsWith('{')) {
    for (const [file, value] of entries(overrideText)) {
      const version = value.startsWith('{') ? entries(value).get('version') : undefined;
      const exact = version === undefined ? undefined : stringValue(version);
      if (exact && isExactVersion(exact)) overrides[resolve(root, file)] = exact;
    }
  }
  const exact = exactVersions(source, versions);
  if (!exact && Object.keys(overrides).length === 0) return undefined;
  return { source, versions: exact?.versions ?? [], overrides };
}

/** The `solc` / `solc_version` of foundry.toml when it is a version (it may also be a binary's path). */
export function foundryCompilers(solc: string | undefined): ProjectCompilers | undefined {
  return solc === undefined ? undefined : exactVersions('foundry.toml', [solc]);
}

function exactVersions(source: string, versions: string[]): ProjectCompilers | undefined {
  // A value that is not an exact version (computed, a path) makes the whole setting unknown.
  if (versions.length === 0 || !versions.every(isExactVersion)) return undefined;
  return { source, versions: [...new Set(versions)] };
}

function isExactVersion(text: string): boolean {
  return /^\d+\.\d+\.\d+$/.test(text) && parseVersion(text) !== undefined;
}

/** A quoted string literal's content, or undefined for anything else. */
function stringValue(value: string): string | undefined {
  const match = /^(["'`])([^"'`\\$]*)\1$/.exec(value.trim());
  return match ? match[2] : undefined;
}

/**
 * The text of the JavaScript value starting at `start`: a string, a bracketed group, or anything
 * up to the next `,` or closing bracket at its level.
 */
function readValue(code: string, start: number): string | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = start; i < code.length; i++) {
    const c = code[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) {
        quote = undefined;
        if (depth === 0) return code.slice(start, i + 1);
      }
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === '}' || c === ']' || c === ')') {
      if (depth === 0) return code.slice(start, i).trim();
      if (--depth === 0) return code.slice(start, i + 1);
    } else if (c === ',' && depth === 0) return code.slice(start, i).trim();
  }
  return undefined;
}

/** Key -> value text of an object literal's own properties (`{ a: 1, "b/c.sol": { … } }`). */
function entries(object: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 1;
  while (i < object.length - 1) {
    const key = /^\s*(?:(["'])((?:(?!\1)[^\\])*)\1|([A-Za-z_$][\w$]*))\s*:\s*/.exec(object.slice(i));
    if (!key) {
      // A spread, a method, or the end: skip to the next property.
      const value = readValue(object, i);
      if (value === undefined) break;
      i += Math.max(1, value.length) + 1;
      while (i < object.length && /[\s,]/.test(object[i]!)) i++;
      continue;
    }
    const valueStart = i + key[0].length;
    const value = readValue(object, valueStart);
    if (value === undefined) break;
    out.set(key[2] ?? key[3]!, value);
    i = object.indexOf(value, valueStart) + value.length;
    while (i < object.length && /[\s,]/.test(object[i]!)) i++;
  }
  return out;
}

/** The element texts of an array literal. */
function items(array: string): string[] {
  const out: string[] = [];
  let i = 1;
  while (i < array.length - 1) {
    while (i < array.length && /[\s,]/.test(array[i]!)) i++;
    if (i >= array.length - 1) break;
    const value = readValue(array, i);
    if (!value) break;
    out.push(value);
    i = array.indexOf(value, i) + value.length;
  }
  return out;
}

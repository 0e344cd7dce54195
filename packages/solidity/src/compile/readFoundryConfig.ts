import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The few foundry.toml settings the compile front-end needs, from `[profile.default]`. */
export type FoundryConfig = {
  src: string;
  out: string;
  test: string;
  script: string;
  libs: string[];
  /** Raw remapping lines, e.g. `@openzeppelin/=lib/openzeppelin-contracts/`. */
  remappings: string[];
  /** `solc` or `solc_version`: a version (`0.8.15`) or a path to a solc binary. */
  solc?: string | undefined;
  /** `evm_version`, e.g. `cancun`. */
  evmVersion?: string | undefined;
};

const defaults: FoundryConfig = {
  src: 'src',
  out: 'out',
  test: 'test',
  script: 'script',
  libs: ['lib'],
  remappings: [],
};

/** Reads `<root>/foundry.toml`; undefined when there is none. */
export function readFoundryConfig(root: string): FoundryConfig | undefined {
  let text: string;
  try {
    text = readFileSync(join(root, 'foundry.toml'), 'utf8');
  } catch {
    return undefined;
  }
  return parseFoundryToml(text);
}

/**
 * A deliberately tiny TOML reader: string and string-array values of the keys above, in the
 * top-level table or `[profile.default]`. Enough for real foundry.toml files without a TOML
 * dependency; other keys and tables are skipped.
 */
export function parseFoundryToml(text: string): FoundryConfig {
  const config: FoundryConfig = { ...defaults, libs: [...defaults.libs], remappings: [] };
  const lines = text.split(/\r?\n/);
  let inDefaultProfile = true;
  for (let i = 0; i < lines.length; i++) {
    const line = stripComment(lines[i]!).trim();
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      inDefaultProfile = header[1] === 'profile.default';
      continue;
    }
    const entry = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
    if (!entry || !inDefaultProfile) continue;
    let value = entry[2]!;
    // A multi-line array runs until its closing bracket.
    while (value.startsWith('[') && !closesArray(value) && i + 1 < lines.length) {
      value += ` ${stripComment(lines[++i]!).trim()}`;
    }
    const strings = [...value.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)].map((m) => m[1] ?? m[2]!);
    const key = entry[1]!;
    if (key === 'remappings' || key === 'libs') config[key] = strings;
    else if ((key === 'src' || key === 'out' || key === 'test' || key === 'script') && strings[0] !== undefined) {
      config[key] = strings[0];
    } else if ((key === 'solc' || key === 'solc_version') && strings[0] !== undefined) config.solc = strings[0];
    else if (key === 'evm_version' && strings[0] !== undefined) config.evmVersion = strings[0];
  }
  return config;
}

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

function closesArray(value: string): boolean {
  return /\]\s*$/.test(value.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, ''));
}

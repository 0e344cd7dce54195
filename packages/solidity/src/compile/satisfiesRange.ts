/** A version as [major, minor, patch]. */
export type Version = readonly [number, number, number];

type Comparator = { op: '<' | '<=' | '>' | '>=' | '='; version: Version };

/** Parses `0.8.20` (a `+commit…` or `-pre…` suffix is ignored); undefined when it is not a version. */
export function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * Whether `version` satisfies a Solidity version pragma expression (`^0.8.0`, `>=0.4.22 <0.6.0`,
 * `0.8.10`, `=0.7.6`, `~0.5.1`, `^0.7.0 || ^0.8.0`, `0.4.24 - 0.5.2`, `0.8.x`). Same rules as npm
 * semver, which is what solc follows. Throws a plain Error on an expression it cannot read.
 */
export function satisfiesRange(version: Version, range: string): boolean {
  return parseRange(range).some((set) => set.every((c) => test(version, c)));
}

/**
 * The lowest version a range admits (`^0.4.24` -> 0.4.24, `>0.4.99 <0.6.0` -> 0.4.100,
 * `<0.5.0` -> 0.0.0); undefined when it admits none. Throws like `satisfiesRange` on an
 * expression it cannot read.
 */
export function lowestAdmittedVersion(range: string): Version | undefined {
  let lowest: Version | undefined;
  for (const set of parseRange(range)) {
    // The lowest candidate of a set is its highest lower bound; the set is empty if that fails the rest.
    let bound: Version = [0, 0, 0];
    for (const { op, version } of set) {
      const low: Version = op === '>' ? [version[0], version[1], version[2] + 1] : version;
      if ((op === '>=' || op === '>' || op === '=') && compareVersions(low, bound) > 0) bound = low;
    }
    if (!set.every((c) => test(bound, c))) continue;
    if (!lowest || compareVersions(bound, lowest) < 0) lowest = bound;
  }
  return lowest;
}

/** Parses a range into alternatives (`||`) of comparator sets (space-separated, all must hold). */
function parseRange(range: string): Comparator[][] {
  return range.split('||').map((alternative) => {
    const text = alternative.trim();
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
    if (hyphen) {
      const low = parsePartial(hyphen[1]!, range);
      const high = parsePartial(hyphen[2]!, range);
      return [...comparators('>=', low), ...comparators('<=', high)];
    }
    const set: Comparator[] = [];
    // As solc reads them: an operator, optional spaces, a version; comparators need no space
    // between them (`^ 0.4.24`, `>= 0.4.22 < 0.6.0` and `>=0.4.22<0.6.0` are all valid).
    const comparator = /\s*(\^|~|>=|<=|>|<|=)?\s*([^\s^~<>=|]+)\s*/y;
    for (let at = 0; at < text.length; ) {
      comparator.lastIndex = at;
      const match = comparator.exec(text);
      if (!match) throw new Error(`cannot read version range "${range}"`);
      set.push(...comparators((match[1] ?? '=') as Operator, parsePartial(match[2]!, range)));
      at = comparator.lastIndex;
    }
    return set;
  });
}

type Operator = '^' | '~' | '>=' | '<=' | '>' | '<' | '=';
/** Missing or wildcard (`x`, `*`) parts are undefined. */
type Partial = [number | undefined, number | undefined, number | undefined];

function parsePartial(text: string, range: string): Partial {
  const core = text.replace(/^v/, '').replace(/[-+].*$/, '');
  const parts = core.split('.');
  if (parts.length > 3 || parts.some((p) => !/^(\d+|[xX*])$/.test(p))) {
    throw new Error(`cannot read version range "${range}"`);
  }
  const nums = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : undefined));
  // Anything after a wildcard is a wildcard too (`0.x.5` means `0.x.x`).
  const firstWild = nums.indexOf(undefined);
  const out: Partial = [nums[0], nums[1], nums[2]];
  if (firstWild !== -1) for (let i = firstWild; i < 3; i++) out[i] = undefined;
  return out;
}

function comparators(op: Operator, [major, minor, patch]: Partial): Comparator[] {
  if (major === undefined) return op === '<' || op === '>' ? [{ op: '<', version: [0, 0, 0] }] : [];
  const low: Version = [major, minor ?? 0, patch ?? 0];
  // The first version past the partial (`0.8` -> 0.9.0, `0` -> 1.0.0).
  const pastPartial: Version =
    minor === undefined ? [major + 1, 0, 0] : patch === undefined ? [major, minor + 1, 0] : [major, minor, patch + 1];
  const exact = patch !== undefined;
  switch (op) {
    case '=':
      return exact ? [{ op: '=', version: low }] : range(low, pastPartial);
    case '>=':
      return [{ op: '>=', version: low }];
    case '<':
      return [{ op: '<', version: low }];
    case '>':
      return exact ? [{ op: '>', version: low }] : [{ op: '>=', version: pastPartial }];
    case '<=':
      return exact ? [{ op: '<=', version: low }] : [{ op: '<', version: pastPartial }];
    case '~':
      return range(low, minor === undefined ? [major + 1, 0, 0] : [major, minor + 1, 0]);
    case '^': {
      // The left-most non-zero part is fixed: ^1.2.3 < 2.0.0, ^0.8.1 < 0.9.0, ^0.0.3 < 0.0.4.
      if (major > 0 || minor === undefined) return range(low, [major + 1, 0, 0]);
      if (minor > 0 || patch === undefined) return range(low, [0, minor + 1, 0]);
      return range(low, [0, 0, patch + 1]);
    }
  }
}

function range(low: Version, high: Version): Comparator[] {
  return [
    { op: '>=', version: low },
    { op: '<', version: high },
  ];
}

function test(version: Version, { op, version: bound }: Comparator): boolean {
  const c = compareVersions(version, bound);
  switch (op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '=':
      return c === 0;
  }
}

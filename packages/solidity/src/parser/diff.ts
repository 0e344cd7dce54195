/**
 * First place where two parse trees differ, as a path like `children[2].subNodes[0].range[1]`, with both
 * values; undefined when they are identical. Key order counts too: consumers walk fields in order.
 */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return `${path || '<root>'}: ${show(a)} !== ${show(b)}`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path || '<root>'}: array vs object`;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    if (a.length !== b.length) return `${path}.length: ${a.length} !== ${b.length}`;
    return undefined;
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  const where = typeof (a as { type?: unknown }).type === 'string' ? `${path}<${(a as { type: string }).type}>` : path;
  for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
    if (ka[i] !== kb[i]) return `${where}: keys [${ka.join(', ')}] !== [${kb.join(', ')}]`;
  }
  for (const key of ka) {
    const d = firstDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      `${where}.${key}`,
    );
    if (d) return d;
  }
  return undefined;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

export const impacts = ['high', 'medium', 'low', 'informational', 'optimization'] as const;
export type Impact = (typeof impacts)[number];

export const confidences = ['high', 'medium', 'low'] as const;
export type Confidence = (typeof confidences)[number];

const impactRank: Record<Impact, number> = { high: 4, medium: 3, low: 2, informational: 1, optimization: 0 };

/** True when `impact` is at or above `threshold` (high > medium > low > informational > optimization). */
export function impactAtLeast(impact: Impact, threshold: Impact): boolean {
  return impactRank[impact] >= impactRank[threshold];
}

export function compareImpact(a: Impact, b: Impact): number {
  return impactRank[b] - impactRank[a];
}

export function isImpact(value: string): value is Impact {
  return (impacts as readonly string[]).includes(value);
}

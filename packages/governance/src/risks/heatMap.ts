import { impactScale, likelihoodScale, type RiskRating, riskRating } from './riskRating.ts';

/**
 * Risks counted on the 5×5 matrix: `cells[impact - 1][likelihood - 1]`, with each cell's rating
 * band (the score of its corner, likelihood × impact).
 */
export type RiskHeatMap = {
  cells: { likelihood: number; impact: number; score: number; rating: RiskRating; count: number; ids: string[] }[][];
  total: number;
};

export function riskHeatMap(risks: readonly { id: string; likelihood: number; impact: number }[]): RiskHeatMap {
  const cells = Array.from({ length: 5 }, (_, i) =>
    Array.from({ length: 5 }, (_, l) => {
      const impact = i + 1;
      const likelihood = l + 1;
      const score = likelihood * impact;
      return { likelihood, impact, score, rating: riskRating(score), count: 0, ids: [] as string[] };
    }),
  );
  for (const risk of risks) {
    const cell = cells[risk.impact - 1]?.[risk.likelihood - 1];
    if (!cell) continue;
    cell.count++;
    cell.ids.push(risk.id);
  }
  return { cells, total: risks.length };
}

const ratingLetter: Record<RiskRating, string> = { low: 'L', medium: 'M', high: 'H', critical: 'C' };

/**
 * The matrix as text: impact rows from severe down, likelihood columns from rare across; each
 * cell is the count (`·` for none) and the band letter of the cell.
 */
export function formatHeatMapText(map: RiskHeatMap): string {
  const label = (text: string) => text.padEnd(13);
  const lines = [`${label('impact')}  likelihood →`];
  for (let i = 4; i >= 0; i--) {
    const row = map.cells[i]!.map((cell) =>
      `${cell.count === 0 ? '·' : String(cell.count)}${ratingLetter[cell.rating]}`.padStart(5),
    );
    lines.push(`${label(`${i + 1} ${impactScale[i]}`)}│${row.join('')} │`);
  }
  lines.push(`${' '.repeat(13)}└${'─'.repeat(26)}┘`);
  lines.push(`${' '.repeat(14)}${[1, 2, 3, 4, 5].map((n) => String(n).padStart(5)).join('')}`);
  lines.push(`${' '.repeat(14)}${likelihoodScale.map((w) => w.slice(0, 4).padStart(5)).join('')}`);
  lines.push(`${map.total} risks. Bands: L low 1–4, M medium 5–9, H high 10–16, C critical 20–25.`);
  return `${lines.join('\n')}\n`;
}

import { IncidentInputError } from './errors.ts';

const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `4h`, `2d`, `1h30m` → milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const parts = [...trimmed.matchAll(/(\d+)([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed)
    throw new IncidentInputError(`The duration "${text}" is not a duration.`, {
      metaMessages: ['Write it with s, m, h or d: 90s, 30m, 4h, 2d, 1h30m.'],
      docsPath: 'governance/incident.md#targets',
    });
  return parts.reduce((ms, p) => ms + Number(p[1]) * units[p[2]!]!, 0);
}

/** 3723000 → `1h 2m`: the largest unit and the next one when it is not zero (`2d 3h`, `45s`). */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const seconds = Math.round(ms / 1000);
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor((seconds % 86_400) / 3_600), 'h'],
    [Math.floor((seconds % 3_600) / 60), 'm'],
    [seconds % 60, 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  const shown = parts.slice(first, first + 2).filter(([n], i) => i === 0 || n > 0);
  return shown.map(([n, unit]) => `${n}${unit}`).join(' ');
}

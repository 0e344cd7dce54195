import { RiskInputError } from './errors.ts';

export type ReviewState = 'overdue' | 'due-soon' | 'current' | 'none';

/** Days before the review date from which a review is `due-soon`. */
export const reviewDueSoonDays = 30;

/** Today as YYYY-MM-DD (UTC), the form review dates are kept in. */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return today(d);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** A review date from the command line: a real calendar day as YYYY-MM-DD, or `+90d` from today. */
export function parseReviewDate(text: string, now: Date = new Date()): string {
  const relative = /^\+(\d+)d$/.exec(text.trim());
  if (relative) return addDays(today(now), Number(relative[1]));
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(text) && today(new Date(`${text}T00:00:00Z`)) === text;
  if (!valid)
    throw new RiskInputError(`The review date "${text}" is not a day written YYYY-MM-DD.`, {
      metaMessages: ['Write it like 2026-03-31, or +90d for ninety days from today.'],
      docsPath: 'governance/risk.md#reviews',
    });
  return text;
}

export function reviewState(reviewDate: string | null, on: string): ReviewState {
  if (!reviewDate) return 'none';
  if (reviewDate < on) return 'overdue';
  if (daysBetween(on, reviewDate) <= reviewDueSoonDays) return 'due-soon';
  return 'current';
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { dashboardRoot } from './build.ts';
import { contrastRatio, parseColor, type Rgba } from './contrast.ts';

/*
 * The stylesheet's colours, from its :root variables: every rule that sets a text colour meets
 * 4.5:1 against its own background, or against both page surfaces (--paper and --wash) when it
 * sets none; the focus ring meets 3:1 against both. The browser test checks what Chromium
 * computes on every page besides.
 */

const css = readFileSync(join(dashboardRoot, 'src/app/styles.css'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
const rules = [...css.matchAll(/([^{}]+)\{([^{}]*)\}/g)].map((match) => ({
  selector: match[1]!.trim(),
  declarations: Object.fromEntries(
    match[2]!
      .split(';')
      .map((declaration) => declaration.split(':'))
      .filter((parts) => parts.length >= 2)
      .map(([name, ...value]) => [name!.trim(), value.join(':').trim()]),
  ) as Record<string, string>,
}));
const variables = Object.fromEntries(
  Object.entries(rules.find((rule) => rule.selector === ':root')?.declarations ?? {}).filter(([name]) =>
    name.startsWith('--'),
  ),
);
/** A colour value with its variables resolved; undefined for anything else (`inherit`, a gradient). */
const colour = (value: string | undefined): Rgba | undefined => {
  if (value === undefined) return undefined;
  const resolved = value.replace(/var\((--[\w-]+)\)/g, (_, name: string) => variables[name] ?? 'unresolved');
  return parseColor(resolved.split(/\s+(?![^(]*\))/).find((part) => parseColor(part)) ?? resolved);
};
const surfaces = { '--paper': colour('var(--paper)')!, '--wash': colour('var(--wash)')! };

describe('dashboard colours', () => {
  test('default: the contrast maths matches WCAG (black on white is 21:1, grey #777 on white about 4.48:1)', () => {
    expect(contrastRatio(parseColor('#000')!, parseColor('#fff')!)).toBeCloseTo(21, 5);
    expect(contrastRatio(parseColor('#777777')!, parseColor('rgb(255, 255, 255)')!)).toBeCloseTo(4.48, 2);
  });

  test('behavior: every text colour meets 4.5:1 on its background', () => {
    expect(Object.keys(variables).length).toBeGreaterThan(5);
    const failures: string[] = [];
    let checked = 0;
    for (const { selector, declarations } of rules) {
      const text = colour(declarations.color);
      if (!text) continue;
      const background = colour(declarations['background-color'] ?? declarations.background);
      const against =
        background && background.a === 1 ? { 'its background': background } : (surfaces as Record<string, Rgba>);
      for (const [name, behind] of Object.entries(against)) {
        checked++;
        const ratio = contrastRatio(text, behind);
        if (ratio < 4.5) failures.push(`${selector}: ${declarations.color} on ${name} is ${ratio.toFixed(2)}:1`);
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(failures).toEqual([]);
  });

  test('behavior: the focus ring meets 3:1 on both page surfaces', () => {
    const focus = rules.find((rule) => rule.selector === ':focus-visible')?.declarations.outline;
    const ring = colour(focus);
    expect(ring, `:focus-visible outline ${focus}`).toBeDefined();
    for (const [name, surface] of Object.entries(surfaces))
      expect(contrastRatio(ring!, surface), `focus ring on ${name}`).toBeGreaterThanOrEqual(3);
  });
});

/**
 * What the browser tests share: where Chromium is, the screen sizes, and the checks run on every
 * page (labels, names, landmarks, ids, overflow, text contrast, visible focus) before each
 * screenshot. Not exported from the package.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { dashboardRoot } from './build.ts';
import { contrastRatio, over, parseColor } from './contrast.ts';

export const chromiumPath = process.env.BULWARK_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(chromiumPath);
export const requireChromium = process.env.BULWARK_REQUIRE_CHROMIUM === '1';
if (!haveChromium && !requireChromium)
  console.warn(
    `[dashboard] browser tests skipped: no Chromium at ${chromiumPath} (apt-get install chromium; BULWARK_REQUIRE_CHROMIUM=1 makes this a failure).`,
  );

export const artifacts = join(dashboardRoot, 'artifacts');
export const laptop = { width: 1366, height: 768 };
export const phone = { width: 390, height: 844 };
/** Generous: the CI machine is shared; these are upper bounds on conditions, not expected durations. */
export const slow = 120_000;

/**
 * Run in the page (as text: this file is type-checked for Node, not the DOM): every form control
 * has a label, every button and link a name, the page an h1, and nothing overflows sideways.
 */
const accessibilityProblems = `(() => {
  const found = [];
  const nameOf = (element) => {
    const labelledBy = element.getAttribute('aria-labelledby');
    if (labelledBy)
      return labelledBy.split(/\\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
    const aria = element.getAttribute('aria-label');
    if (aria) return aria.trim();
    if (element.labels && element.labels.length > 0)
      return [...element.labels].map((label) => label.textContent ?? '').join(' ').trim();
    return '';
  };
  for (const control of document.querySelectorAll('input, select, textarea, meter'))
    if (!nameOf(control)) found.push('unlabelled ' + control.outerHTML.slice(0, 100));
  for (const named of document.querySelectorAll('button, a[href]'))
    if (!(nameOf(named) || (named.textContent ?? '').trim())) found.push('unnamed ' + named.outerHTML.slice(0, 100));
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    // Name the innermost element that sticks out, so a failure says what to fix.
    const wide = [...document.querySelectorAll('body *')].filter(
      (element) => element.getBoundingClientRect().right > root.clientWidth + 1 && !element.closest('.table-wrap, pre'),
    );
    const culprit = wide.find((element) => ![...element.children].some((child) => wide.includes(child)));
    found.push(
      'page is ' + root.scrollWidth + 'px wide in a ' + root.clientWidth + 'px viewport' +
        (culprit ? ' (' + culprit.outerHTML.slice(0, 120) + ')' : ''),
    );
  }
  if (!document.querySelector('h1')) found.push('no h1');
  if (!document.documentElement.lang) found.push('no lang attribute on <html>');
  const mains = document.querySelectorAll('main, [role="main"]').length;
  if (mains !== 1) found.push(mains + ' main landmarks');
  // Signed in: a banner holding the pages' navigation, and a skip link to the main landmark.
  if (document.querySelector('nav')) {
    if (!document.querySelector('body > header, #root > header')) found.push('no banner (header)');
    if (!document.querySelector('nav[aria-label]')) found.push('navigation without a name');
    const skip = document.querySelector('a[href^="#"]');
    const target = skip && document.getElementById(skip.getAttribute('href').slice(1));
    if (!target || target.tagName !== 'MAIN') found.push('no skip link to the main landmark');
  }
  const ids = [...document.querySelectorAll('[id]')].map((element) => element.id);
  const repeated = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
  if (repeated.length > 0) found.push('repeated ids: ' + repeated.join(', '));
  return found;
})()`;

/**
 * Run in the page: what is wrong with how the focused element shows its focus (a ring of at least
 * 2px whose colour meets 3:1 against the page), or null.
 */
export const focusProblem = `(() => {
  const element = document.activeElement;
  if (!element || element === document.body) return 'nothing has focus';
  const style = getComputedStyle(element);
  const width = Number.parseFloat(style.outlineWidth);
  if (style.outlineStyle === 'none' || !(width >= 2))
    return 'no visible focus ring on ' + element.outerHTML.slice(0, 100);
  return null;
})()`;

/**
 * Run in the page: every visible text's colour and the background colours behind it, innermost
 * first (the contrast is computed in Node, with ./contrast.ts).
 * Disabled controls are exempt (WCAG 1.4.3).
 */
const textColours = `(() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!element || seen.has(element) || !node.textContent.trim()) continue;
    seen.add(element);
    if (element.closest(':disabled, [aria-hidden="true"], script, style, noscript')) continue;
    const style = getComputedStyle(element);
    if (style.visibility !== 'visible' || element.getClientRects().length === 0) continue;
    const backgrounds = [];
    // Every layer up to the root; Node paints them from the outside in (an opaque one hides what is below).
    for (let at = element; at; at = at.parentElement) backgrounds.push(getComputedStyle(at).backgroundColor);
    found.push({ where: element.tagName.toLowerCase() + ' "' + node.textContent.trim().slice(0, 40) + '"', color: style.color, backgrounds });
  }
  return found;
})()`;

type TextColour = { where: string; color: string; backgrounds: string[] };

/** Texts under 4.5:1 against what is painted behind them (white under everything). */
function lowContrast(texts: TextColour[]): string[] {
  const white = parseColor('#fff')!;
  return texts.flatMap(({ where, color, backgrounds }) => {
    const behind = backgrounds.reduceRight((below, layer) => over(parseColor(layer) ?? white, below), white);
    const text = parseColor(color);
    if (!text) return [`${where}: colour ${color} not understood`];
    const ratio = contrastRatio(over(text, behind), behind);
    return ratio < 4.5 ? [`${where}: ${color} on ${backgrounds.join(' over ')} is ${ratio.toFixed(2)}:1`] : [];
  });
}

async function checkAccessibilityBasics(page: Page, where: string) {
  expect(await page.evaluate<string[]>(accessibilityProblems), where).toEqual([]);
  expect(lowContrast(await page.evaluate<TextColour[]>(textColours)), `${where}: text contrast`).toEqual([]);
}

/** A screenshot at laptop and phone size, each after the accessibility check at that size. */
export async function capture(page: Page, name: string) {
  for (const [size, viewport] of [
    ['laptop', laptop],
    ['phone', phone],
  ] as const) {
    await page.setViewportSize(viewport);
    await checkAccessibilityBasics(page, `${name} (${size})`);
    await page.screenshot({ path: join(artifacts, `${name}-${size}.png`), fullPage: true });
  }
  await page.setViewportSize(laptop);
}

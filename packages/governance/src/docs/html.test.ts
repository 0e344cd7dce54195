import { describe, expect, test } from 'vitest';
import { escapeHtml, html, raw, safeUrl } from './html.ts';

describe('html', () => {
  test('default: every interpolated value is escaped, in text and in attributes', () => {
    const value = `<img src=x onerror="alert('1')"> & co`;
    expect(html`<p title="${value}">${value}</p>`.value).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; co">&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; co</p>',
    );
  });

  test('behavior: nested templates and raw() are kept; lists are joined; nullish and false render nothing', () => {
    const items = ['<a>', 'b'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>${undefined}${null}${false}${raw('<hr>')}${0}`.value).toBe(
      '<ul><li>&lt;a&gt;</li><li>b</li></ul><hr>0',
    );
    expect(escapeHtml(undefined)).toBe('');
  });

  test('behavior: only http(s) URLs are linkable', () => {
    expect(safeUrl('https://example.org/a?b=1&c=2')).toBe('https://example.org/a?b=1&c=2');
    expect(safeUrl('http://example.org')).toBe('http://example.org/');
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('data:text/html,<script>')).toBeUndefined();
    expect(safeUrl('JaVaScRiPt:alert(1)')).toBeUndefined();
    expect(safeUrl('docs/spec.md')).toBeUndefined();
  });
});

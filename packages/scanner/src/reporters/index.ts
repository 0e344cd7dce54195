import { UsageError } from '@bulwark/core';
import type { ScanResult } from '../result.ts';
import { formatJson, type JsonOptions } from './json.ts';
import { formatMarkdown, type MarkdownOptions } from './markdown.ts';
import { formatSarif, type SarifOptions } from './sarif.ts';
import { formatText, type TextOptions } from './text.ts';

export { formatJson, type JsonOptions } from './json.ts';
export { formatMarkdown, type MarkdownOptions } from './markdown.ts';
export { compareFindings, sortFindings } from './order.ts';
export { formatSarif, type SarifLevel, type SarifOptions, sarifLevel, securitySeverity } from './sarif.ts';
export type { ReadSource } from './source.ts';
export { formatText, type TextOptions } from './text.ts';

/** The values of `bulwark scan --format`. */
export const formats = ['text', 'json', 'sarif', 'markdown'] as const;
export type Format = (typeof formats)[number];

/** Every reporter's options in one bag; each reporter reads the ones it knows. `color` defaults to false. */
export type FormatOptions = JsonOptions & MarkdownOptions & SarifOptions & Partial<TextOptions>;

export function isFormat(value: string): value is Format {
  return (formats as readonly string[]).includes(value);
}

/** Renders a scan result in one of `formats`. Pure: the caller writes the string where it belongs. */
export function formatResult(result: ScanResult, format: Format, options: FormatOptions = {}): string {
  switch (format) {
    case 'text':
      return formatText(result, { ...options, color: options.color ?? false });
    case 'json':
      return formatJson(result, options);
    case 'sarif':
      return formatSarif(result, options);
    case 'markdown':
      return formatMarkdown(result, options);
    default:
      throw new UsageError(`Unknown report format '${String(format)}'.`, {
        metaMessages: [`Use one of: ${formats.join(', ')}.`],
        docsPath: 'cli.md#scan',
      });
  }
}

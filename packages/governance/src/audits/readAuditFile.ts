import { readFileSync } from 'node:fs';
import { dirname, extname, relative, resolve } from 'node:path';
import { closest } from '@bulwark/core';
import { parseDocument } from 'yaml';
import type { AuditFindingInput, AuditInput } from './addAudit.ts';
import { AuditInputError } from './errors.ts';

const topKeys = ['id', 'auditor', 'date', 'scope', 'report', 'findings'];
const auditorKeys = ['firm', 'competency', 'trackRecord', 'contact'];
const scopeKeys = ['files', 'contracts'];
const findingKeys = ['id', 'title', 'severity', 'status', 'resolution'];

/**
 * Reads an audit record from a JSON or YAML file. Its paths (scope files, report) are relative to
 * the file; they are returned relative to `base`.
 */
export function readAuditFile(file: string, base: string): AuditInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new AuditInputError(`Cannot read the audit file ${file}.`, { cause });
  }
  let raw: unknown;
  if (extname(file).toLowerCase() === '.json') {
    try {
      raw = JSON.parse(text);
    } catch (cause) {
      throw new AuditInputError(`The audit file ${file} is not valid JSON: ${(cause as Error).message}.`);
    }
  } else {
    const doc = parseDocument(text);
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      throw new AuditInputError(
        `The audit file ${file}${pos ? `:${pos.line}:${pos.col}` : ''} is not valid YAML: ${error.message.split('\n')[0]}`,
      );
    }
    raw = doc.toJS();
  }
  const fail = (path: string, problem: string, fix: string): never => {
    throw new AuditInputError(`The audit file ${file}: ${path} ${problem}.`, { metaMessages: [`Fix: ${fix}`] });
  };
  const object = (value: unknown, path: string, keys: string[]): Record<string, unknown> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return fail(path, 'is not an object', `write ${path} as a mapping of ${keys.join(', ')}.`);
    for (const key of Object.keys(value)) {
      if (keys.includes(key)) continue;
      const guess = closest(key, keys);
      fail(
        `${path}.${key}`.replace(/^\./, ''),
        'is not a known key',
        guess ? `did you mean "${guess}"?` : `use ${keys.join(', ')}.`,
      );
    }
    return value as Record<string, unknown>;
  };
  const string = (value: unknown, path: string, required: boolean): string | undefined => {
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || !value.trim()) return fail(path, 'must be a non-empty string', `give ${path}.`);
    return value;
  };
  const strings = (value: unknown, path: string): string[] => {
    if (value === undefined) return [];
    if (typeof value === 'string') return [value];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
      return fail(path, 'must be a string or a list of strings', `write ${path}: ["…"].`);
    return value as string[];
  };
  const here = dirname(resolve(file));
  const rebase = (path: string) => relative(base, resolve(here, path)) || '.';

  const top = object(raw, '', topKeys);
  const auditor = object(top.auditor, 'auditor', auditorKeys);
  const scope = top.scope === undefined ? {} : object(top.scope, 'scope', scopeKeys);
  const date = top.date instanceof Date ? top.date.toISOString().slice(0, 10) : top.date;
  const findings = top.findings === undefined ? [] : top.findings;
  if (!Array.isArray(findings)) fail('findings', 'must be a list', 'write findings: [{ title, severity }].');
  return {
    id: string(top.id, 'id', false),
    auditor: {
      firm: string(auditor.firm, 'auditor.firm', true)!,
      competency: strings(auditor.competency, 'auditor.competency'),
      trackRecord: strings(auditor.trackRecord, 'auditor.trackRecord'),
      contact: string(auditor.contact, 'auditor.contact', false),
    },
    date: string(date, 'date', true)!,
    files: strings(scope.files, 'scope.files').map(rebase),
    contracts: strings(scope.contracts, 'scope.contracts'),
    report: rebase(string(top.report, 'report', true)!),
    findings: (findings as unknown[]).map((entry, i): AuditFindingInput => {
      const finding = object(entry, `findings[${i}]`, findingKeys);
      return {
        id: string(finding.id, `findings[${i}].id`, false),
        title: string(finding.title, `findings[${i}].title`, true)!,
        severity: string(
          finding.severity,
          `findings[${i}].severity`,
          true,
        )!.toLowerCase() as AuditFindingInput['severity'],
        status: string(finding.status, `findings[${i}].status`, false) as AuditFindingInput['status'],
        resolution: string(finding.resolution, `findings[${i}].resolution`, false),
      };
    }),
  };
}

import { readFileSync } from 'node:fs';
import { closest } from '@bulwark/core';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { ManifestError, type ManifestIssue } from './errors.ts';
import type { DocumentRef, Manifest } from './types.ts';

/** The published JSON Schema (draft 2020-12) of the manifest. */
export const manifestSchemaPath = new URL('../../manifest.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;
let schemaCache: Record<string, unknown> | undefined;

export function manifestSchema(): Record<string, unknown> {
  schemaCache ??= JSON.parse(readFileSync(manifestSchemaPath, 'utf8')) as Record<string, unknown>;
  return schemaCache;
}

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true });
    compiled = ajv.compile(manifestSchema());
  }
  return compiled;
}

/** Finds the line and column of a JSON path (and optionally of one key in it) in the source text. */
export type Locate = (path: (string | number)[], key?: string) => { line: number; column: number } | undefined;

export type ValidateManifestParameters = {
  /** The file, as named in messages. */
  file: string;
  locate?: Locate | undefined;
};

/**
 * Checks a parsed manifest against the schema, then what the schema cannot say (unique contract
 * names, contacts that exist, documents that point somewhere). Throws a ManifestError listing
 * every problem with its path, position and fix.
 */
export function validateManifest(raw: unknown, parameters: ValidateManifestParameters): Manifest {
  const validate = validator();
  const issues: ManifestIssue[] = [];
  const at = (path: (string | number)[], key?: string) => parameters.locate?.(path, key) ?? {};
  if (!validate(raw)) {
    for (const error of simplify(validate.errors ?? [])) {
      const segments = pointerSegments(error.instancePath);
      const described = describe(error, segments, raw);
      issues.push({ ...described, ...at(segments, described.key) });
    }
  } else {
    for (const issue of semanticIssues(raw as Manifest)) issues.push({ ...issue, ...at(issue.segments, issue.key) });
  }
  if (issues.length > 0) {
    issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw manifestInvalid(parameters.file, issues);
  }
  return raw as Manifest;
}

export function manifestInvalid(file: string, issues: ManifestIssue[]): ManifestError {
  const where = (issue: ManifestIssue) =>
    issue.line === undefined ? file : `${file}:${issue.line}${issue.column === undefined ? '' : `:${issue.column}`}`;
  const lines = issues.map(
    (issue) =>
      `${where(issue)}: ${issue.path ? `${issue.path} ` : ''}${issue.message}.${issue.fix ? ` Fix: ${issue.fix}` : ''}`,
  );
  const head =
    issues.length === 1
      ? `Invalid manifest ${lines[0]}`
      : `Invalid manifest ${file} (${issues.length} problems):\n${lines.map((line) => `  ${line}`).join('\n')}`;
  return new ManifestError(head, { file, issues });
}

/** `/contracts/0/admin` → ['contracts', 0, 'admin']. */
function pointerSegments(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** `['contracts', 0, 'admin']` → `contracts[0].admin`. */
export function formatPath(segments: (string | number)[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${segment}` : segment;
  }
  return out;
}

/** Drops errors that only restate a deeper one (ajv reports `if`/`$ref` wrappers with allErrors). */
function simplify(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    if (error.keyword === 'if') return false;
    const key = `${error.instancePath}|${error.keyword}|${JSON.stringify(error.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const patternHelp: Record<string, { what: string; fix: string; hideValue?: boolean }> = {
  '^\\d{4}-\\d{2}-\\d{2}$': { what: 'a date YYYY-MM-DD', fix: 'write the date as 2025-01-31.' },
  '^0x[0-9a-fA-F]{40}$': {
    what: 'a 20-byte 0x-prefixed address',
    fix: 'write the address as 0x followed by 40 hex digits.',
  },
  '^[A-Za-z_][A-Za-z0-9_]*$': {
    what: 'the name of an environment variable',
    fix: 'put the RPC URL in an environment variable (it may carry an API key) and write its name, e.g. rpc: MAINNET_RPC_URL.',
    // The value may be an RPC URL with a key in it: never repeat it.
    hideValue: true,
  },
  '^[0-9a-f]{64}$': {
    what: 'a sha256 in lower-case hex (64 digits)',
    fix: 'copy the hash that `bulwark docs check` prints.',
  },
  '^0x[0-9a-fA-F]{64}$': {
    what: 'a 0x-prefixed 32-byte hash',
    fix: 'let `bulwark verify-deployment` record it, or remove it.',
  },
  '^https?://': { what: 'an http(s) URL', fix: 'write a URL starting with https://, or use path: for a file.' },
  '^[^@\\s]+@[^@\\s]+$': { what: 'an e-mail address', fix: 'write name@example.org.' },
  '^[A-Za-z_$][A-Za-z0-9_$.-]*$': {
    what: 'a contract name (letters, digits, _ $ . -)',
    fix: 'use the Solidity contract name, e.g. DemoVault.',
  },
};

const typeNames: Record<string, string> = {
  string: 'a string',
  object: 'an object',
  array: 'a list',
  boolean: 'true or false',
  integer: 'an integer',
  number: 'a number',
  null: 'null',
};

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `the number ${value}` : `the number ${value}`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function contractHint(segments: (string | number)[], raw: unknown): string {
  if (segments[0] !== 'contracts' || typeof segments[1] !== 'number') return '';
  const contract = (raw as { contracts?: { name?: unknown }[] }).contracts?.[segments[1]];
  return typeof contract?.name === 'string' ? ` (contract ${contract.name})` : '';
}

function describe(
  error: ErrorObject,
  segments: (string | number)[],
  raw: unknown,
): { path: string; message: string; fix?: string; key?: string } {
  const path = formatPath(segments);
  const hint = contractHint(segments, raw);
  const value = error.data;
  switch (error.keyword) {
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      const full = formatPath([...segments, missing]);
      return { path: full, message: `is required but missing${hint}`, fix: `add "${missing}".` };
    }
    case 'additionalProperties': {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((error.parentSchema as { properties?: Record<string, unknown> }).properties ?? {});
      const guess = closest(key, known);
      return {
        path: formatPath([...segments, key]),
        key,
        message: `is not a known key${hint}`,
        fix: guess ? `did you mean "${guess}"?` : `remove it, or use one of: ${known.join(', ')}.`,
      };
    }
    case 'type': {
      const expected = String((error.params as { type: string | string[] }).type)
        .split(',')
        .map((t) => typeNames[t] ?? t);
      return {
        path,
        message: `must be ${expected.join(' or ')}, not ${typeOf(value)}${hint}`,
        fix: `write ${expected.join(' or ')} at ${path || 'the top level'}.`,
      };
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
      return {
        path,
        message: `must be one of ${allowed.join(', ')}, not ${typeOf(value)}${hint}`,
        fix: guess ? `did you mean "${guess}"?` : `use one of ${allowed.join(', ')}.`,
      };
    }
    case 'const':
      return {
        path,
        message: `must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`,
        fix: 'this version of Bulwark reads manifest version 1.',
      };
    case 'pattern': {
      const help = patternHelp[(error.params as { pattern: string }).pattern];
      return {
        path,
        message: `must be ${help?.what ?? `text matching ${(error.params as { pattern: string }).pattern}`}${help?.hideValue ? '' : `, not ${typeOf(value)}`}${hint}`,
        fix: help?.fix,
      };
    }
    case 'minItems':
      return { path, message: `must list at least one item${hint}`, fix: `add an entry to ${path}.` };
    case 'minLength':
      return { path, message: `must not be empty${hint}`, fix: 'fill it in or remove the key.' };
    case 'minimum':
      return {
        path,
        message: `must be at least ${(error.params as { limit: number }).limit}, not ${typeOf(value)}${hint}`,
      };
    default:
      return { path, message: `${error.message ?? 'is invalid'}${hint}` };
  }
}

type SemanticIssue = ManifestIssue & { segments: (string | number)[]; key?: string | undefined };

function semanticIssues(manifest: Manifest): SemanticIssue[] {
  const issues: SemanticIssue[] = [];
  const add = (segments: (string | number)[], message: string, fix: string) =>
    issues.push({ path: formatPath(segments), segments, message, fix });
  const contactNames = (manifest.contacts ?? []).map((contact) => contact.name);
  const checkDocument = (segments: (string | number)[], doc: DocumentRef | undefined) => {
    if (doc !== undefined && typeof doc !== 'string' && !doc.path && !doc.url && !doc.text)
      add(segments, 'names no document', 'give path:, url: or text:.');
  };
  checkDocument(['project', 'disclosurePolicy'], manifest.project.disclosurePolicy);
  const names = new Map<string, number>();
  manifest.contracts.forEach((contract, i) => {
    const first = names.get(contract.name);
    if (first !== undefined)
      add(
        ['contracts', i, 'name'],
        `repeats the name ${contract.name} of contracts[${first}]`,
        'give each contract its own name.',
      );
    else names.set(contract.name, i);
    const docs = contract.documentation;
    const base = ['contracts', i, 'documentation'];
    docs?.contacts?.forEach((name, j) => {
      if (contactNames.includes(name)) return;
      const guess = closest(name, contactNames);
      add(
        [...base, 'contacts', j],
        `names ${JSON.stringify(name)}, who is not in contacts (contract ${contract.name})`,
        guess ? `did you mean "${guess}"?` : 'add them to the top-level contacts list.',
      );
    });
    if (docs) {
      for (const key of ['specification', 'behaviour', 'accessControl'] as const)
        checkDocument([...base, key], docs[key]);
      checkDocument([...base, 'upgradeability', 'document'], docs.upgradeability?.document);
      for (const key of ['disclosurePolicy', 'recourse', 'openSourceUse'] as const)
        checkDocument([...base, 'procedures', key], docs.procedures?.[key]);
      docs.history?.testReports?.forEach((doc, j) => {
        checkDocument([...base, 'history', 'testReports', j], doc);
      });
      docs.history?.incidents?.forEach((doc, j) => {
        checkDocument([...base, 'history', 'incidents', j], doc);
      });
      checkDocument([...base, 'history', 'changelog'], docs.history?.changelog);
    }
    const seen = new Set<string>();
    contract.deployments?.forEach((deployment, j) => {
      if (!deployment.address) return;
      const key = `${deployment.chainId}:${deployment.address.toLowerCase()}`;
      if (seen.has(key))
        add(
          ['contracts', i, 'deployments', j],
          `repeats chain ${deployment.chainId} address ${deployment.address} (contract ${contract.name})`,
          'list each deployment once.',
        );
      seen.add(key);
    });
  });
  return issues;
}

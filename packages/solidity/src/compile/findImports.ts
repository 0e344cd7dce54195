import { stripComments } from './stripComments.ts';

export type ImportStatement = {
  /** The path as written between the quotes. */
  path: string;
  /** JS string index of the `import` keyword in the source. */
  index: number;
};

// import "p"; import "p" as X; import * as X from "p"; import {a, b as c} from "p"; import X from "p";
const importPattern = /\bimport\s+(?:[^;'"]*?\bfrom\s+)?(["'])([^"'\n]+)\1[^;]*;/g;

/**
 * Lists the import statements of a Solidity source without parsing it, so that imports of a file
 * with syntax errors can still be resolved and reported.
 */
export function findImports(source: string): ImportStatement[] {
  const imports: ImportStatement[] = [];
  for (const match of stripComments(source).matchAll(importPattern)) {
    imports.push({ path: match[2], index: match.index });
  }
  return imports;
}

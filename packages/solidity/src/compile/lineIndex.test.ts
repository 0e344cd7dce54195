import { describe, expect, test } from 'vitest';
import { findImports } from './findImports.ts';
import { createLineIndex } from './lineIndex.ts';
import { stripComments } from './stripComments.ts';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('createLineIndex', () => {
  test('default: ASCII offsets are string indexes', () => {
    const index = createLineIndex('ab\ncd\n');
    expect(index.position(0)).toEqual({ line: 1, column: 1 });
    expect(index.position(4)).toEqual({ line: 2, column: 2 });
    expect(index.stringIndex(4)).toBe(4);
  });

  test('behavior: byte offsets after multi-byte characters', () => {
    const content = '// é 🙂\nx = "日本";\ny';
    const index = createLineIndex(content);
    const y = content.indexOf('y');
    expect(index.stringIndex(bytes(content.slice(0, y)))).toBe(y);
    expect(index.position(bytes(content.slice(0, y)))).toEqual({ line: 3, column: 1 });
    const semicolon = content.indexOf(';');
    expect(index.position(bytes(content.slice(0, semicolon)))).toEqual({ line: 2, column: 9 });
    expect(index.stringIndex(bytes(content.slice(0, semicolon)))).toBe(semicolon);
  });

  test('behavior: offsets past the end are clamped', () => {
    expect(createLineIndex('a\nb').position(99)).toEqual({ line: 2, column: 2 });
  });
});

describe('findImports and stripComments', () => {
  test('default: every import form, comments ignored', () => {
    const source = [
      'import "./A.sol";',
      "import './B.sol' as B;",
      'import * as C from "@c/C.sol";',
      'import {D, E as F} from "../D.sol";',
      '// import "./Commented.sol";',
      '/* import "./Block.sol"; */',
      'import',
      '  { G }',
      '  from "lib/G.sol";',
      'string constant url = "http://x"; import "./H.sol";',
    ].join('\n');
    expect(findImports(source).map((i) => i.path)).toEqual([
      './A.sol',
      './B.sol',
      '@c/C.sol',
      '../D.sol',
      'lib/G.sol',
      './H.sol',
    ]);
    expect(findImports(source)[1]!.index).toBe(source.indexOf("import './B.sol'"));
  });

  test('behavior: stripComments keeps length, newlines and strings', () => {
    const source = 'a // c\nb /* x\ny */ "//not" \'/*\'';
    const stripped = stripComments(source);
    expect(stripped).toHaveLength(source.length);
    expect(stripped).toBe('a     \nb     \n     "//not" \'/*\'');
  });
});

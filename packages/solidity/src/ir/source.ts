import type { SourceLocation } from '@bulwark/core';
import type { Node } from './ast.ts';

/** A source file with a line index, so nodes map to 1-based lines and columns. */
export class SourceText {
  readonly lineStarts: number[] = [0];

  constructor(
    readonly file: string,
    readonly content: string,
  ) {
    for (let i = 0; i < content.length; i++) if (content.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.lineStarts[low] + 1 };
  }

  /** Location of a node; the parser's range end is inclusive, SourceLocation's endColumn is exclusive. */
  locationOf(node: Node): SourceLocation {
    const [start, end] = node.range ?? [0, 0];
    const from = this.position(start);
    const to = this.position(end);
    return {
      file: this.file,
      startLine: from.line,
      startColumn: from.column,
      endLine: to.line,
      endColumn: to.column + 1,
    };
  }

  textOf(node: Node): string {
    const [start, end] = node.range ?? [0, -1];
    return this.content.slice(start, end + 1);
  }

  line(lineNumber: number): string {
    const start = this.lineStarts[lineNumber - 1] ?? this.content.length;
    const next = this.lineStarts[lineNumber];
    return this.content.slice(start, next === undefined ? undefined : next - 1).replace(/\r$/, '');
  }
}

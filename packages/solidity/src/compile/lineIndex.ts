export type LineIndex = {
  /** 1-based line and column (in UTF-16 code units) of a UTF-8 byte offset, as solc reports them. */
  position(byteOffset: number): { line: number; column: number };
  /** JS string index of a UTF-8 byte offset. */
  stringIndex(byteOffset: number): number;
};

/**
 * solc's `src` and `sourceLocation` offsets count UTF-8 bytes, while JS strings count UTF-16 code
 * units; the two differ after the first non-ASCII character (a `é` in a comment shifts every later
 * offset by one).
 */
export function createLineIndex(content: string): LineIndex {
  const bytes = Buffer.from(content, 'utf8');
  const ascii = bytes.length === content.length;
  // Byte offset and string index of each line start ('\n' is one byte and one code unit).
  const lineStarts = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) lineStarts.push(i + 1);
  const lineStartIndexes = [0];
  for (let i = 0; i < content.length; i++) if (content.charCodeAt(i) === 0x0a) lineStartIndexes.push(i + 1);

  const clamp = (offset: number) => Math.max(0, Math.min(offset, bytes.length));
  const toIndex = (from: number, to: number) => (ascii ? to - from : bytes.toString('utf8', from, to).length);

  const lineOf = (offset: number) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  };

  return {
    position(byteOffset) {
      const offset = clamp(byteOffset);
      const line = lineOf(offset);
      return { line: line + 1, column: toIndex(lineStarts[line]!, offset) + 1 };
    },
    stringIndex(byteOffset) {
      const offset = clamp(byteOffset);
      const line = lineOf(offset);
      return lineStartIndexes[line]! + toIndex(lineStarts[line]!, offset);
    },
  };
}

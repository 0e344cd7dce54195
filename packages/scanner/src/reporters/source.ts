/** Returns a file's text, or undefined when it cannot be read. */
export type ReadSource = (file: string) => string | undefined;

/**
 * Wraps `readSource` so each file is read and split once per report. A file that cannot be read
 * (deleted since the scan, or `readSource` throws) yields no excerpt rather than no report.
 */
export function sourceLines(readSource: ReadSource | undefined): (file: string) => string[] | undefined {
  const cache = new Map<string, string[] | undefined>();
  return (file) => {
    if (!readSource) return undefined;
    if (!cache.has(file)) {
      let text: string | undefined;
      try {
        text = readSource(file);
      } catch {
        text = undefined;
      }
      cache.set(file, text === undefined ? undefined : text.split(/\r\n|\r|\n/));
    }
    return cache.get(file);
  };
}

/**
 * Drops control characters other than tab. Source files and messages are untrusted: an escape
 * sequence hidden in a Solidity comment must not reach the user's terminal.
 */
export function stripControlCharacters(text: string): string {
  let clean = '';
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    const control = (code < 0x20 && code !== 0x09) || (code >= 0x7f && code <= 0x9f);
    if (!control) clean += character;
  }
  return clean;
}

import { inflateSync } from 'node:zlib';

/**
 * The text of a PDF that Chromium (Skia) printed, page by page: enough to check what a report
 * says, not a general PDF reader. It inflates the streams, reads each Type0 font's ToUnicode CMap,
 * and decodes the strings shown with Tj/TJ in each page's content stream under the font set by Tf.
 */
export function pdfText(pdf: Uint8Array): string[] {
  const bytes = Buffer.from(pdf);
  const objects = new Map<number, { dict: string; stream?: Buffer }>();
  const objectPattern = /(\d+) 0 obj\s*/g;
  const latin = bytes.toString('latin1');
  for (let match = objectPattern.exec(latin); match; match = objectPattern.exec(latin)) {
    const start = match.index + match[0].length;
    const end = latin.indexOf('endobj', start);
    if (end < 0) break;
    const body = latin.slice(start, end);
    const streamAt = body.search(/stream\r?\n/);
    if (streamAt < 0) {
      objects.set(Number(match[1]), { dict: body });
      continue;
    }
    const dict = body.slice(0, streamAt);
    const dataStart = start + streamAt + (body[streamAt + 6] === '\r' ? 8 : 7);
    const length = Number(/\/Length (\d+)/.exec(dict)?.[1] ?? 0);
    let stream = bytes.subarray(dataStart, dataStart + length);
    if (/\/Filter\s*\/FlateDecode/.test(dict)) {
      try {
        stream = inflateSync(stream);
      } catch {
        // A stream we cannot inflate holds no text we can read.
      }
    }
    objects.set(Number(match[1]), { dict, stream });
    objectPattern.lastIndex = end;
  }

  const cmaps = new Map<number, Map<number, string>>();
  const cmapOf = (fontObject: number) => {
    let cmap = cmaps.get(fontObject);
    if (cmap) return cmap;
    cmap = new Map();
    const ref = /\/ToUnicode (\d+) 0 R/.exec(objects.get(fontObject)?.dict ?? '')?.[1];
    const text = ref ? (objects.get(Number(ref))?.stream?.toString('latin1') ?? '') : '';
    const unicode = (hex: string) => Buffer.from(hex, 'hex').swap16().toString('utf16le');
    for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
      for (const [, code, value] of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g))
        cmap.set(Number.parseInt(code!, 16), unicode(value!));
    for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g))
      for (const [, low, high, value] of block[1]!.matchAll(
        /<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g,
      )) {
        const first = Number.parseInt(value!, 16);
        for (let code = Number.parseInt(low!, 16); code <= Number.parseInt(high!, 16); code++)
          cmap.set(code, String.fromCodePoint(first + code - Number.parseInt(low!, 16)));
      }
    cmaps.set(fontObject, cmap);
    return cmap;
  };

  const pages: string[] = [];
  for (const { dict } of objects.values()) {
    if (!/\/Type\s*\/Page(?![A-Za-z])/.test(dict)) continue;
    const fonts = new Map<string, number>();
    const fontDict = /\/Font\s*<<([^>]*)>>/.exec(dict)?.[1] ?? '';
    for (const [, name, ref] of fontDict.matchAll(/\/(\S+)\s+(\d+) 0 R/g)) fonts.set(name!, Number(ref));
    const contents = [...(/\/Contents\s*(\[[^\]]*\]|\d+ 0 R)/.exec(dict)?.[1] ?? '').matchAll(/(\d+) 0 R/g)].map(
      (m) => objects.get(Number(m[1]))?.stream?.toString('latin1') ?? '',
    );
    let font = 0;
    let text = '';
    for (const content of contents) {
      const tokens =
        /\/([^\s/<>[\]()]+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>|\(((?:\\.|[^\\)])*)\)|(-?\d+(?:\.\d+)?)|(T[Jj*]|ET|Td|TD|T\*|')/g;
      for (const [, fontName, hex, literal, number, operator] of content.matchAll(tokens)) {
        if (fontName) font = fonts.get(fontName) ?? 0;
        else if (hex !== undefined) {
          const cmap = cmapOf(font);
          for (let i = 0; i + 4 <= hex.length; i += 4) text += cmap.get(Number.parseInt(hex.slice(i, i + 4), 16)) ?? '';
        } else if (literal !== undefined) text += literal.replace(/\\(.)/g, '$1');
        else if (number !== undefined && Number(number) < -200) text += ' ';
        // Skia moves the pen with Td inside a word; a text object ends at a cell or line boundary.
        else if (operator === 'ET' || operator === 'T*') text += ' ';
      }
    }
    pages.push(text.replace(/\s+/g, ' ').trim());
  }
  return pages;
}

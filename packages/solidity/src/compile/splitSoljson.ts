import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { writeAtomically } from './writeAtomically.ts';

/** A soljson.js as two cached files: its JavaScript without the embedded WebAssembly, and the binary. */
export type SplitSoljson = { glue: string; wasm: string };

/** Emscripten's embedding before solc 0.8.20: the binary as a base64 data URI. */
const dataUri = '"data:application/octet-stream;base64,';
/** From 0.8.20: `Module["wasmBinary"] = (function (source, uncompressedSize) {…})("<base64 of LZ4 blocks>", n);` */
const decoderStart = 'Module["wasmBinary"] = (function';
const decoderCall = '})("';
/** What follows the argument (found by position: a regular expression over 9 MB of base64 overflows the stack). */
const decoderCallEnd = /",\s*\d+\);?/y;

/**
 * The glue and binary of a WebAssembly soljson.js, written once into `cacheDir/split` (keyed by the
 * file's size and mtime); undefined for asm.js builds, which embed no binary. A wasm soljson is
 * mostly its binary as base64 text (9–27 MB): loaded whole, that text stays on the heap as long as
 * the compiler, once as the script's source and again as the decoded string, and is decoded by
 * JavaScript on every load. Split, a load reads a 1–2 MB script (whose code cache then pays) and
 * the binary, which Emscripten takes through `Module.instantiateWasm` (see `loadSolc`).
 */
export function splitSoljson(soljson: string, cacheDir: string): SplitSoljson | undefined {
  const stat = statSync(soljson);
  const key = createHash('sha256').update(`${soljson}|${stat.size}|${stat.mtimeMs}`).digest('hex').slice(0, 16);
  const folder = join(cacheDir, 'split');
  const name = `${basename(dirname(soljson))}-${key}`;
  const split = { glue: join(folder, `${name}.js`), wasm: join(folder, `${name}.wasm`) };
  try {
    statSync(split.glue);
    statSync(split.wasm);
    return split;
  } catch {
    // Not split yet.
  }
  const source = readFileSync(soljson, 'utf8');
  const parts = splitSource(source);
  if (!parts) return undefined;
  mkdirSync(folder, { recursive: true });
  writeAtomically(split.wasm, parts.wasm);
  writeAtomically(split.glue, parts.glue);
  return split;
}

/** The glue (with an empty data URI, or without the decoding call) and the binary; undefined when none is embedded. */
export function splitSource(source: string): { glue: string; wasm: Uint8Array } | undefined {
  const start = source.indexOf(decoderStart);
  const call = start >= 0 ? source.indexOf(decoderCall, start) : -1;
  decoderCallEnd.lastIndex = call >= 0 ? source.indexOf('"', call + decoderCall.length) : -1;
  const callEnd = decoderCallEnd.lastIndex >= 0 ? decoderCallEnd.exec(source) : null;
  if (callEnd) {
    const end = callEnd.index + callEnd[0].length;
    // The decoder (base64, then LZ4 blocks) runs once here; the glue keeps a binary given to it.
    const decode = source.slice(start, end);
    const sandbox = { Module: {} as { wasmBinary?: Uint8Array } };
    runInNewContext(decode, sandbox);
    const decoded = sandbox.Module.wasmBinary;
    // Made in another realm: `instanceof Uint8Array` would be false.
    if (!ArrayBuffer.isView(decoded)) return undefined;
    const wasm = Buffer.from(decoded.buffer, decoded.byteOffset, decoded.byteLength);
    if (!isWasm(wasm)) return undefined;
    return { glue: source.slice(0, start) + source.slice(end), wasm };
  }
  // The first data URI with a payload (the bare prefix is declared too).
  let uri = source.indexOf(dataUri);
  while (uri >= 0 && source[uri + dataUri.length] === '"') uri = source.indexOf(dataUri, uri + 1);
  if (uri < 0) return undefined;
  const payloadEnd = source.indexOf('"', uri + dataUri.length);
  const wasm = Buffer.from(source.slice(uri + dataUri.length, payloadEnd), 'base64');
  // asm.js builds (up to 0.5) embed their memory image the same way.
  if (!isWasm(wasm)) return undefined;
  return { glue: `${source.slice(0, uri)}${dataUri}"${source.slice(payloadEnd + 1)}`, wasm };
}

/** WebAssembly's magic number and version 1: `\0asm`, 1. */
function isWasm(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 8)).equals(Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
}

import { bytesToHex, type Hex, hexToBytes, keccak256 } from 'viem';
import type { CodeRange } from './readArtifact.ts';

export type NormalizedCode = {
  /** The code without its metadata and with immutables and libraries zeroed. */
  code: Hex;
  /** keccak256 of `code`: what deployments record as `bytecodeHash`. */
  hash: Hex;
  /** The CBOR metadata that was cut off the end, if any. */
  metadata: Hex | undefined;
};

// CBOR text keys solc writes into the metadata map.
const metadataKeys = ['ipfs', 'bzzr0', 'bzzr1', 'solc', 'experimental'].map((key) =>
  bytesToHex(new TextEncoder().encode(key)).slice(2),
);

/**
 * Runtime code as it compares across builds and deployments: the bytes in `ranges` (immutables and
 * linked libraries, filled in at deployment) set to zero, and solc's CBOR metadata cut off the end
 * (its length is in the last two bytes; it changes with comments, paths and settings that do not
 * change the code).
 */
export function normalizeRuntimeCode(runtime: Hex, ranges: readonly CodeRange[] = []): NormalizedCode {
  const bytes = hexToBytes(runtime);
  for (const range of ranges) {
    const end = Math.min(range.start + range.length, bytes.length);
    for (let i = range.start; i < end; i++) bytes[i] = 0;
  }
  let length = bytes.length;
  let metadata: Hex | undefined;
  if (bytes.length >= 2) {
    const cborLength = (bytes[bytes.length - 2] << 8) | bytes[bytes.length - 1];
    const start = bytes.length - 2 - cborLength;
    // A CBOR map (0xa1–0xb7) that holds one of solc's keys: anything else is code, not metadata.
    if (cborLength > 0 && start >= 0 && bytes[start] >= 0xa1 && bytes[start] <= 0xb7) {
      const cbor = bytesToHex(bytes.subarray(start, bytes.length - 2)).slice(2);
      if (metadataKeys.some((key) => cbor.includes(key))) {
        metadata = bytesToHex(bytes.subarray(start));
        length = start;
      }
    }
  }
  const code = bytesToHex(bytes.subarray(0, length));
  return { code, hash: keccak256(code), metadata };
}

/**
 * Where immutables probably are, for an artifact that does not list them: solc compiles each
 * read of an immutable to a PUSH32 of 32 zero bytes and fills the bytes in at deployment, and it
 * never pushes a literal zero with PUSH32 (PUSH0 or PUSH1 does that). Only the code before the
 * metadata is walked, instruction by instruction, so push data is never read as an opcode.
 */
export function inferImmutableRanges(runtime: Hex): CodeRange[] {
  const bytes = hexToBytes(runtime);
  const { metadata } = normalizeRuntimeCode(runtime);
  const end = bytes.length - (metadata ? (metadata.length - 2) / 2 : 0);
  const ranges: CodeRange[] = [];
  for (let pc = 0; pc < end; pc++) {
    const op = bytes[pc];
    if (op < 0x60 || op > 0x7f) continue;
    const size = op - 0x5f;
    if (op === 0x7f && pc + 32 < end && bytes.subarray(pc + 1, pc + 33).every((b) => b === 0))
      ranges.push({ start: pc + 1, length: 32 });
    pc += size;
  }
  return ranges;
}

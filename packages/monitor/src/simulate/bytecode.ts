import { type Hex, hexToBytes } from 'viem';

/** What a contract's runtime code says about the calls it accepts and the calls it makes. */
export type BytecodeSummary = {
  /**
   * Selectors the dispatcher compares the call data with (`PUSH4 s EQ`, or `PUSH4 s DUPn EQ`):
   * the contract's external functions, in code order.
   */
  functions: Hex[];
  /**
   * Other selectors the code pushes: with `PUSH4` (older solc, hand-written code) or left-aligned in a
   * `PUSH32` (solc ≥ 0.8 builds call data that way): mostly the functions it calls on other contracts.
   */
  calls: Set<Hex>;
};

const PUSH1 = 0x60;
const PUSH4 = 0x63;
const PUSH32 = 0x7f;
const DUP1 = 0x80;
const DUP16 = 0x8f;
const EQ = 0x14;

/**
 * Walks the code instruction by instruction (push data is never read as an opcode). A constructor
 * or a proxy that builds its selectors at run time reveals none: the caller then has no functions
 * to try, which is the cheap, safe outcome.
 */
export function readBytecode(code: Hex): BytecodeSummary {
  const bytes = hexToBytes(code);
  const functions: Hex[] = [];
  const seen = new Set<Hex>();
  const calls = new Set<Hex>();
  for (let pc = 0; pc < bytes.length; pc++) {
    const op = bytes[pc]!;
    if (op < PUSH1 || op > PUSH32) continue;
    const size = op - PUSH1 + 1;
    const data = bytes.subarray(pc + 1, pc + 1 + size);
    pc += size;
    if (data.length < size) break;
    if (op === PUSH4) {
      const selector = toHex(data);
      const next = bytes[pc + 1];
      const afterDup = next !== undefined && next >= DUP1 && next <= DUP16 ? bytes[pc + 2] : undefined;
      if (next === EQ || afterDup === EQ) {
        if (!seen.has(selector)) functions.push(selector);
        seen.add(selector);
      } else {
        calls.add(selector);
      }
    } else if (op === PUSH32 && data.subarray(4).every((byte) => byte === 0) && data.subarray(0, 4).some((b) => b)) {
      calls.add(toHex(data.subarray(0, 4)));
    }
  }
  for (const selector of functions) calls.delete(selector);
  return { functions, calls };
}

/**
 * The addresses of `candidates` (lower-case) that occur, byte-aligned, in `code`: as PUSH20
 * literals, as immutables (PUSH32 filled in at deployment) or as constructor arguments when
 * `code` is the creation input.
 */
export function referencedAddresses(code: Hex, candidates: Iterable<string>): string[] {
  const text = code.toLowerCase();
  const found: string[] = [];
  for (const address of candidates) {
    const needle = address.slice(2).toLowerCase();
    for (let at = text.indexOf(needle, 2); at !== -1; at = text.indexOf(needle, at + 1)) {
      // `text` starts with 0x: a byte boundary is an even offset from index 2.
      if ((at - 2) % 2 === 0) {
        found.push(address.toLowerCase());
        break;
      }
    }
  }
  return found;
}

const toHex = (bytes: Uint8Array): Hex => `0x${Buffer.from(bytes).toString('hex')}`;

import { readFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/** sha256 of bytes or of a string's UTF-8, as lowercase hex. */
export function sha256Hex(data: Uint8Array | string): string {
  return bytesToHex(sha256(typeof data === 'string' ? utf8ToBytes(data) : data));
}

/** sha256 of a file's bytes, as lowercase hex. Throws the fs error when it cannot be read. */
export function sha256File(file: string): string {
  return sha256Hex(readFileSync(file));
}

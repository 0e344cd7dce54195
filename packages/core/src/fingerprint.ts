import { createHash } from 'node:crypto';

/**
 * A fingerprint that survives line shifts and reformatting: it hashes the detector id, the file,
 * the enclosing contract and function, the whitespace-normalised code at fault, and the
 * occurrence index of that same code within the function (so two identical statements differ).
 */
export function fingerprint(parts: {
  detector: string;
  file: string;
  contract?: string | undefined;
  function?: string | undefined;
  snippet: string;
  occurrence?: number | undefined;
}): string {
  const normalised = parts.snippet.replace(/\s+/g, ' ').trim();
  return createHash('sha256')
    .update(
      [
        parts.detector,
        parts.file,
        parts.contract ?? '',
        parts.function ?? '',
        normalised,
        String(parts.occurrence ?? 0),
      ].join('\u0000'),
    )
    .digest('hex')
    .slice(0, 32);
}

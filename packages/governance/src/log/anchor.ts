import { LogAnchorError } from './errors.ts';

export type LogAnchor = { seq: number; hash: string };

/** `42:9f86d0…` (what `bulwark log verify` and `log export` print as the head). */
export function parseAnchor(text: string): LogAnchor {
  const match = /^(\d+):([0-9a-f]{64})$/i.exec(text.trim());
  if (!match || Number(match[1]) < 1)
    throw new LogAnchorError(`The anchor "${text}" is not SEQ:HASH.`, {
      metaMessages: [
        'Use the head printed by `bulwark log verify` or `bulwark log export`, e.g. 42:9f86d081…(64 hex).',
      ],
      docsPath: 'governance/log.md#anchors',
    });
  return { seq: Number(match[1]), hash: match[2]!.toLowerCase() };
}

export const formatAnchor = (anchor: LogAnchor) => `${anchor.seq}:${anchor.hash}`;

import pg from 'pg';

/**
 * Type parsers shared by both engines, so a row reads the same on PGlite and PostgreSQL.
 * Their defaults differ: int8 is a string in node-postgres but a (lossy) number in PGlite; a date
 * is a local-midnight Date in one and a UTC-midnight Date in the other.
 */
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;

const parseInt8 = (value: string): bigint => BigInt(value);
const keepText = (value: string): string => value;

/** For PGlite's `parsers` option. */
export const pgliteParsers: Record<number, (value: string) => unknown> = {
  [INT8]: parseInt8,
  [NUMERIC]: keepText,
  [DATE]: keepText,
};

/** For node-postgres' `types` option (per pool, so the global parsers stay untouched). */
export const pgTypes: pg.CustomTypesConfig = {
  // biome-ignore lint/suspicious/noExplicitAny: the overloads of pg's getTypeParser do not unify
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): any => {
    if (format !== 'binary') {
      if (oid === INT8) return parseInt8;
      if (oid === NUMERIC || oid === DATE) return keepText;
    }
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

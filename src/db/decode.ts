/** Column readers over one row as mysql2 returns it: BIGINT and DECIMAL as strings (bigNumberStrings), small integers as numbers. */

/** One returned row, by column name. */
export type Columns = Record<string, unknown>;

/** A count or small integer column as a JS number; refuses anything that is not an exact safe integer. */
export function readCount(row: Columns, column: string): number {
  const value = row[column];
  const n = typeof value === 'string' || typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new TypeError(`column ${column}: expected an integer, got ${String(value)}`);
  }
  return n;
}

/** An id column as exact decimal digits; a JS number is accepted only while it is exact. */
export function readId(row: Columns, column: string): string {
  const value = row[column];
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  if (typeof value === 'bigint' && value >= 0n) return value.toString();
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  throw new TypeError(`column ${column}: expected an unsigned integer id, got ${String(value)}`);
}

/** A nullable id column. */
export function readOptionalId(row: Columns, column: string): string | null {
  return row[column] === null ? null : readId(row, column);
}

/** A nullable text column; binary values are read as UTF-8. */
export function readText(row: Columns, column: string): string | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

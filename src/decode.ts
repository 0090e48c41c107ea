/** Column decoders: mysql2 returns BIGINT and DECIMAL as strings (bigNumberStrings), small integers as numbers. */

/** A count or small integer column as a JS number; refuses anything that is not an exact safe integer. */
export function toCount(value: unknown, column: string): number {
  const n = typeof value === 'string' ? Number(value) : typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new TypeError(`column ${column}: expected an integer, got ${String(value)}`);
  }
  return n;
}

/** A nullable status column; NULL stays null. */
export function toStatus(value: unknown, column: string): number | null {
  return value === null ? null : toCount(value, column);
}

/** An id column as exact decimal digits; a JS number is accepted only while it is exact. */
export function toId(value: unknown, column: string): string {
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  if (typeof value === 'bigint' && value >= 0n) return value.toString();
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  throw new TypeError(`column ${column}: expected an unsigned integer id, got ${String(value)}`);
}

/** A nullable id column. */
export function toOptionalId(value: unknown, column: string): string | null {
  return value === null ? null : toId(value, column);
}

/** A nullable text column; binary values are read as UTF-8. */
export function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

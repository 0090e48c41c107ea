/** Comparators for the reference model: byte order for text, exact order for 64-bit ids. */

/** Orders two strings by their UTF-8 bytes (not by UTF-16 code units, which differ above U+FFFF). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Orders nullable strings: NULL first, then by UTF-8 bytes (as an ascending SQL ORDER BY on a binary column). */
export function compareNullableUtf8(a: string | null, b: string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return compareUtf8(a, b);
}

/** Orders two exact integers (ids up to 2^64 - 1 stay exact as BigInt). */
export function compareBigInt(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders two plain numbers ascending. */
export function compareNumber(a: number, b: number): number {
  return a - b;
}

/** The smallest item of a list under `compare`; undefined when the list is empty. */
export function smallest<T>(items: readonly T[], compare: (a: T, b: T) => number): T | undefined {
  return items.reduce<T | undefined>((best, item) => (best === undefined || compare(item, best) < 0 ? item : best), undefined);
}

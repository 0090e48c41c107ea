import type { SchemaShape } from '../fixtures/database.js';

/** Sites in the standard benchmark database; its databases keep their historical names. */
export const DEFAULT_SITE_COUNT = 1_000_000;

/** The most sites the generator makes (blog and event ids stay far inside BIGINT; 100M would take hours). */
export const MAX_SITE_COUNT = 100_000_000;

/** Sites per generator call: generate_sites.sql numbers at most a million rows per statement. */
export const SITES_PER_BATCH = 1_000_000;

/** Drifting sites in the drifting benchmark database (of its 1,000,000 sites), as issue 14 measures `--limit 0` and `--baseline`. */
export const DRIFTING_SITE_COUNT = 300_000;

/** Which benchmark database: the generated data as is, the same with many drifting sites, or the tables alone. */
export type BenchKind = 'standard' | 'drifting' | 'empty';

/**
 * Parses a site count: digits with an optional `k` or `M` suffix (`10M`, `500k`, `10000000`;
 * `_` and `,` separators allowed). Throws a one-line message naming the option on anything else.
 */
export function parseSiteCount(text: string, option = 'SIZE'): number {
  const match = /^\s*(\d+(?:[_,]\d{3})*(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(text);
  const scale = match?.[2] ? (match[2].toLowerCase() === 'k' ? 1_000 : 1_000_000) : 1;
  const count = match ? Math.round(Number(match[1]!.replace(/[_,]/g, '')) * scale) : Number.NaN;
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SITE_COUNT || (!match?.[2] && match?.[1]?.includes('.'))) {
    throw new Error(`${option} must be a site count from 1 to 100M such as 1M, 10M or 500000, not "${text}"`);
  }
  return count;
}

/** A short lower-case label of a site count for database names and titles: `1m`, `10m`, `500k`, else the digits. */
export function sizeLabel(sites: number): string {
  if (sites % 1_000_000 === 0) return `${sites / 1_000_000}m`;
  if (sites % 1_000 === 0) return `${sites / 1_000}k`;
  return String(sites);
}

/**
 * The benchmark database of a kind, shape and size. The 1M standard databases keep their names
 * (projection_drift_bench, projection_drift_bench_production); other sizes add the size
 * (projection_drift_bench_10m, projection_drift_bench_production_10m). The drifting and empty
 * databases exist at one size only.
 */
export function benchDatabaseName(kind: BenchKind, shape: SchemaShape, sites = DEFAULT_SITE_COUNT): string {
  const shapePart = shape === 'production' ? '_production' : '';
  if (kind !== 'standard') return `projection_drift_bench_${kind}${shapePart}`;
  return `projection_drift_bench${shapePart}${sites === DEFAULT_SITE_COUNT ? '' : `_${sizeLabel(sites)}`}`;
}

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/**
 * The id block of generate_events.sql: the smallest prime above the site count (at least above
 * 1,000,000, which keeps the 1M data's event ids as they always were: 1000003). Being prime and
 * larger than every site number n, it makes n * 7919 mod B distinct for every site.
 */
export function eventIdBlock(sites: number): number {
  let block = Math.max(sites, DEFAULT_SITE_COUNT) + 1;
  while (!isPrime(block)) block++;
  return block;
}

/** The inclusive site-number ranges the generator makes one statement each. */
export function siteBatches(sites: number, perBatch = SITES_PER_BATCH): { first: number; last: number }[] {
  const batches: { first: number; last: number }[] = [];
  for (let first = 1; first <= sites; first += perBatch) batches.push({ first, last: Math.min(sites, first + perBatch - 1) });
  return batches;
}

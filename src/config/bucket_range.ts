import { UsageError } from '../errors.js';

/** An inclusive range of bucket numbers. */
export interface BucketRange {
  bucketMin: number;
  bucketMax: number;
}

/** Parses a non-negative decimal integer option; anything else is a UsageError naming the option. */
export function parseCount(text: string, option: string, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const bounds = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
    throw new UsageError(`invalid ${option} "${text}": use a whole number ${bounds}`);
  }
  return value;
}

/**
 * Parses a duration given in seconds (decimals allowed, such as 0.5) into whole milliseconds, rounded
 * up so that any positive value stays positive (0.0000001 s is 1 ms: a server would round it to 0,
 * which means no limit). Anything else is a UsageError naming the option; with `allowZero`, its message
 * says what 0 means (`zeroMeans`).
 */
export function parseDurationMs(text: string, option: string, { allowZero = false, zeroMeans = 'no limit' } = {}): number {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  const fraction = match?.[2] ?? '';
  // Exact decimal arithmetic on the digits: a float product such as 1.1 * 1000 is 1100.0000000000002.
  const milliseconds = match
    ? Number(match[1]) * 1000 + Number(fraction.slice(0, 3).padEnd(3, '0')) + (/[1-9]/.test(fraction.slice(3)) ? 1 : 0)
    : Number.NaN;
  if (!Number.isFinite(milliseconds) || milliseconds > 86_400_000 || (!allowZero && milliseconds === 0)) {
    const least = allowZero ? `0 (${zeroMeans})` : 'more than 0';
    throw new UsageError(`invalid ${option} "${text}": use a number of seconds, ${least} up to 86400, such as 10 or 0.5`);
  }
  return milliseconds;
}

/** Parses `A-B` or `A` (one bucket) against BUCKET_TOTAL: decimal, A <= B, B < bucketTotal. */
export function parseBucketRange(text: string, bucketTotal: number): BucketRange {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) {
    throw new UsageError(`invalid --range "${text}": use A-B or A with decimal bucket numbers, such as 0-99 or 7`);
  }
  return checkBucketRange({ bucketMin: Number(match[1]), bucketMax: Number(match[2] ?? match[1]) }, bucketTotal, `--range "${text}"`);
}

/** Checks a range against BUCKET_TOTAL (min <= max < bucketTotal); `given` names it as the user gave it. */
export function checkBucketRange(range: BucketRange, bucketTotal: number, given: string): BucketRange {
  const { bucketMin, bucketMax } = range;
  if (bucketMin > bucketMax) {
    throw new UsageError(`invalid ${given}: the first bucket (${bucketMin}) is greater than the last (${bucketMax}); give the smaller one first`);
  }
  if (bucketMax >= bucketTotal) {
    throw new UsageError(`invalid ${given}: buckets run from 0 to ${bucketTotal - 1} (BUCKET_TOTAL=${bucketTotal}); choose a range within them`);
  }
  return range;
}

import { DEFAULT_SITE_COUNT, parseSiteCount, sizeLabel } from './bench_size.js';

/** An inclusive bucket range to benchmark, with its column title. */
export interface BenchRange {
  min: number;
  max: number;
  title: string;
}

/** The three ranges, by their number of buckets: 10 (500-509), 100 (0-99) and 1000, the full range (0-999). */
export const RANGE_PRESETS: Readonly<Record<'10' | '100' | '1000', BenchRange>> = {
  '10': { min: 500, max: 509, title: '10 buckets' },
  '100': { min: 0, max: 99, title: '100 buckets' },
  '1000': { min: 0, max: 999, title: '1000 buckets' },
};

/** Parts of a run that `--skip` can leave out to keep it short. */
export const SKIPPABLE = ['seed', 'floor', 'fixed', 'drifting', 'baseline'] as const;
export type Skippable = (typeof SKIPPABLE)[number];

/** A parsed benchmark plan: which ranges, which parts, how the larger size is compared with 1M. */
export interface BenchPlan {
  ranges: BenchRange[];
  skip: Set<Skippable>;
  sites: number;
  rounds: number;
  /** A recorded 1M full-range CLI time (ms) to compare a larger size with, from `--base-1m`. */
  base1mMs: number | null;
  /** Measure the 1M full range in the same run (`--measure-1m`), for the same comparison. */
  measure1m: boolean;
}

const list = (text: string | undefined) =>
  (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/**
 * The ranges named by `--ranges`: a comma list of `10`, `100`, `1000` (the presets) or `A-B`
 * bucket ranges; all three presets when empty. Listed narrowest first, as the table.
 */
export function parseRanges(text: string | undefined): BenchRange[] {
  const items = list(text);
  if (items.length === 0) return Object.values(RANGE_PRESETS);
  const ranges = items.map((item) => {
    if (Object.hasOwn(RANGE_PRESETS, item)) return RANGE_PRESETS[item as keyof typeof RANGE_PRESETS];
    const match = /^(\d+)-(\d+)$/.exec(item);
    const [min, max] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
    if (!(min <= max && max <= 999)) {
      throw new Error(`--ranges takes 10, 100, 1000 or bucket ranges A-B within 0-999, comma separated, not "${item}"`);
    }
    const buckets = max - min + 1;
    return { min, max, title: `${buckets} bucket${buckets === 1 ? '' : 's'}` };
  });
  const unique = new Map(ranges.map((range) => [`${range.min}-${range.max}`, range]));
  return [...unique.values()].sort((a, b) => a.max - a.min - (b.max - b.min) || a.min - b.min);
}

/** The parts named by `--skip` (comma list of seed, floor, fixed, drifting, baseline). */
export function parseSkip(text: string | undefined): Set<Skippable> {
  const items = list(text);
  for (const item of items) {
    if (!(SKIPPABLE as readonly string[]).includes(item)) {
      throw new Error(`--skip takes a comma list of ${SKIPPABLE.join(', ')}, not "${item}"`);
    }
  }
  return new Set(items as Skippable[]);
}

/** Builds the plan from the command-line values; throws a one-line message on a bad value. */
export function parsePlan(values: {
  ranges?: string;
  skip?: string;
  size?: string;
  rounds?: string;
  'base-1m'?: string;
  'measure-1m'?: boolean;
}): BenchPlan {
  const rounds = Number(values.rounds ?? '5');
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, not "${values.rounds}"`);
  const sites = values.size ? parseSiteCount(values.size, '--size') : DEFAULT_SITE_COUNT;
  let base1mMs: number | null = null;
  if (values['base-1m'] !== undefined && values['base-1m'] !== '') {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/.exec(values['base-1m'].trim());
    if (!match) throw new Error(`--base-1m takes the 1M full-range CLI time such as 1150ms or 1.15s, not "${values['base-1m']}"`);
    base1mMs = Number(match[1]) * (match[2] === 's' ? 1000 : 1);
  }
  const measure1m = Boolean(values['measure-1m']);
  if (sites === DEFAULT_SITE_COUNT && (measure1m || base1mMs !== null)) {
    throw new Error(`--measure-1m and --base-1m compare a larger size with 1M; this run is at ${sizeLabel(sites).toUpperCase()}`);
  }
  return { ranges: parseRanges(values.ranges), skip: parseSkip(values.skip), sites, rounds, base1mMs, measure1m };
}

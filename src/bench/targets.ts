import { formatMb, formatRatio, formatShare } from './stats.js';

/** How a target's figure is shown: a ratio (`0.52x`), a share (`18.0%`), a size from KiB (`74.0 MB`) or a count (`2`). */
export type TargetUnit = 'ratio' | 'share' | 'mb' | 'count';

/** One target of issue 14: a measured figure against a limit it must not pass, and optionally a stricter goal. */
export interface Target {
  /** What is compared, e.g. `10 buckets: ours CLI / seed`. */
  title: string;
  /** The measured figure; NaN when it was not measured (the line then says SKIP and why). */
  value: number;
  /** `max`: the value must be at most `limit` (below it for `under`); `min`: at least `limit`. */
  direction: 'max' | 'min' | 'under';
  limit: number;
  goal?: number;
  unit: TargetUnit;
  /** Why the figure is missing, or what else the line should say (e.g. the two medians it divides). */
  note?: string;
}

/** The verdict on one target. */
export type Verdict = 'PASS' | 'FAIL' | 'SKIP';

function formatValue(value: number, unit: TargetUnit): string {
  if (unit === 'share') return formatShare(value);
  if (unit === 'mb') return formatMb(value);
  if (unit === 'count') return String(value);
  return formatRatio(value);
}

function holds(value: number, direction: Target['direction'], bound: number): boolean {
  if (direction === 'min') return value >= bound;
  return direction === 'under' ? value < bound : value <= bound;
}

/** PASS when the figure keeps to the limit, FAIL when not, SKIP when it was not measured. */
export function verdictOf(target: Target): Verdict {
  if (!Number.isFinite(target.value)) return 'SKIP';
  return holds(target.value, target.direction, target.limit) ? 'PASS' : 'FAIL';
}

const SIGN: Record<Target['direction'], string> = { max: '<=', min: '>=', under: '<' };

/**
 * One line per target: `PASS 10 buckets: ours CLI / seed = 0.52x (target <= 0.67x; goal <= 0.33x not met)`.
 */
export function formatTarget(target: Target): string {
  const verdict = verdictOf(target);
  const sign = SIGN[target.direction];
  const bounds = [`target ${sign} ${formatValue(target.limit, target.unit)}`];
  if (target.goal !== undefined) {
    const met = Number.isFinite(target.value) && holds(target.value, target.direction, target.goal);
    const state = Number.isFinite(target.value) ? (met ? ' met' : ' not met') : '';
    bounds.push(`goal ${sign} ${formatValue(target.goal, target.unit)}${state}`);
  }
  const figure = verdict === 'SKIP' ? 'not measured' : `= ${formatValue(target.value, target.unit)}`;
  const note = target.note ? ` ${target.note}` : '';
  return `${verdict} ${target.title} ${figure} (${bounds.join('; ')})${note}`;
}

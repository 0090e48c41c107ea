/** Median of a list of numbers; NaN for an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Milliseconds for a table cell, e.g. `9512.3 ms`; `-` when not measured. */
export function formatMs(ms: number): string {
  return Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : '-';
}

/** A ratio for a table cell, e.g. `0.093x`; `-` when either side was not measured. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '-';
  return `${ratio < 1 ? ratio.toFixed(3) : ratio.toFixed(2)}x`;
}

/** Left-aligned fixed-width table: the first column `firstWidth` wide, the others `width` wide. */
export function formatTable(rows: readonly (readonly string[])[], firstWidth = 30, width = 20): string {
  return rows
    .map((cells) => cells.map((cell, index) => cell.padEnd(index === 0 ? firstWidth : width)).join(' ').trimEnd())
    .join('\n');
}

/** Sums statement timings by statement name (a chunked read runs one statement several times): name -> ms, in first-seen order. */
export function sumByName(timings: readonly { name: string; ms: number }[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const { name, ms } of timings) sums.set(name, (sums.get(name) ?? 0) + ms);
  return sums;
}

/** Megabytes (10^6 bytes) from GNU time's KiB, for a table cell: `74.0 MB`; `-` when not measured. */
export function formatMb(kb: number): string {
  return Number.isFinite(kb) ? `${((kb * 1024) / 1e6).toFixed(1)} MB` : '-';
}

/** A share for a table cell: `5.4%`; `-` when either side was not measured. */
export function formatShare(share: number): string {
  return Number.isFinite(share) ? `${(share * 100).toFixed(1)}%` : '-';
}

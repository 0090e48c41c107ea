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

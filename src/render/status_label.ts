/** The legacy site_status names, as the monitor prints them. */
const statusNames: Readonly<Record<number, string>> = {
  0: 'SITE_DOWN',
  1: 'SITE_RUNNING',
  2: 'SITE_CONFIRMED_DOWN',
};

/** `1/SITE_RUNNING`, `7/UNKNOWN` for a value outside the v1 shape, or `-` when absent. */
function statusLabel(status: number | null | undefined): string {
  if (status === null || status === undefined) return '-';
  return `${status}/${statusNames[status] ?? 'UNKNOWN'}`;
}

/** A change with its sign, as reports print deltas: `+2`, `-1`, `0`. */
export function signed(value: number): string {
  return value > 0 ? `+${value}` : String(value);
}

/** Cell helpers the text and Markdown templates share: `status` (a status cell) and `signed` (a delta). */
export const sharedCellHelpers = { status: statusLabel, signed };

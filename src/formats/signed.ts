/** A change with its sign, as reports print deltas: `+2`, `-1`, `0`. */
export function signed(value: number): string {
  return value > 0 ? `+${value}` : String(value);
}

import type { HelperDelegate } from 'handlebars';

/** Writes an exact unsigned id as a bare JSON number (its digits unchanged, even past 2^53), or null. */
export function jsonId(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  const digits = String(value);
  if (!/^(0|[1-9]\d*)$/.test(digits)) throw new TypeError(`not an unsigned integer id: ${digits}`);
  return digits;
}

/** Writes a string, number, boolean or null as a JSON literal (strings keep their data under JSON escaping). */
export function jsonValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`not a JSON number: ${value}`);
  return JSON.stringify(value);
}

/** Helpers of the JSON template. */
export const jsonHelpers: Record<string, HelperDelegate> = {
  json: jsonValue,
  jsonId,
};

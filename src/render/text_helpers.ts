import type { HelperDelegate } from 'handlebars';
import { sanitizeForTerminal } from './sanitize.js';
import { sharedCellHelpers } from './status_label.js';

/** Helpers of the text template: fixed-width cells and terminal-safe values. */
export const textHelpers: Record<string, HelperDelegate> = {
  /** Left-aligns a cell to a width; longer values are kept whole, as the monitor's %-Ns does. */
  pad: (value: unknown, width: number) => String(value).padEnd(width),
  ...sharedCellHelpers,
  /** Whether a value is a number (a cause delta is null without --baseline). */
  isNumber: (value: unknown) => typeof value === 'number',
  /** A --recheck label as the marker at the end of a row: PERSISTENT, CHANGED or CLEARED. */
  marker: (label: string) => label.toUpperCase(),
  /** A database value made safe for a terminal; absent values print `-`. */
  terminal: (value: unknown) => (value === null || value === undefined ? '-' : sanitizeForTerminal(String(value))),
  /**
   * A database string as one key=value field: made safe for a terminal, then in double quotes with `\`
   * and `"` escaped by a backslash, so spaces and quotes inside it never end the field; absent prints `-`.
   */
  quoted: (value: unknown) =>
    value === null || value === undefined ? '-' : `"${sanitizeForTerminal(String(value)).replace(/[\\"]/g, (c) => `\\${c}`)}"`,
};

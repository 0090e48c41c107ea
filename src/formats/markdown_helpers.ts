import type { HelperDelegate } from 'handlebars';
import { sanitizeForTerminal } from '../sanitize.js';
import { sharedCellHelpers } from './status_label.js';

/** Characters with a meaning in GitHub-flavoured Markdown inline text or tables, and their inert forms. */
const markdownEscapes: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '|': '\\|',
  '`': '\\`',
  '*': '\\*',
  _: '\\_',
  '[': '\\[',
  ']': '\\]',
  '~': '\\~',
  '#': '\\#',
  '!': '\\!',
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
};

/**
 * Makes any text safe inside a Markdown table cell or paragraph: control characters, line breaks and
 * bidirectional overrides become `?`, and Markdown or HTML syntax is escaped so it renders as written.
 */
export function markdownText(value: unknown): string {
  if (value === null || value === undefined) return '-';
  return sanitizeForTerminal(String(value)).replace(/[\\|`*_[\]~#!<>&]/g, (c) => markdownEscapes[c]!);
}

/** Helpers of the Markdown template. */
export const markdownHelpers: Record<string, HelperDelegate> = {
  md: markdownText,
  ...sharedCellHelpers,
  /** The first `count` items of a list. */
  first: (list: readonly unknown[], count: number) => list.slice(0, count),
  /** How many items a list has beyond the first `count` (0 when none). */
  more: (list: readonly unknown[], count: number) => Math.max(0, list.length - count),
  /** English plural for counts in sentences. */
  plural: (count: number, singular: string, pluralForm: string) => (count === 1 ? singular : pluralForm),
};

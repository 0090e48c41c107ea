import type { HelperDelegate } from 'handlebars';
import { sanitizeForTerminal } from './sanitize.js';
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
 * The characters every autolink needs, and their inert forms: `:` (`http://`, `mailto:`), `/` (`//host`),
 * `.` (`www.`, `evil.com`) and `@` (`a@b.co`). A backslash-escaped `:`, `/` or `.` splits the text where
 * cmark-gfm's URL and www matchers and markdown-it's linkify look for links; each run of `@` goes into a
 * code span (below), because cmark-gfm finds e-mail addresses in the text after escapes are resolved.
 */
const linkEscapes: Readonly<Record<string, string>> = {
  ':': '\\:',
  '/': '\\/',
  '.': '\\.',
};

/** Escapes what means something in Markdown, after the text was made one visible line. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\|`*_[\]~#!<>&]/g, (c) => markdownEscapes[c]!);
}

/**
 * Makes any text safe inside a Markdown table cell or paragraph: control characters, line breaks,
 * bidirectional overrides and invisible characters become `?`, and Markdown or HTML syntax is escaped
 * so it renders as written.
 */
export function markdownText(value: unknown): string {
  if (value === null || value === undefined) return '-';
  return escapeMarkdown(sanitizeForTerminal(String(value)));
}

/**
 * A string read from the database, for a Markdown cell: as `markdownText`, and it never renders as a
 * link either (no GFM autolink, no linkify), while it still reads as the same text.
 */
export function markdownData(value: unknown): string {
  if (value === null || value === undefined) return '-';
  // A run of `@` goes into one code span: two spans side by side (`@``@`) would read as one `` delimiter.
  return escapeMarkdown(sanitizeForTerminal(String(value)))
    .replace(/[:/.]/g, (c) => linkEscapes[c]!)
    .replace(/@+/g, (at) => `\`${at}\``);
}

/** Helpers of the Markdown template. */
export const markdownHelpers: Record<string, HelperDelegate> = {
  md: markdownText,
  mdData: markdownData,
  ...sharedCellHelpers,
  /** The first `count` items of a list. */
  first: (list: readonly unknown[], count: number) => list.slice(0, count),
  /** How many items a list has beyond the first `count` (0 when none). */
  more: (list: readonly unknown[], count: number) => Math.max(0, list.length - count),
  /** English plural for counts in sentences. */
  plural: (count: number, singular: string, pluralForm: string) => (count === 1 ? singular : pluralForm),
};

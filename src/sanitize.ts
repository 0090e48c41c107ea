/**
 * Characters that can move the cursor, recolour, retitle or reorder a terminal or document:
 * C0 controls, DEL, C1 controls (including the one-character CSI U+009B), the line and
 * paragraph separators, and bidirectional marks, embeddings, overrides and isolates.
 */
const unsafeCharacters = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu;

/** Replaces every unsafe character with a visible `?`, so a database string stays one inert line. */
export function sanitizeForTerminal(text: string): string {
  return text.replace(unsafeCharacters, '?');
}

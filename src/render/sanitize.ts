/**
 * Characters that can move the cursor, recolour, retitle or reorder a terminal or document, or that
 * print as nothing or as a plain space and so let one string pass for another:
 * - `\p{Cc}`: C0 controls, DEL, C1 controls (including the one-character CSI U+009B);
 * - `\p{Cf}`: format characters: bidirectional marks, embeddings, overrides and isolates, zero-width
 *   space, joiners, word joiner, BOM (U+FEFF), soft hyphen, invisible operators, tags, ...;
 * - `\p{Zl}`, `\p{Zp}`: the line and paragraph separators U+2028 and U+2029;
 * - `\p{Zs}` except U+0020: spaces that look like a space but are not one (NBSP, U+2000-U+200A, U+3000, ...);
 * - `\p{Default_Ignorable_Code_Point}`: what fonts draw as nothing though it is not a format character:
 *   variation selectors (U+FE00-U+FE0F, U+E0100-U+E01EF), Mongolian free variation selectors, the
 *   Hangul fillers U+115F, U+1160, U+3164, U+FFA0, the combining grapheme joiner U+034F, U+17B4/U+17B5;
 * - U+2800 BRAILLE PATTERN BLANK and U+1D159 MUSICAL SYMBOL NULL NOTEHEAD, blank glyphs that no
 *   property above covers.
 * Emoji written with a zero-width joiner or a variation selector show a `?` there: a visible mark
 * inside a picture is acceptable, a status that reads like another is not.
 */
const unsafeCharacters = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800\u{1D159}]|(?! )\p{Zs}/gu;

/** Spaces that a reader cannot see or count: at either end of a string, and two or more in a row. */
const invisibleSpaces = /^ +| +$| {2,}/g;

/**
 * Replaces every unsafe character with a visible `?`, one for one, so a database string stays one
 * inert line and cannot pass for another: `Down ` (trailing space) or `Down` + U+200B prints `Down?`.
 * A U+0020 space is kept only alone between two other characters.
 */
export function sanitizeForTerminal(text: string): string {
  return text.replace(unsafeCharacters, '?').replace(invisibleSpaces, (spaces) => '?'.repeat(spaces.length));
}

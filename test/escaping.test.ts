import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sanitizeForTerminal } from '../src/render/sanitize.js';
import { markdownData, markdownText } from '../src/render/markdown_helpers.js';
import { jsonId, jsonValue } from '../src/render/json_helpers.js';

/**
 * What the README promises prints as `?`, written down here by Unicode category and by name, not
 * copied from src/render/sanitize.ts: each class is checked on its own, so dropping one from the sanitizer fails.
 */
const unsafeClasses: Readonly<Record<string, (c: string) => boolean>> = {
  'Cc: C0 controls, DEL, C1 controls': (c) => /^\p{General_Category=Control}$/u.test(c),
  'Cf: format characters': (c) => /^\p{General_Category=Format}$/u.test(c),
  'Zl: line separator': (c) => /^\p{General_Category=Line_Separator}$/u.test(c),
  'Zp: paragraph separator': (c) => /^\p{General_Category=Paragraph_Separator}$/u.test(c),
  'Zs other than U+0020': (c) => c !== ' ' && /^\p{General_Category=Space_Separator}$/u.test(c),
  'default-ignorable code points': (c) => /^\p{Default_Ignorable_Code_Point}$/u.test(c),
  'blank glyphs U+2800 and U+1D159': (c) => c === '\u2800' || c === '\u{1D159}',
};

/** Every code point except the surrogates (which a database string never holds alone). */
function* allCodePoints(): Generator<string> {
  for (let cp = 0; cp <= 0x10ffff; cp++) if (cp < 0xd800 || cp > 0xdfff) yield String.fromCodePoint(cp);
}

/** The members of each class, found once by walking every code point. */
const classMembers = new Map<string, string[]>(Object.keys(unsafeClasses).map((name) => [name, []]));
for (const c of allCodePoints()) for (const [name, member] of Object.entries(unsafeClasses)) if (member(c)) classMembers.get(name)!.push(c);

const isUnsafe = (c: string) => Object.values(unsafeClasses).some((member) => member(c));

/** Code points named in issues 12 and 13 and in the README; each must be in the set. */
const namedUnsafe = [
  0x00, 0x09, 0x0a, 0x0d, 0x1b, 0x7f, 0x85, 0x9b, 0xa0, 0xad, 0x34f, 0x61c, 0x115f, 0x1160, 0x180b, 0x180e, 0x180f, 0x2000, 0x200a,
  0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x202f, 0x205f, 0x2060, 0x2066,
  0x2067, 0x2068, 0x2069, 0x2800, 0x3000, 0x3164, 0xfe00, 0xfe0f, 0xfeff, 0xffa0, 0x1d159, 0xe0001, 0xe0041, 0xe0100, 0xe01ef,
];

/**
 * What the sanitizer must give, as a second implementation: each unsafe character becomes `?`, then a
 * U+0020 survives only alone between two other characters (leading, trailing and repeated spaces become `?`).
 */
function expectedSanitized(text: string): string {
  const chars = [...text].map((c) => (isUnsafe(c) ? '?' : c));
  return chars.map((c, i) => (c === ' ' && (i === 0 || i === chars.length - 1 || chars[i - 1] === ' ' || chars[i + 1] === ' ') ? '?' : c)).join('');
}

/** Markdown and link syntax worth combining with the unsafe characters. */
const syntaxPieces = [
  '|', '\\', '`', '<', '>', '&', '*', '_', '#', '!', '~', '[', ']', '(', ')', 'a', ' ', '  ', 'Down', 'Seems Down', 'http', 'https', 'ftp',
  'mailto', 'xmpp', ':', '://', '//', '/', 'www.', 'www', '.', '.com', 'evil', 'example', '@', 'x@y.co', 'localhost', '&amp;', '&#64;',
  '<script>', '[x](javascript:alert(1))', 'https://evil.example/x', 'www.evil.com', 'a@b.co', 'evil.com/x',
];

/** One character of the unsafe set, each class as likely as any other however few members it has. */
const unsafeCharacter = fc.oneof(...[...classMembers.values()].map((members) => fc.constantFrom(...members)));

/** Arbitrary Unicode, with a character of every unsafe class and Markdown and link syntax over-represented. */
const hostileText = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc
    .array(fc.oneof(fc.constantFrom(...syntaxPieces), unsafeCharacter), { maxLength: 12 })
    .map((pieces) => pieces.join('')),
);

test('the unsafe set: every class has members, and every named code point is in it', () => {
  for (const [name, members] of classMembers) assert.ok(members.length > 0, name);
  for (const cp of namedUnsafe) assert.ok(isUnsafe(String.fromCodePoint(cp)), `U+${cp.toString(16).toUpperCase()}`);
  for (const c of ['a', ' ', '?', 'é', '\u0301', '\u{1F600}', '\u2764', '\u05D0']) assert.not.ok(isUnsafe(c), c);
});

test('terminal: each code point in the set prints as `?`, and every other one as itself', () => {
  for (const c of allCodePoints()) {
    const safe = sanitizeForTerminal(`a${c}b`);
    if (safe !== (isUnsafe(c) ? 'a?b' : `a${c}b`)) assert.unreachable(`U+${c.codePointAt(0)!.toString(16).toUpperCase()} printed as ${JSON.stringify(safe)}`);
  }
});

test('terminal: leading, trailing and repeated spaces become visible; one space between words stays', () => {
  assert.is(sanitizeForTerminal('Down '), 'Down?');
  assert.is(sanitizeForTerminal(' Down'), '?Down');
  assert.is(sanitizeForTerminal('Seems  Down'), 'Seems??Down');
  assert.is(sanitizeForTerminal('Seems Down'), 'Seems Down');
  assert.is(sanitizeForTerminal('Down\u200b'), 'Down?');
  assert.is(sanitizeForTerminal('\ufeffDown'), '?Down');
  assert.is(sanitizeForTerminal('Seems\u00a0Down'), 'Seems?Down');
  assert.is(sanitizeForTerminal(' '), '?');
  assert.is(sanitizeForTerminal(''), '');
});

test('terminal: hostile text comes out as the model says, one character for one, with nothing unsafe left', () => {
  fc.assert(
    fc.property(hostileText, (text) => {
      const safe = sanitizeForTerminal(text);
      assert.is(safe, expectedSanitized(text));
      assert.is([...safe].length, [...text].length);
      assert.not.ok([...safe].some(isUnsafe));
      assert.not.match(safe, /^ | $| {2}/);
    }),
    { numRuns: 500 },
  );
});

/** Markdown as the rendering checks read it: raw HTML on, and with linkify unless `linkify: false`. */
const parsers = { linkify: new MarkdownIt({ html: true, linkify: true }), plain: new MarkdownIt({ html: true }) };

/** What a Markdown reader sees in each cell of the first body row of a table, and the inline token types there. */
function bodyCells(document: string, { linkify = true } = {}): { texts: string[]; types: Set<string> } {
  const tokens = parsers[linkify ? 'linkify' : 'plain'].parse(document, {});
  const start = tokens.findIndex((t) => t.type === 'tbody_open');
  const texts: string[] = [];
  const types = new Set<string>();
  for (const token of tokens.slice(start)) {
    if (token.type === 'tr_close') break;
    if (token.type !== 'inline') continue;
    for (const child of token.children ?? []) types.add(child.type);
    texts.push((token.children ?? []).map((c) => c.content).join(''));
  }
  return { texts, types };
}

// md is for the report's own words and the run facts, which may hold a link; mdData is for database strings.
for (const [name, helper, linkify, allowedTypes] of [
  ['md', markdownText, false, ['text']],
  ['mdData', markdownData, true, ['text', 'code_inline']],
] as const) {
  test(`markdown (${name}): any text in a middle cell stays that one cell and reads as the sanitized text, never HTML`, () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const { texts, types } = bodyCells(`| a | b | c |\n| --- | --- | --- |\n| x | ${helper(text)} | z |\n`, { linkify });
        assert.equal(texts, ['x', expectedSanitized(text), 'z']);
        for (const type of types) assert.ok((allowedTypes as readonly string[]).includes(type), `${type} in ${JSON.stringify(text)}`);
      }),
      { numRuns: 500 },
    );
  });
}

/**
 * cmark-gfm (GitHub) links on an unescaped `:` of `scheme://` and `w` of `www.` while it parses, and on
 * `@` in text after escapes are resolved: so outside backslash escapes no `:`, `/` or `.` may be left,
 * and every `@` must sit in a code span, which that pass does not read.
 */
test('markdown (mdData): nothing left for cmark-gfm autolinks: no bare `:`, `/`, `.`, and `@` only in code', () => {
  fc.assert(
    fc.property(hostileText, (text) => {
      const rendered = markdownData(text);
      const bare = rendered.replace(/\\[\s\S]|`@+`/g, '');
      assert.not.match(bare, /[:/.@]/, rendered);
      const tokens = parsers.linkify.parseInline(rendered, {})[0]!.children!;
      assert.not.ok(tokens.some((t) => t.type === 'text' && t.content.includes('@')), rendered);
    }),
    { numRuns: 500 },
  );
});

test('markdown (mdData): runs of @ stay visible, one code span each', () => {
  for (const text of ['@@', 'a@@b', '@x@', '@@@ @']) {
    const { texts } = bodyCells(`| a | b | c |\n| --- | --- | --- |\n| x | ${markdownData(text)} | z |\n`, { linkify: true });
    assert.equal(texts, ['x', expectedSanitized(text), 'z'], text);
  }
});

test('markdown (mdData): links, mail addresses and www names read as plain text', () => {
  const linkish = ['see https://evil.example/x', 'http://evil.com', 'www.evil.com', 'evil.com/x', 'a@b.co', 'mailto:a@b.co', 'ftp://h.io', '//localhost', 'xmpp:a@b.co'];
  for (const text of linkish) {
    const { texts, types } = bodyCells(`| a | b | c |\n| --- | --- | --- |\n| x | ${markdownData(text)} | z |\n`);
    assert.equal(texts, ['x', text, 'z']);
    assert.not.ok(types.has('link_open'), text);
    // Without the escaping, markdown-it's linkify makes each of these a link: the check above can fail.
    assert.ok(bodyCells(`| a | b | c |\n| --- | --- | --- |\n| x | ${text} | z |\n`).types.has('link_open'), text);
  }
});

test('json: any string round-trips exactly through the JSON literal', () => {
  fc.assert(fc.property(hostileText, (text) => assert.is(JSON.parse(jsonValue(text)), text)));
});

test('json: ids are written as their exact digits and anything else is refused', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 18446744073709551615n }), (id) => {
      assert.is(jsonId(id.toString()), id.toString());
    }),
  );
  for (const bad of ['-1', '1e3', '01', '1.5', 'x', '']) assert.throws(() => jsonId(bad));
  assert.is(jsonId(null), 'null');
});

test.run();

import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sanitizeForTerminal } from '../src/sanitize.js';
import { markdownText } from '../src/formats/markdown_helpers.js';
import { jsonId, jsonValue } from '../src/formats/json_helpers.js';

const unsafe = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;
/** Arbitrary Unicode, with the dangerous characters over-represented. */
const hostileText = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({
    unit: fc.constantFrom('\u001b', '[', '\u009b', '\r', '\n', '\u202e', '\u2066', '|', '\\', '`', '<', '>', '&', '*', '_', 'a', ' ', '\u007f', '#', '!', '~'),
  }),
);
const markdown = new MarkdownIt({ html: true });

test('terminal: no unsafe character survives, one character in, one out', () => {
  fc.assert(
    fc.property(hostileText, (text) => {
      const safe = sanitizeForTerminal(text);
      assert.not.match(safe, unsafe);
      assert.is([...safe].length, [...text].length);
      if (!unsafe.test(text)) assert.is(safe, text);
    }),
  );
});

test('markdown: any text stays one table cell, renders as the sanitized text, and never as HTML', () => {
  fc.assert(
    fc.property(hostileText, (text) => {
      const tokens = markdown.parse(`| a | b |\n| --- | --- |\n| x | ${markdownText(text)} |\n`, {});
      const cells = tokens.filter((t) => t.type === 'td_open').length;
      assert.is(cells, 2);
      const inline = tokens.filter((t) => t.type === 'inline').at(-1)!;
      assert.not.ok(inline.children!.some((c) => c.type === 'html_inline'));
      const rendered = inline.children!.map((c) => c.content).join('');
      assert.is(rendered, sanitizeForTerminal(text).trim());
    }),
  );
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

import { createReadStream } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { jsonParser, type Token } from 'stream-json/core/parser.js';
import { none } from 'stream-chain/defs.js';

/** The file could not be read (its errno code says why). */
export class JsonReadError extends Error {
  constructor(readonly code: string) {
    super(`cannot read (${code})`);
  }
}

/** The file is not one JSON document, or an object in it gives one key two different values. */
export class JsonSyntaxError extends Error {}

/** A container being built: an object waiting for the value of `key`, or an array. */
type Frame =
  | { kind: 'object'; value: Record<string, unknown>; key: string | null; rows: boolean }
  | { kind: 'array'; value: unknown[]; rows: boolean };

/**
 * Reads one JSON document from a file as a stream. Numbers are read by `readNumber` from their exact
 * text. The elements of a top-level object's "rows" array are handed to `onRow` one by one, in order,
 * and not kept: the document comes back with that array empty, so memory holds one row at a time.
 * A key given twice with different values is refused, as lossless-json refuses it; so is "rows" twice.
 */
export async function readJsonWithRows(
  path: string,
  readNumber: (text: string) => unknown,
  onRow: (row: unknown) => void,
): Promise<unknown> {
  const parse = jsonParser({ streamValues: false });
  const stack: Frame[] = [];
  let document: unknown;
  let complete = false;

  const place = (value: unknown) => {
    const top = stack.at(-1);
    if (top === undefined) {
      document = value;
      complete = true;
    } else if (top.kind === 'array') {
      if (top.rows) onRow(value);
      else top.value.push(value);
    } else {
      const key = top.key as string;
      top.key = null;
      // The top-level rows were not kept, so a second "rows" cannot be compared with the first: refuse it.
      const clash = Object.hasOwn(top.value, key) && ((stack.length === 1 && key === 'rows') || !isDeepStrictEqual(top.value[key], value));
      if (clash) {
        throw new JsonSyntaxError(`duplicate key '${key}'`);
      }
      Object.defineProperty(top.value, key, { value, enumerable: true, writable: true, configurable: true });
    }
  };
  /** True when the array about to open is the value of the top-level object's "rows". */
  const opensRows = () => {
    const top = stack[0];
    return stack.length === 1 && top?.kind === 'object' && top.key === 'rows';
  };

  const take = (token: Token) => {
    switch (token.name) {
      case 'startObject':
        stack.push({ kind: 'object', value: {}, key: null, rows: false });
        return;
      case 'startArray':
        stack.push({ kind: 'array', value: [], rows: opensRows() });
        return;
      case 'endObject':
      case 'endArray':
        place((stack.pop() as Frame).value);
        return;
      case 'keyValue':
        (stack.at(-1) as Frame & { kind: 'object' }).key = token.value;
        return;
      case 'stringValue':
        return place(token.value);
      case 'numberValue':
        return place(readNumber(token.value));
      case 'nullValue':
      case 'trueValue':
      case 'falseValue':
        return place(token.value);
      default:
        return; // whitespace and the streamed forms, which a packed-only parser does not emit
    }
  };
  /** Feeds the parser one chunk (or `none` at the end) and builds from the tokens it gives back. */
  const feed = (chunk: string | typeof none) => {
    let tokens: unknown;
    try {
      tokens = parse(chunk as string);
    } catch (error) {
      throw new JsonSyntaxError((error as Error).message);
    }
    if (tokens === none || tokens === undefined) return;
    for (const token of (tokens as { values: Token[] }).values) take(token);
  };

  const stream = createReadStream(path, { encoding: 'utf8' });
  try {
    for await (const chunk of stream) feed(chunk as string);
  } catch (error) {
    stream.destroy();
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof JsonSyntaxError || typeof code !== 'string') throw error;
    throw new JsonReadError(code);
  }
  feed(none);
  if (!complete) throw new JsonSyntaxError('no JSON value');
  return document;
}

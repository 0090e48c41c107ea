import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { join as joinValues, Sql } from 'sql-template-tag';
import { sqlRoot } from '../paths.js';

/** A `.sql` file split at its `:name` placeholders, ready to bind. */
export interface NamedQuery {
  /** The `-- name:` annotation of the file's header. */
  readonly name: string;
  /** Where the query came from, for error messages. */
  readonly source: string;
  /** SQL text between placeholders; always one more than `params`. */
  readonly strings: readonly string[];
  /** Placeholder names in order of appearance (a name may repeat). */
  readonly params: readonly string[];
  /** 1-based line and column of each placeholder, parallel to `params`. */
  readonly positions: readonly { line: number; column: number }[];
}

/** A `.sql` file that cannot be parsed or bound; a defect of the installation, not of the options. */
export class QueryDefinitionError extends Error {
  override name = 'QueryDefinitionError';
}

const identStart = /[A-Za-z_]/;
const identPart = /[A-Za-z0-9_]/;

/** Splits SQL text at `:name` placeholders, skipping quoted strings, quoted identifiers and comments. */
export function parseNamedQuery(text: string, source: string): NamedQuery {
  const strings: string[] = [];
  const params: string[] = [];
  const positions: { line: number; column: number }[] = [];
  let chunkStart = 0;
  let i = 0;
  const n = text.length;

  const positionOf = (offset: number) => {
    const before = text.slice(0, offset).split('\n');
    return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
  };
  const skipQuoted = (quote: string) => {
    const start = i;
    i++;
    while (i < n) {
      const c = text[i];
      if (c === '\\' && quote !== '`') {
        i += 2;
      } else if (c === quote) {
        if (text[i + 1] === quote) i += 2;
        else return void i++;
      } else {
        i++;
      }
    }
    const { line, column } = positionOf(start);
    throw new QueryDefinitionError(`${source}:${line}:${column}: unterminated ${quote} quote`);
  };

  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === "'" || c === '"' || c === '`') {
      skipQuoted(c);
    } else if (c === '#' || (c === '-' && next === '-' && (i + 2 >= n || /\s/.test(text[i + 2]!)))) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) {
        const { line, column } = positionOf(i);
        throw new QueryDefinitionError(`${source}:${line}:${column}: unterminated /* comment`);
      }
      i = end + 2;
    } else if (c === ':' && next !== undefined && identStart.test(next) && !identPart.test(text[i - 1] ?? ' ')) {
      let end = i + 1;
      while (end < n && identPart.test(text[end]!)) end++;
      strings.push(text.slice(chunkStart, i));
      params.push(text.slice(i + 1, end));
      positions.push(positionOf(i));
      chunkStart = i = end;
    } else {
      i++;
    }
  }
  strings.push(text.slice(chunkStart));

  const name = /^--\s*name:\s*([a-z][a-z0-9_]*)\s*$/m.exec(text)?.[1];
  if (name === undefined) {
    throw new QueryDefinitionError(`${source}: missing "-- name: <query_name>" header comment`);
  }
  return { name, source, strings, params, positions };
}

/**
 * The bound form of one value: a list (an array) becomes one `?` per item, separated by commas, for
 * `x IN (:list)`; an empty list becomes a single NULL, so `x IN (:list)` matches nothing instead of
 * being a syntax error. Anything else is one `?`.
 */
function boundValue(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.length === 0 ? null : joinValues(value, ', ');
}

/**
 * Binds values to a parsed query by name; every placeholder needs a value and every value must be
 * used. An array binds as a list of parameters (see boundValue).
 */
export function bindNamedQuery(query: NamedQuery, values: Readonly<Record<string, unknown>>): Sql {
  query.params.forEach((param, index) => {
    if (!Object.hasOwn(values, param) || values[param] === undefined) {
      const { line, column } = query.positions[index]!;
      throw new QueryDefinitionError(`${query.source}:${line}:${column}: no value given for :${param}`);
    }
  });
  const unused = Object.keys(values).filter((key) => !query.params.includes(key));
  if (unused.length > 0) {
    throw new QueryDefinitionError(
      `${query.source}: value given for ${unused.map((key) => `:${key}`).join(', ')}, which the query never uses`,
    );
  }
  return new Sql(query.strings, query.params.map((param) => boundValue(values[param])));
}

/** Reads and parses `sql/<version>/<name>.sql`, checking that its header names the same query. */
export function loadNamedQuery(version: string, name: string): NamedQuery {
  const path = join(sqlRoot, version, `${name}.sql`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new QueryDefinitionError(`cannot read query file ${path}; reinstall projection-drift`);
  }
  const query = parseNamedQuery(text, `sql/${version}/${name}.sql`);
  if (query.name !== name) {
    throw new QueryDefinitionError(`${query.source}: header names "${query.name}", expected "${name}"`);
  }
  return query;
}

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { QUERY_VERSION } from '../src/report/drift_queries.js';
import { bindNamedQuery, loadNamedQuery, parseNamedQuery, QueryDefinitionError } from '../src/db/sql_loader.js';
import { sqlRoot } from '../src/paths.js';

/** Every query the running version ships, by file name. */
const SHIPPED = readdirSync(join(sqlRoot, QUERY_VERSION))
  .filter((file) => file.endsWith('.sql'))
  .map((file) => file.slice(0, -'.sql'.length));

/** A shipped query's SQL without its comments, placeholders shown as `?`. */
const shippedCode = (name: string) => loadNamedQuery(QUERY_VERSION, name).strings.join('?').replace(/--[^\n]*/g, '');

const header = '-- name: sample\n';

test('turns :name placeholders into bound ? parameters in order, repeats included', () => {
  const query = parseNamedQuery(`${header}SELECT * FROM t WHERE a BETWEEN :lo AND :hi OR b = :lo`, 'sample.sql');
  assert.equal(query.params, ['lo', 'hi', 'lo']);
  const bound = bindNamedQuery(query, { lo: 1, hi: 9 });
  assert.is(bound.sql, `${header}SELECT * FROM t WHERE a BETWEEN ? AND ? OR b = ?`);
  assert.equal(bound.values, [1, 9, 1]);
});

test('skips placeholders inside quotes, quoted identifiers and comments', () => {
  const text = [
    header,
    "SELECT ':no_single', \"it''s :no_double\", 'esc\\' :no_escaped', `col:no_ident`",
    '-- a line comment :no_line',
    '# a hash comment :no_hash',
    '/* a block comment :no_block */',
    "FROM t WHERE a = :yes AND b = 'x''y :no_doubled' AND c = :also",
  ].join('\n');
  const query = parseNamedQuery(text, 'sample.sql');
  assert.equal(query.params, ['yes', 'also']);
  assert.ok(bindNamedQuery(query, { yes: 1, also: 2 }).sql.includes("'esc\\' :no_escaped'"));
});

test('leaves := assignments and time literals alone', () => {
  const query = parseNamedQuery(`${header}SELECT @a := 1, '10:30:00', x:y FROM t WHERE c = :v`, 'sample.sql');
  assert.equal(query.params, ['v']);
});

test('names the parameter and its position when a value is missing', () => {
  const query = parseNamedQuery(`${header}SELECT 1\nWHERE a = :present AND b = :absent`, 'sample.sql');
  assert.throws(() => bindNamedQuery(query, { present: 1 }), (e: Error) =>
    e instanceof QueryDefinitionError && e.message === 'sample.sql:3:28: no value given for :absent');
});

test('refuses a value the query never uses', () => {
  const query = parseNamedQuery(`${header}SELECT :a`, 'sample.sql');
  assert.throws(() => bindNamedQuery(query, { a: 1, b: 2 }), /value given for :b, which the query never uses/);
});

test('refuses an undefined value as missing', () => {
  const query = parseNamedQuery(`${header}SELECT :a`, 'sample.sql');
  assert.throws(() => bindNamedQuery(query, { a: undefined }), /no value given for :a/);
});

test('binds a list as one parameter per item, and an empty list as NULL so IN (:list) matches nothing', () => {
  const query = parseNamedQuery(`${header}SELECT * FROM t WHERE a IN (:ids) AND b = :b OR c IN (:none)`, 'sample.sql');
  const bound = bindNamedQuery(query, { ids: ['1', '18446744073709551615', 3], b: 7, none: [] });
  assert.is(bound.sql, `${header}SELECT * FROM t WHERE a IN (?, ?, ?) AND b = ? OR c IN (?)`);
  assert.equal(bound.values, ['1', '18446744073709551615', 3, 7, null]);
});

test('reports unterminated quotes and comments with their position', () => {
  assert.throws(() => parseNamedQuery(`${header}SELECT 'open`, 'bad.sql'), /bad\.sql:2:8: unterminated ' quote/);
  assert.throws(() => parseNamedQuery(`${header}SELECT /* open`, 'bad.sql'), /bad\.sql:2:8: unterminated \/\* comment/);
});

test('requires a -- name: header', () => {
  assert.throws(() => parseNamedQuery('SELECT 1', 'anon.sql'), /missing "-- name: <query_name>"/);
});

test('every shipped query names itself and documents each of its parameters', () => {
  for (const name of SHIPPED) {
    const query = loadNamedQuery(QUERY_VERSION, name);
    assert.is(query.name, name);
    const headerText = query.strings[0]!.split('\n').filter((line) => line.startsWith('--')).join('\n');
    for (const param of new Set(query.params)) assert.ok(headerText.includes(`:${param}`), `${name} documents :${param}`);
  }
});

test('shipped queries avoid what MySQL 8 or MariaDB 10.11 lack: LATERAL, VALUES rows, ->>, MariaDB-only syntax', () => {
  for (const name of SHIPPED) {
    const code = shippedCode(name);
    for (const construct of [/\bLATERAL\b/i, /\bVALUES\s*\(/i, /\bROW\s*\(/i, /->>/, /\bRETURNING\b/i, /\bMINUS\b/i, /\bSTRAIGHT_JOIN\b/i]) {
      assert.not.match(code, construct, `${name} uses ${construct}`);
    }
  }
});

test('shipped queries name nothing after a word MySQL 8 reserves (window functions, GROUPS, RANK ...)', () => {
  const reserved = ['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lead', 'lag', 'first_value', 'last_value', 'nth_value', 'groups', 'window', 'over', 'recursive', 'system', 'lateral', 'of', 'cube', 'grouping', 'function', 'member', 'empty', 'json_table', 'rows', 'row'];
  for (const name of SHIPPED) {
    const code = shippedCode(name);
    for (const [, alias] of code.matchAll(/\bAS\s+([A-Za-z_][A-Za-z0-9_]*)/gi)) {
      assert.not.ok(reserved.includes(alias!.toLowerCase()), `${name} names something ${alias}`);
    }
  }
});

test.run();

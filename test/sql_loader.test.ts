import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bindNamedQuery, loadNamedQuery, parseNamedQuery, QueryDefinitionError } from '../src/sql_loader.js';

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

test('reports unterminated quotes and comments with their position', () => {
  assert.throws(() => parseNamedQuery(`${header}SELECT 'open`, 'bad.sql'), /bad\.sql:2:8: unterminated ' quote/);
  assert.throws(() => parseNamedQuery(`${header}SELECT /* open`, 'bad.sql'), /bad\.sql:2:8: unterminated \/\* comment/);
});

test('requires a -- name: header', () => {
  assert.throws(() => parseNamedQuery('SELECT 1', 'anon.sql'), /missing "-- name: <query_name>"/);
});

test('every shipped v2 query names itself and documents each of its parameters', () => {
  for (const name of ['drift_groups', 'drift_rows']) {
    const query = loadNamedQuery('v2', name);
    assert.is(query.name, name);
    const headerText = query.strings[0]!.split('\n').filter((line) => line.startsWith('--')).join('\n');
    for (const param of new Set(query.params)) assert.ok(headerText.includes(`:${param}`), `${name} documents :${param}`);
  }
});

test('shipped queries avoid what MySQL 8 or MariaDB 10.11 lack: LATERAL, VALUES rows, ->>, MariaDB-only syntax', () => {
  for (const name of ['drift_groups', 'drift_rows']) {
    const code = loadNamedQuery('v2', name).strings.join('?').replace(/--[^\n]*/g, '');
    for (const construct of [/\bLATERAL\b/i, /\bVALUES\s*\(/i, /\bROW\s*\(/i, /->>/, /\bRETURNING\b/i, /\bMINUS\b/i, /\bSTRAIGHT_JOIN\b/i]) {
      assert.not.match(code, construct, `${name} uses ${construct}`);
    }
  }
});

test('both v2 queries classify drift with the very same CTE, so the summary and the rows cannot disagree', () => {
  const classification = (name: string) => {
    const text = loadNamedQuery('v2', name).strings.join('?');
    const start = text.indexOf('WITH open_http_rollup AS (');
    const end = text.indexOf('  FROM site_drift AS sd\n)', start);
    assert.ok(start >= 0 && end > start, `${name} holds the classification CTE`);
    return text.slice(start, end);
  };
  assert.is(classification('drift_rows'), classification('drift_groups'));
});

test.run();

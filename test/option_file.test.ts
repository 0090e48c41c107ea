/**
 * Option files are read the way the MySQL and MariaDB clients read them. Every file here is also
 * given to `my_print_defaults` (the clients' own reader, from the same package as the `mariadb`
 * client) and the two readings must agree: the same options, or both refusing the file.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../src/errors.js';
import { canonicalOptionName, readOptionFile } from '../src/config/option_file.js';
import { runCli, withScratch, withTemporaryUserPassword } from './support/scratch.js';
import { seedFixture } from './support/seed_fixture.js';

const folder = mkdtempSync(join(tmpdir(), 'pd-optfile-'));
let fileCount = 0;

/** Writes `text` to a new file (mode 600, as an option file with a password should be) and returns its path. */
function write(text: string, path = join(folder, `case-${++fileCount}.cnf`)): string {
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

/** One reading of an option file: its options by canonical name (later values win), or `fatal`. */
type Reading = Record<string, string> | 'fatal';

/** Where and with which environment my_print_defaults runs (both matter to `!include`). */
interface Surroundings {
  cwd?: string;
  home?: string;
}

/** What the clients read from `file`: my_print_defaults' `--name=value` lines for [client] and [client-mariadb]. */
function clientsRead(file: string, { cwd, home }: Surroundings = {}): Reading {
  const run = spawnSync('my_print_defaults', [`--defaults-file=${file}`, 'client', 'client-mariadb'], {
    cwd,
    env: home === undefined ? process.env : { ...process.env, HOME: home },
    encoding: 'utf8',
  });
  if (run.error || run.status === null) {
    throw new Error(`cannot run my_print_defaults (${run.error?.message ?? run.signal}); install mariadb-client-core: these tests compare with it`);
  }
  if (run.status !== 0) return 'fatal';
  // A value may hold a newline (the \n escape): a line not starting with -- continues the previous option.
  const entries: string[] = [];
  const output = run.stdout.endsWith('\n') ? run.stdout.slice(0, -1) : run.stdout;
  for (const line of output === '' ? [] : output.split('\n')) {
    if (line.startsWith('--')) entries.push(line.slice(2));
    else if (entries.length > 0) entries[entries.length - 1] += `\n${line}`;
    else throw new Error(`unexpected my_print_defaults output ${JSON.stringify(run.stdout)}`);
  }
  const options = new Map<string, string>();
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    options.set(canonicalOptionName(equals === -1 ? entry : entry.slice(0, equals)), equals === -1 ? '' : entry.slice(equals + 1));
  }
  return Object.fromEntries(options);
}

/** What this tool reads from `file`, run with the same current folder and HOME as the clients were. */
function toolReads(file: string, { cwd, home }: Surroundings = {}): Reading {
  const savedCwd = process.cwd();
  const savedHome = process.env.HOME;
  try {
    if (cwd !== undefined) process.chdir(cwd);
    if (home !== undefined) process.env.HOME = home;
    return Object.fromEntries(readOptionFile(file));
  } catch (error) {
    if (error instanceof UsageError) return 'fatal';
    throw error;
  } finally {
    process.chdir(savedCwd);
    if (savedHome === undefined) delete process.env.HOME;
    else process.env.HOME = savedHome;
  }
}

/** Asserts that the clients and this tool both read `expected` from `file`. */
function assertBothRead(file: string, expected: Reading, surroundings: Surroundings = {}, label = file): void {
  assert.equal(clientsRead(file, surroundings), expected, `my_print_defaults reads ${label} differently than this test expects`);
  assert.equal(toolReads(file, surroundings), expected, `this tool reads ${label} differently than the clients`);
}

/** The password from issue 12: a space, both quotes and a #. */
const password = `p w"x#y's`;

/** Three ways to write `password` that the clients read as it is. */
const passwordSpellings = [String.raw`"p w\"x#y's"`, String.raw`'p w"x#y\'s'`, String.raw`p\sw"x#y's`];

test('my_print_defaults is installed (the tests below compare with it and must not pass without it)', () => {
  const run = spawnSync('my_print_defaults', ['--version'], { encoding: 'utf8' });
  assert.is(run.error, undefined, 'my_print_defaults is missing: install mariadb-client-core');
  assert.match(run.stdout, /^my_print_defaults\b/);
});

const cases: { title: string; text: string; expected: Reading }[] = [
  ...passwordSpellings.map((spelling) => ({
    title: `issue 12: password=${spelling}`,
    text: `[client]\npassword=${spelling}\n`,
    expected: { password },
  })),
  { title: "issue 12: a # after an unclosed quote is not a comment (user=it's#x)", text: "[client]\nuser=it's#x\n", expected: { user: "it's#x" } },
  { title: 'issue 12: !include of a missing file is ignored', text: `[client]\n!include ${join(folder, 'absent.cnf')}\nuser=a\n`, expected: { user: 'a' } },
  { title: 'issue 12: a name with a dot is read (and ignored by this tool)', text: '[client]\nfoo.bar=1\nuser=a\n', expected: { 'foo.bar': '1', user: 'a' } },
  { title: 'issue 12: [ client ] is another group', text: '[ client ]\nuser=a\n[client]\nhost=h\n', expected: { host: 'h' } },
  { title: '# starts a comment outside quotes, with or without a space before it', text: '[client]\nuser=a#b\nhost = h # c\n', expected: { user: 'a', host: 'h' } },
  { title: '# inside quotes is kept, and a comment may follow the quotes', text: "[client]\nuser=\"a#b\" # c\nhost='h#'#c\n", expected: { user: 'a#b', host: 'h#' } },
  { title: '; starts a comment only at the start of a line', text: '[client]\nuser=a;b\n  ; c\n\t# d\n', expected: { user: 'a;b' } },
  {
    title: 'blanks around = and around a value are dropped; inside quotes they stay',
    text: '[client]\nuser \t=\t a b \t\nhost = "  h  "  \nsocket=\v\fs\v\f\n',
    expected: { user: 'a b', host: '  h  ', socket: 's' },
  },
  {
    title: 'escapes \\b \\t \\n \\r \\\\ \\s; an unknown escape and a last backslash are kept',
    text: '[client]\n' + String.raw`user=a\bb\tc\nd\re\\f\sg\xh\ `.trimEnd() + '\n',
    expected: { user: 'a\bb\tc\nd\re\\f g\\xh\\' },
  },
  { title: 'escapes work inside quotes too', text: '[client]\n' + String.raw`user='a\sb\'c\"d\x'` + '\n', expected: { user: 'a b\'c"d\\x' } },
  {
    title: 'an unclosed or mismatched quote is part of the value',
    text: '[client]\nuser="ab\nhost=\'h"\nport="\n',
    expected: { user: '"ab', host: '\'h"', port: '"' },
  },
  { title: 'only the outermost matching quotes are removed', text: '[client]\nuser="a" "b"\nhost=""\n', expected: { user: 'a" "b', host: '' } },
  { title: 'an escaped quote outside quotes still hides a later # (as in the clients)', text: '[client]\n' + String.raw`user=a\"b#c` + '\n', expected: { user: 'a"b#c' } },
  {
    title: 'group headers: any case, blanks before ], text after ] ignored',
    text: '  [CLIENT ] trailing\nuser=a\n[client-mariadb]# c\nhost=h\n[]\nport=1\n[client]]\nsocket=s\n',
    expected: { user: 'a', host: 'h', socket: 's' },
  },
  { title: 'later values win, in file order across groups', text: '[client-mariadb]\nuser=a\n[client]\nuser=b\n[mysql]\nuser=c\n', expected: { user: 'b' } },
  { title: 'dash and underscore are one name, in any case', text: '[client]\nssl_ca=a\nssl-ca=b\nSSL_key=k\n', expected: { 'ssl-ca': 'b', 'ssl-key': 'k' } },
  { title: 'a bare name is an option without a value', text: '[client]\nskip-auto-rehash\ncompress # c\n', expected: { 'skip-auto-rehash': '', compress: '' } },
  { title: 'CRLF line endings', text: '[client]\r\nuser=a\r\nhost="h"\r\nbare\r\n', expected: { user: 'a', host: 'h', bare: '' } },
  { title: 'a last line without a newline', text: '[client]\nuser=a', expected: { user: 'a' } },
  { title: 'UTF-8 values pass through', text: '[client]\nuser=café ☃\n', expected: { user: 'café ☃' } },
  { title: 'unknown ! directives are ignored', text: '[client]\n!foo bar\n!includefoo x\nuser=a\n', expected: { user: 'a' } },
  { title: 'an option before any group is fatal', text: 'user=a\n[client]\n', expected: 'fatal' },
  { title: 'a UTF-8 byte order mark is text before any group (fatal)', text: '\ufeff[client]\nuser=a\n', expected: 'fatal' },
  { title: 'a group header without ] is fatal', text: '[client\nuser=a\n', expected: 'fatal' },
  { title: '!include without a file is fatal', text: '[client]\n!include \t\nuser=a\n', expected: 'fatal' },
  { title: '!includedir of a missing folder is fatal', text: `[client]\n!includedir ${join(folder, 'absent.d')}\n`, expected: 'fatal' },
  {
    title: 'a line longer than 4094 bytes is read as two lines (the mariadb client then rejects the second)',
    text: `[client]\nuser=${'x'.repeat(5000)}\n`,
    expected: { user: 'x'.repeat(4094 - 'user='.length), ['x'.repeat(5000 - 4094 + 'user='.length)]: '' },
  },
];

for (const { title, text, expected } of cases) {
  test(`option file: ${title}`, () => assertBothRead(write(text), expected, {}, JSON.stringify(text.slice(0, 80))));
}

test('a missing --defaults-file is fatal', () => {
  assertBothRead(join(folder, 'absent.cnf'), 'fatal');
});

test('!include: an included file has its own groups, and an error in it ends only that file', () => {
  const include = (name: string, text: string) => write(text, join(folder, name));
  include('inc-ends-in-mysql.cnf', '[client]\nport=1\n[mysql]\n');
  include('inc-bad-group.cnf', '[client]\nhost=h1\n[bad\nhost=h2\n');
  include('inc-no-group.cnf', 'user=x\n[client]\ndatabase=d\n');
  include('inc-missing-dir.cnf', `[client]\nsocket=s1\n!includedir ${join(folder, 'absent.d')}\nsocket=s2\n`);
  const top = write(
    ['[client]', '!include inc-ends-in-mysql.cnf', 'user=u', '!include inc-bad-group.cnf', '!include inc-no-group.cnf', '!include inc-missing-dir.cnf', 'ssl-mode=required', ''].join('\n'),
  );
  assertBothRead(top, { port: '1', user: 'u', host: 'h1', socket: 's1', 'ssl-mode': 'required' }, { cwd: folder });
});

test('!include: a relative path is from the current folder (not the including file), ~/ is the home folder', () => {
  const sub = join(folder, 'sub');
  const home = join(folder, 'home');
  mkdirSync(sub);
  mkdirSync(home);
  write('[client]\nuser=from-cwd\n', join(folder, 'rel.cnf'));
  write('[client]\nuser=from-sub\n', join(sub, 'rel.cnf'));
  write('[client]\nhost=from-home\n', join(home, 'h.cnf'));
  const top = write('[client]\n!include rel.cnf\n!include ~/h.cnf\n', join(sub, 'top.cnf'));
  assertBothRead(top, { user: 'from-cwd', host: 'from-home' }, { cwd: folder, home });
  assertBothRead(top, { user: 'from-sub', host: 'from-home' }, { cwd: sub, home });
});

test('!includedir: .cnf files in byte order; other names, folders and world-writable files are skipped', () => {
  const dir = join(folder, 'conf.d');
  mkdirSync(dir);
  mkdirSync(join(dir, 'folder.cnf'));
  write('[client]\nuser=dot\n', join(dir, '.cnf'));
  write('[client]\nhost=B\n', join(dir, 'B.cnf'));
  write('[client]\nuser=underscore\n', join(dir, '_.cnf'));
  write('[client]\nhost=a\nport=1\n', join(dir, 'a.cnf'));
  write('[client]\nport=2\n', join(dir, 'b.cnf'));
  write('[client]\nport=3\n', join(dir, 'c.txt'));
  write('[client]\nport=4\n', join(dir, 'd.CNF'));
  chmodSync(write('[client]\nport=5\nsocket=ww\n', join(dir, 'ww.cnf')), 0o666);
  const top = write(`[client]\n!includedir ${dir}\n`);
  assertBothRead(top, { user: 'underscore', host: 'a', port: '2' });
});

test('includes nest 10 deep: deeper directives are skipped, so a loop is not fatal', () => {
  const level = (n: number) => join(folder, `level-${n}.cnf`);
  for (let n = 0; n <= 12; n++) write(`[client]\nlevel-${n}=${n}\n!include ${level(n + 1)}\n`, level(n));
  const expected = Object.fromEntries(Array.from({ length: 11 }, (_, n) => [`level-${n}`, String(n)]));
  assertBothRead(level(0), expected);
  const loop = join(folder, 'loop.cnf');
  write(`[client]\nport=1\n!include ${loop}\n`, loop);
  assertBothRead(loop, { port: '1' });
});

test('!include on a last line without a newline loses its last character, as in the clients', () => {
  write('[client]\nuser=full\n', join(folder, 'cut.cnf'));
  write('[client]\nuser=cut\n', join(folder, 'cut.cn'));
  assertBothRead(write(`[client]\n!include ${join(folder, 'cut.cnf')}`), { user: 'cut' });
});

test('a world-writable option file: the clients ignore it (with a warning), this tool refuses it', () => {
  const file = write('[client]\nhost=evil.example\n');
  chmodSync(file, 0o666);
  assert.equal(clientsRead(file), {});
  assert.throws(() => readOptionFile(file), (e: Error) => e instanceof UsageError && /writable by everyone/.test(e.message) && e.message.includes('chmod o-w'));
});

/** The characters values are drawn from: quotes, backslashes, comment marks, blanks and escapable controls. */
const hostileChar = fc.constantFrom('a', 'b', 's', 'n', ' ', '\t', '"', "'", '\\', '#', ';', '=', '\n', '\r', '\b', 'é');
const escapes: Record<string, string> = { '\\': '\\\\', '"': '\\"', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t', ' ': '\\s', '\b': '\\b' };
const escape = (c: string) => escapes[c] ?? c;
/** `value` in double quotes: backslash, the quote and line breaks escaped. */
const doubleQuoted = (value: string) => `"${value.replace(/[\\"\n\r]/g, escape)}"`;
/** `value` in single quotes: backslash, the quote and line breaks escaped. */
const singleQuoted = (value: string) => `'${value.replace(/[\\'\n\r]/g, escape)}'`;
/** `value` without quotes: quotes, backslash, blanks and controls escaped (a # cannot be written this way). */
const unquoted = (value: string) => value.replace(/[\\"'\n\r\t \b]/g, escape);

test('property: any value written in quotes with escapes reads back as itself, here as in the clients', () => {
  fc.assert(
    fc.property(fc.string({ unit: hostileChar, maxLength: 12 }), (value) => {
      const file = write(`[client]\npassword = ${doubleQuoted(value)}\nuser=${singleQuoted(value)}  # c\r\nhost= ${unquoted(value)}\n`);
      const read = toolReads(file);
      assert.equal(read, clientsRead(file));
      assert.ok(read !== 'fatal');
      assert.is(read.password, value);
      assert.is(read.user, value);
      if (!value.includes('#')) assert.is(read.host, value);
    }),
    { numRuns: 100 },
  );
});

/** Raw text for a value or a bare line, with the characters option files treat specially (no -, which would make
 * a decoded newline followed by -- look like a new option in my_print_defaults' output). */
const rawText = fc.string({
  unit: fc.constantFrom('a', 's', 'n', ' ', '\t', '\v', '"', "'", '\\', '#', ';', '=', '[', ']', '!', 'é', 'à'),
  maxLength: 10,
});
const blanks = fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 2 });
const optionName = fc.string({ unit: fc.constantFrom('a', 'b', '_', '-', '.', 'X', '#', '"'), minLength: 1, maxLength: 4 }).filter((n) => !'#"'.includes(n[0]!));
const optionLine = fc.tuple(blanks, optionName, blanks, blanks, rawText).map(([a, name, b, c, value]) => `${a}${name}${b}=${c}${value}`);
const bareLine = fc.tuple(blanks, rawText.filter((text) => !text.includes('='))).map(([a, text]) => a + text);
const fixedLine = fc.constantFrom(
  '[client]',
  '[client-mariadb]',
  '[ client ]',
  '[CLIENT] x',
  '[mysql]',
  '\t[client]',
  '[client',
  '# c',
  '; c',
  '',
  '!foo',
  '!include',
  `!include ${join(folder, 'absent.cnf')}`,
);
const optionFileText = fc
  .tuple(
    fc.constantFrom('[client]\n', '[client]\n', '[client]\n', ''),
    fc.array(fc.oneof({ arbitrary: optionLine, weight: 4 }, { arbitrary: bareLine, weight: 1 }, { arbitrary: fixedLine, weight: 2 }), { maxLength: 8 }),
    fc.constantFrom('\n', '\r\n'),
    fc.boolean(),
  )
  .map(([first, lines, eol, lastNewline]) => first + lines.join(eol) + (lastNewline ? eol : ''));

test('property: any option file of hostile lines reads as the clients read it (or both refuse it)', () => {
  fc.assert(
    fc.property(optionFileText, (text) => {
      const file = write(text);
      assert.equal(toolReads(file), clientsRead(file), JSON.stringify(text));
    }),
    { numRuns: 100 },
  );
});

test('issue 12 end to end: the password read from each spelling authenticates, here and with the mariadb client', async () => {
  await withScratch(seedFixture, async ({ connection, database, env }) => {
    await withTemporaryUserPassword(connection, 'pd_optf', [`\`${database}\`.*`], password, async ({ name }) => {
      const { DB_USER: _user, DB_PASSWORD: _password, ...rest } = env;
      for (const spelling of passwordSpellings) {
        const cnf = write(`[client]\nuser = ${name}\npassword = ${spelling}\n`);
        const run = await runCli(['--range', '0-99', '--defaults-file', cnf], rest);
        assert.is(run.status, 1, `password = ${spelling}: ${run.stderr}`);
        assert.match(run.stdout, /^FAIL legacy projection drift=3 in range 0-99$/m);
        const client = spawnSync('mariadb', [`--defaults-file=${cnf}`, `--host=${env.DB_HOST}`, `--port=${env.DB_PORT}`, '-N', '-e', 'SELECT 1'], {
          encoding: 'utf8',
        });
        assert.is(client.status, 0, `mariadb client with password = ${spelling}: ${client.stderr}`);
      }
    });
  });
});

test.after(() => rmSync(folder, { recursive: true, force: true }));

test.run();

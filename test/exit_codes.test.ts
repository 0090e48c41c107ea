import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import mysql from 'mysql2/promise';
import { adminConnectionOptions } from '../src/fixtures/database.js';
import { envFor, spawnCli, withScratch, withTemporaryUser, type CliRun } from './support/scratch.js';

/** An address where nothing listens: any attempt to connect would exit 3, so exit 2 proves nothing was queried. */
const nowhere = envFor('jetmon_db', { DB_PORT: '1' });

function assertOneLineError(run: CliRun, status: number, pattern: RegExp) {
  assert.is(run.status, status, run.stderr);
  assert.is(run.stdout, '');
  const lines = run.stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, run.stderr);
  assert.match(lines[0]!, /^projection-drift: /);
  assert.match(lines[0]!, pattern);
  assert.not.match(run.stderr, /\n\s+at /);
}

const badUsage: [string[], RegExp][] = [
  [['--range', 'abc'], /invalid --range "abc"/],
  [['--range', '9-3'], /first bucket \(9\) is greater than the last \(3\)/],
  [['--range', '1-'], /invalid --range "1-"/],
  [['--range=-1-3'], /invalid --range "-1-3"/],
  [['--range', '0x1-0x5'], /invalid --range "0x1-0x5"/],
  [['--range', '1.5-2'], /invalid --range "1.5-2"/],
  [['--range', '0-1000'], /buckets run from 0 to 999/],
  [['--range', '5', '--bucket-total', '5'], /buckets run from 0 to 4 \(BUCKET_TOTAL=5\)/],
  [['--limit', '-1'], /invalid --limit "-1"/],
  [['--limit', '1.5'], /invalid --limit "1.5"/],
  [['--summary-limit', 'x'], /invalid --summary-limit "x"/],
  [['--bucket-total', '0'], /invalid --bucket-total "0"/],
  [['--format', 'xml'], /invalid --format "xml"/],
  [['--colour'], /unknown argument: colour; see --help/i],
  [["extra"], /unknown argument: extra; see --help/],
  // Issue 12, item 11: nothing after "--" is silently dropped.
  [['--', '--range', '0-9'], /unexpected argument "--range": options only, nothing after "--" is read/],
  [['--range', '0-9', '--', 'x'], /unexpected argument "x"/],
  // Issue 12, item 12: an empty value never falls back to a default.
  ...['--database', '--host', '--port', '--user', '--socket', '--baseline', '--defaults-file', '--range', '--limit'].map(
    (option): [string[], RegExp] => [[option, ''], new RegExp(`^projection-drift: ${option} needs a value; see --help$`)],
  ),
  [['--host='], /^projection-drift: --host needs a value; see --help$/],
  [['--format'], /^projection-drift: --format needs a value; see --help$/],
  [['--output'], /^projection-drift: --output needs a value; see --help$/],
  // Issue 12, item 13: the message names the options the user typed.
  [['--bucket-min', '5', '--bucket-max', '3'], /^projection-drift: invalid --bucket-min 5 --bucket-max 3: the first bucket \(5\) is greater than the last \(3\)/],
];

for (const [args, pattern] of badUsage) {
  test(`exit 2 before any connection: ${args.join(' ')}`, () => {
    assertOneLineError(spawnCli(args, nowhere), 2, pattern);
  });
}

test("exit 2 for an out-of-range BUCKET_TOTAL in the monitor's config, naming the file and the number as written", () => {
  const folder = mkdtempSync(join(tmpdir(), 'pd-exit-'));
  try {
    const config = (name: string, text: string) => {
      writeFileSync(join(folder, name), text);
      return { ...nowhere, JETMON_CONFIG: join(folder, name) };
    };
    const huge = config('huge.json', '{"BUCKET_TOTAL": 1e400}');
    assertOneLineError(spawnCli([], huge), 2, new RegExp(`config ${folder}/huge\\.json: BUCKET_TOTAL must be a non-negative whole number, not 1e400$`));
    const wide = config('wide.json', '{"BUCKET_TOTAL": 70000}');
    assertOneLineError(spawnCli([], wide), 2, new RegExp(`invalid BUCKET_TOTAL in ${folder}/wide\\.json "70000": use a whole number between 1 and 65536$`));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('exit 2 for a malformed BUCKET_TOTAL or DB_PORT', () => {
  assertOneLineError(spawnCli([], { ...nowhere, BUCKET_TOTAL: 'many' }), 2, /invalid BUCKET_TOTAL "many"/);
  assertOneLineError(spawnCli([], { ...nowhere, DB_PORT: 'db' }), 2, /invalid DB_PORT "db"/);
});

test('exit 3 when the server cannot be reached', () => {
  assertOneLineError(spawnCli(['--range', '0'], nowhere), 3, /could not check: cannot reach the database server at 127\.0\.0\.1:1 .*check DB_HOST and DB_PORT/);
});

test('exit 3 on access denied, naming the user and never the password', async () => {
  const admin = await mysql.createConnection(adminConnectionOptions());
  try {
    await withTemporaryUser(admin, 'pd_denied', [], async ({ name }) => {
      const secret = 'Sup3r-Secret-Value';
      const run = spawnCli(['--range', '0'], envFor('test', { DB_USER: name, DB_PASSWORD: secret }));
      assertOneLineError(run, 3, new RegExp(`access denied for database user "${name}"`));
      assert.not.ok(run.stderr.includes(secret));
    });
  } finally {
    await admin.end();
  }
});

test('exit 3 when the database does not exist', () => {
  assertOneLineError(spawnCli(['--range', '0'], envFor('pd_no_such_database')), 3, /database "pd_no_such_database" does not exist/);
});

test('exit 3 naming the table when the database is not the monitor\'s', async () => {
  await withScratch({}, async ({ connection, database, env }) => {
    await connection.query('DROP TABLE jetmon_events');
    const run = spawnCli(['--range', '0'], env);
    assertOneLineError(run, 3, new RegExp(`table jetmon_events does not exist in database "${database}"; this does not look like the monitor's database`));
  });
});

test('exit 1 on drift and 0 without, from the real process', async () => {
  await withScratch({ sites: [{ blogId: 1, bucket: 0, siteStatus: 0 }, { blogId: 2, bucket: 1, siteStatus: 1 }] }, async ({ env }) => {
    const drift = spawnCli(['--range', '0'], env);
    assert.is(drift.status, 1);
    assert.is(drift.stderr, '');
    assert.match(drift.stdout, /^FAIL legacy projection drift=1 in range 0-0$/m);
    const clean = spawnCli(['--range', '1'], env);
    assert.is(clean.status, 0);
    assert.match(clean.stdout, /^PASS legacy_projection_drift=0$/m);
  });
});

test('--help lists options, environment and exit codes; --version prints the package version', async () => {
  const help = spawnCli(['--help'], nowhere);
  assert.is(help.status, 0);
  const words = [
    '--range', '--bucket-min', '--limit', '--summary-limit', '--bucket-total', '--format', '--output', '--out', '--baseline',
    '--defaults-file', '--socket', '--ssl-mode', '--connect-timeout', '--statement-timeout', 'DB_HOST', 'DB_PASSWORD',
    'JETMON_CONFIG', 'NO_COLOR', 'Exit status', 'make drift-report RANGE=0-99', '--format json > drift.json', 'pinned',
  ];
  for (const word of words) {
    assert.ok(help.stdout.includes(word), word);
  }
  const version = spawnCli(['--version'], nowhere);
  assert.is(version.status, 0);
  const { default: pkg } = await import('../package.json', { with: { type: 'json' } });
  assert.is(version.stdout.trim(), pkg.version);
});

test.run();

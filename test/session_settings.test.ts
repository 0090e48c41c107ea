import mysql from 'mysql2/promise';
import sql from 'sql-template-tag';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { adminConnectionOptions } from '../src/fixtures/database.js';
import { parseDurationMs } from '../src/config/bucket_range.js';
import { parseCommand } from '../src/config/options.js';
import { dbConfigFromEnv, resolveDbConfig, type DbConfig } from '../src/config/db_config.js';
import { serverKind, sessionStatements, withReadOnlySnapshot } from '../src/db/snapshot.js';
import { envFor, withScratch } from './support/scratch.js';
import { seedFixture } from './support/seed_fixture.js';
import { startCli, waitFor, within } from './support/spawn.js';

/** An integer session variable MariaDB has (1 .. 31536000 s), standing in for MySQL's integer max_execution_time. */
const INTEGER_VARIABLE = 'lock_wait_timeout';

async function withAdmin<T>(body: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection(adminConnectionOptions());
  try {
    return await body(connection);
  } finally {
    await connection.end();
  }
}

async function sessionValue(connection: mysql.Connection, variable: string): Promise<string> {
  const [rows] = await connection.query(`SELECT @@session.${variable} AS value`);
  return String((rows as { value: unknown }[])[0]!.value);
}

test('a bound number in SET is refused by an integer variable (error 1232): the shape MySQL 8 refused', async () => {
  await withAdmin(async (connection) => {
    const refused = await connection.execute(`SET SESSION ${INTEGER_VARIABLE} = ?`, [1500]).then(() => null, (e: { errno?: number }) => e);
    assert.is(refused?.errno, 1232);
  });
});

test("the MySQL branch's session statements run on an integer variable: whole numbers are sent as literals", async () => {
  const statements = sessionStatements(serverKind('8.0.36'), 1500);
  assert.equal(statements, [
    "SET SESSION max_execution_time = 1500, tmp_table_size = 67108864, max_heap_table_size = 67108864, time_zone = '+00:00', transaction_isolation = 'REPEATABLE-READ'",
  ]);
  await withAdmin(async (connection) => {
    await connection.query("SET SESSION tx_isolation = 'READ-COMMITTED'");
    // MariaDB 10.11 has neither max_execution_time nor transaction_isolation (11.1 added it as another name of
    // tx_isolation): the same statement on an integer variable it has, and on the isolation variable by its name here.
    const here = (statement: string) => statement.replace(/\bmax_execution_time\b/, INTEGER_VARIABLE).replace(/\btransaction_isolation\b/, 'tx_isolation');
    for (const statement of statements) await connection.execute(here(statement));
    assert.is(await sessionValue(connection, INTEGER_VARIABLE), '1500');
    assert.is(await sessionValue(connection, 'tmp_table_size'), '67108864');
    assert.is(await sessionValue(connection, 'max_heap_table_size'), '67108864');
    assert.is(await sessionValue(connection, 'time_zone'), '+00:00');
    assert.is(await sessionValue(connection, 'tx_isolation'), 'REPEATABLE-READ');
  });
});

test("the MariaDB branch's time limit is the whole milliseconds in seconds, exactly", async () => {
  const timeLimit = (ms: number) => /max_statement_time = ([^,]*),/.exec(sessionStatements(serverKind('5.5.5-10.11.19-MariaDB'), ms)[0]!)?.[1];
  assert.is(timeLimit(1), '0.001');
  assert.is(timeLimit(60_000), '60.000');
  assert.is(timeLimit(0), '0.000');
  await withAdmin(async (connection) => {
    const statements = sessionStatements(serverKind('5.5.5-10.11.19-MariaDB-0+deb12u1'), 1234);
    assert.is(statements.length, 1, 'one round trip');
    await connection.query("SET SESSION tx_isolation = 'SERIALIZABLE'");
    for (const statement of statements) await connection.execute(statement);
    assert.is(await sessionValue(connection, 'tx_isolation'), 'REPEATABLE-READ');
    assert.is(await sessionValue(connection, 'max_statement_time'), '1.234');
    assert.is(await sessionValue(connection, 'tmp_table_size'), '67108864');
    assert.is(await sessionValue(connection, 'max_heap_table_size'), '67108864');
    assert.match(await sessionValue(connection, 'optimizer_switch'), /(^|,)mrr=on,.*mrr_sort_keys=on/);
  });
});

test('the server kind from its version string: the family, and the isolation variable it knows', () => {
  const kind = (version: string) => Object.values(serverKind(version)).join(' ');
  assert.is(kind('8.0.36'), 'mysql transaction_isolation');
  assert.is(kind('8.4.3-commercial'), 'mysql transaction_isolation');
  assert.is(kind('5.5.5-10.11.19-MariaDB-0+deb12u1'), 'mariadb tx_isolation');
  assert.is(kind('10.6.18-MariaDB-log'), 'mariadb tx_isolation');
  assert.is(kind('5.5.5-11.0.2-MariaDB'), 'mariadb tx_isolation');
  assert.is(kind('11.1.2-MariaDB'), 'mariadb transaction_isolation');
  assert.is(kind('11.4.4-MariaDB-ubu2404'), 'mariadb transaction_isolation');
  assert.is(kind('12.0.1-MariaDB'), 'mariadb transaction_isolation');
});

test('the session statement builder refuses anything but a whole number of milliseconds in range', () => {
  for (const bad of [1.5, 0.1, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 32, 2 ** 53]) {
    for (const version of ['8.0.36', '10.11.19-MariaDB'] as const) {
      assert.throws(() => sessionStatements(serverKind(version), bad), /whole number of milliseconds/, `${version} ${bad}`);
    }
  }
});

test('--statement-timeout rounds up to whole milliseconds: any positive value stays a limit', () => {
  const parse = (text: string) => parseDurationMs(text, '--statement-timeout', { allowZero: true });
  assert.is(parse('0.0000001'), 1);
  assert.is(parse('0.0001'), 1);
  assert.is(parse('0.0015'), 2);
  assert.is(parse('0.001'), 1);
  assert.is(parse('1.1'), 1100);
  assert.is(parse('60'), 60_000);
  assert.is(parse('0'), 0);
  assert.is(parse('0.000'), 0);
  assert.is(parse('86400'), 86_400_000);
  assert.throws(() => parse('86400.0001'), /up to 86400/);
});

/** The time limit the report's session runs under, as the server reports it. */
async function limitOnServer(config: DbConfig): Promise<number> {
  return withReadOnlySnapshot(config, async (session) => {
    for await (const [row] of session.stream('probe', sql`SELECT @@session.max_statement_time AS t`)) return Number(row!.t);
    throw new Error('no row');
  });
}

test("the report's session: MariaDB's settings (the flavour read from the server's greeting) and REPEATABLE READ whatever the server's default", async () => {
  await withAdmin(async (admin) => {
    const [rows] = await admin.query('SELECT @@global.tx_isolation AS level');
    const before = String((rows as { level: string }[])[0]!.level);
    await admin.query("SET GLOBAL tx_isolation = 'READ-COMMITTED'");
    try {
      const seen = await withReadOnlySnapshot(dbConfigFromEnv(envFor('mysql')), async (session) => {
        const probe = sql`SELECT @@session.tx_isolation AS level, @@session.optimizer_switch AS switches, @@session.max_statement_time AS t`;
        for await (const [row] of session.stream('probe', probe)) return row!;
        throw new Error('no row');
      });
      assert.is(seen.level, 'REPEATABLE-READ');
      assert.match(String(seen.switches), /(^|,)split_materialized=off(,|$)/);
      assert.is(Number(seen.t), 60);
    } finally {
      await admin.query(`SET GLOBAL tx_isolation = ${admin.escape(before)}`);
    }
  });
});

test('a tiny --statement-timeout reaches the server as a positive limit, not as "no limit"', async () => {
  const env = envFor('mysql');
  const command = await parseCommand(['--statement-timeout', '0.0000001'], env);
  assert.is(command.kind, 'report');
  if (command.kind !== 'report') return;
  assert.is(await limitOnServer(resolveDbConfig(command.options.connection, env, command.options.limits)), 0.001);
  // A configuration carries whole milliseconds (the builder refuses anything else): 1 ms is 0.001 s, 0 no limit.
  assert.is(await limitOnServer({ ...dbConfigFromEnv(env), statementTimeoutMs: 1 }), 0.001);
  assert.is(await limitOnServer({ ...dbConfigFromEnv(env), statementTimeoutMs: 0 }), 0);
});

test('a tiny --statement-timeout stops a report that waits on the server (exit 3), instead of removing the limit', async () => {
  await withScratch(seedFixture, async ({ connection, database, env }) => {
    await connection.query('LOCK TABLES jetpack_monitor_sites WRITE');
    const run = startCli(['--range', '0-99', '--statement-timeout', '0.0000001'], env);
    try {
      const exit = await within(run.exit, 30_000, 'the report under a 1 ms limit');
      assert.is(exit.status, 3, exit.stderr);
      assert.match(exit.stderr, /^projection-drift: could not check: a statement reached the time limit of 0\.001 s \(--statement-timeout\)/);
      assert.is(exit.stdout, '');
    } finally {
      run.child.kill('SIGKILL');
      // Without a limit the report would still wait on the lock: end it on the server too.
      await waitFor(async () => {
        const [rows] = await connection.query(`SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()`, [database]);
        for (const { id } of rows as { id: number }[]) await connection.query(`KILL ${Number(id)}`).catch(() => {});
        return (rows as unknown[]).length === 0 ? true : undefined;
      }, 10_000, 'the report connection gone');
      await connection.query('UNLOCK TABLES');
    }
  });
});

test.run();

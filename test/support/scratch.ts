import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'mysql2/promise';
import {
  createScratchDatabase,
  dropScratchDatabase,
  insertEvents,
  insertSites,
  insertTransitions,
  schemaShapeFromEnv,
  type EventFixture,
  type SchemaShape,
  type SiteFixture,
  type TransitionFixture,
} from '../../src/fixtures/database.js';
import { main } from '../../src/cli.js';
import { dbConfigFromEnv } from '../../src/config/db_config.js';
import { loadDriftQueries, queryDrift } from '../../src/report/drift_queries.js';

/** A scratch database loaded with fixtures, and the environment that points the CLI at it. */
export interface Scratch {
  database: string;
  connection: Connection;
  env: NodeJS.ProcessEnv;
}

/** What one CLI run produced. */
export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** A fixed clock for reports whose output is compared with golden files. */
export const FIXED_NOW = new Date('2026-05-01T12:00:00.000Z');

/** The environment that points a run at `database` on the test server. */
export function envFor(database: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    DB_HOST: process.env.DB_HOST || '127.0.0.1',
    DB_PORT: process.env.DB_PORT || '3306',
    DB_USER: process.env.DB_USER || 'root',
    DB_PASSWORD: process.env.DB_PASSWORD || '',
    DB_NAME: database,
    ...extra,
  };
}

/**
 * Creates a uniquely named database with the monitor's schema and fixtures, runs `body`, and always
 * drops it. The table shape is SCHEMA_SHAPE's (`make test` runs the report tests under both) unless
 * a test names one.
 */
export async function withScratch<T>(
  fixture: { sites?: readonly SiteFixture[]; events?: readonly EventFixture[]; transitions?: readonly TransitionFixture[] },
  body: (scratch: Scratch) => Promise<T>,
  shape: SchemaShape = schemaShapeFromEnv(),
): Promise<T> {
  const database = `pd_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const connection = await createScratchDatabase(database, process.env, shape);
  try {
    await insertSites(connection, fixture.sites ?? []);
    await insertEvents(connection, fixture.events ?? []);
    await insertTransitions(connection, fixture.transitions ?? []);
    return await body({ database, connection, env: envFor(database) });
  } finally {
    await dropScratchDatabase(connection, database);
    await connection.end();
  }
}

/** Runs the CLI in this process with a pinned clock and captures its output; `terminal` pretends stderr is a TTY. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv, { terminal = false } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const status = await main(args, env, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    stderrIsTerminal: terminal,
    now: () => FIXED_NOW,
  });
  return { status, stdout, stderr };
}

/** The built entry point, as operators and scripts run it. */
export const builtCli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** Runs the built CLI as a separate process (needs `make build`). */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv): CliRun {
  const run = spawnSync(process.execPath, [builtCli, ...args], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

/** Runs the product's query layer (no rendering) against a scratch database. */
export async function queryScratch(
  scratch: Scratch,
  request: { bucketMin: number; bucketMax: number; bucketTotal?: number; rowLimit?: number; summaryLimit?: number },
) {
  return queryDrift(dbConfigFromEnv(scratch.env), loadDriftQueries(), {
    bucketTotal: 1000,
    rowLimit: 0,
    summaryLimit: 0,
    ...request,
  });
}

/** A database user that exists only for `body`: a fresh name and password, SELECT on each of `grants`, dropped after. */
export async function withTemporaryUser<T>(
  connection: Connection,
  prefix: string,
  grants: readonly string[],
  body: (user: { name: string; password: string }) => Promise<T>,
): Promise<T> {
  return withTemporaryUserPassword(connection, prefix, grants, `pw-${randomBytes(6).toString('hex')}`, body);
}

/** Like withTemporaryUser with a chosen password of any characters (sent as a bound value, never spliced into SQL). */
export async function withTemporaryUserPassword<T>(
  connection: Connection,
  prefix: string,
  grants: readonly string[],
  password: string,
  body: (user: { name: string; password: string }) => Promise<T>,
): Promise<T> {
  const name = `${prefix}_${randomBytes(3).toString('hex')}`;
  await connection.query("CREATE USER ?@'%' IDENTIFIED BY ?", [name, password]);
  try {
    for (const target of grants) await connection.query(`GRANT SELECT ON ${target} TO ?@'%'`, [name]);
    return await body({ name, password });
  } finally {
    await connection.query("DROP USER IF EXISTS ?@'%'", [name]);
  }
}

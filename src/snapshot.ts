import mysql from 'mysql2/promise';
import type { Connection, ConnectionOptions } from 'mysql2/promise';
import type { Connection as CallbackConnection } from 'mysql2';
import type { Readable } from 'node:stream';
import type { Sql } from 'sql-template-tag';
import type { DbConfig } from './db_config.js';
import { describeDbError } from './db_errors.js';
import type { StatementTiming } from './drift_results.js';

/** Runs bound statements on one connection inside one read-only, consistent snapshot. */
export interface SnapshotSession {
  /**
   * Executes one bound statement as a server-side prepared statement and yields its rows in
   * batches as they arrive (the server is paused while a batch is being handled, so memory stays
   * bounded); timed when drained. Each statement is prepared afresh and released after (MariaDB
   * can keep a re-executed statement on a plan chosen under other optimizer settings).
   */
  stream(name: string, statement: Sql): AsyncIterable<Record<string, unknown>[]>;
  /**
   * Lets MariaDB look a grouped subquery up row by row (split materialization) or makes it build
   * the subquery once; MySQL always builds it, so there this does nothing.
   */
  usePerSiteLookups(enabled: boolean): Promise<void>;
  /** Per-statement timings so far, in execution order. */
  readonly timings: StatementTiming[];
}

/** The callback connection a mysql2 promise connection wraps: the promise API has no row streams, it does. */
export function callbackConnection(connection: Connection): CallbackConnection {
  return (connection as unknown as { connection: CallbackConnection }).connection;
}

/** The mysql2 options for a configuration; `tls: false` leaves TLS off (used when `preferred` finds none). */
export function driverOptions(config: DbConfig, tls = config.ssl.mode !== 'disabled'): ConnectionOptions {
  const { mode, ca, cert, key } = config.ssl;
  return {
    ...(config.socket ? { socketPath: config.socket } : { host: config.host, port: config.port }),
    user: config.user,
    password: config.password,
    database: config.database,
    connectTimeout: config.connectTimeoutMs,
    charset: 'utf8mb4',
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    multipleStatements: false,
    ...(tls
      ? {
          ssl: {
            ...(ca !== undefined && { ca }),
            ...(cert !== undefined && { cert }),
            ...(key !== undefined && { key }),
            // Only verify-identity checks the certificate chain and the host name, as with the mysql client.
            rejectUnauthorized: mode === 'verify-identity',
          },
        }
      : {}),
  };
}

/** Opens a connection with exact big-number handling; `preferred` TLS falls back to plain when the server offers none. */
export async function connect(config: DbConfig): Promise<Connection> {
  try {
    return await mysql.createConnection(driverOptions(config));
  } catch (error) {
    if (config.ssl.mode === 'preferred' && (error as { code?: string }).code === 'HANDSHAKE_NO_SSL_SUPPORT') {
      try {
        return await mysql.createConnection(driverOptions(config, false));
      } catch (plainError) {
        throw describeDbError(plainError, config);
      }
    }
    throw describeDbError(error, config);
  }
}

/** The server family, which decides how time limits and plan switches are spelled. */
export type ServerFlavor = 'mariadb' | 'mysql';

async function serverFlavor(connection: Connection): Promise<ServerFlavor> {
  const [rows] = await connection.query('SELECT VERSION() AS version');
  return /mariadb/i.test(String((rows as { version: string }[])[0]?.version ?? '')) ? 'mariadb' : 'mysql';
}

/** Largest in-memory temporary table of the report's session (the server's default is 16 MiB). */
const MEMORY_TEMP_TABLE_BYTES = 64 * 1024 * 1024;

/**
 * The largest time limit the session accepts, in milliseconds: MySQL documents max_execution_time
 * up to 4294967295 (its largest range on every platform), well inside MariaDB's 31536000 s.
 */
const MAX_STATEMENT_TIMEOUT_MS = 4_294_967_295;

/** A limit in seconds as whole milliseconds, rounded up, so any positive limit stays positive (1e-7 s is 1 ms). */
export function wholeMilliseconds(seconds: number): number {
  // toPrecision drops float noise first: 1.1 * 1000 is 1100.0000000000002, which is 1100 ms, not 1101.
  return Math.ceil(Number((seconds * 1000).toPrecision(12)));
}

/**
 * The statements (no privilege needed) that set up a report session on a server flavour, every number
 * in them a checked integer written as a literal. Never a placeholder: MySQL types a `?` in SET as a
 * string, mysql2 then sends a number as a DOUBLE, and an integer variable refuses that with error
 * 1232 (ER_WRONG_TYPE_FOR_VAR), so every run on MySQL 8 failed before its snapshot began.
 *
 * - The time limit of each statement, 0 for none. MySQL's max_execution_time is an integer count of
 *   milliseconds (MySQL 8.0/8.4 Reference Manual, "Server System Variables": default 0, no limit;
 *   sql/sys_vars.cc declares it a Sys_var_ulong, VALID_RANGE(0, ULONG_MAX)). MariaDB's
 *   max_statement_time is a DOUBLE in seconds with microsecond resolution (0 to 31536000), sent as the
 *   milliseconds / 1000, written out exactly.
 * - The window functions over the drifting sites work in temporary tables, which past 16 MiB (about
 *   70,000 drifting sites) move to disk and run several times slower; the cap is raised to 64 MiB, a
 *   ceiling, not an allocation.
 * - MariaDB reads the rows an index range points at in primary-key order (multi-range read) only when
 *   told to; a bucket's sites lie all over the clustered index, so sorted reads halve the cost of a
 *   narrow range. MySQL 8 decides that by cost on its own.
 *
 * Throws a RangeError for a time limit that is not a whole number of milliseconds from 0 to 4294967295.
 */
export function sessionStatements(flavor: ServerFlavor, statementTimeoutMs: number): string[] {
  if (!Number.isSafeInteger(statementTimeoutMs) || statementTimeoutMs < 0 || statementTimeoutMs > MAX_STATEMENT_TIMEOUT_MS) {
    throw new RangeError(`the statement time limit must be a whole number of milliseconds from 0 to ${MAX_STATEMENT_TIMEOUT_MS}, not ${statementTimeoutMs}`);
  }
  const ms = statementTimeoutMs;
  const timeLimit =
    flavor === 'mariadb'
      ? `SET SESSION max_statement_time = ${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`
      : `SET SESSION max_execution_time = ${ms}`;
  return [
    timeLimit,
    `SET SESSION tmp_table_size = ${MEMORY_TEMP_TABLE_BYTES}, max_heap_table_size = ${MEMORY_TEMP_TABLE_BYTES}`,
    ...(flavor === 'mariadb' ? ["SET SESSION optimizer_switch = 'mrr=on,mrr_sort_keys=on'"] : []),
  ];
}

/** Rows handed over at a time when streaming: large enough to keep per-row overhead low, small enough to bound memory. */
const STREAM_BATCH = 1000;

/** Reads an object stream in arrays of up to `size` items, pausing the source while a full batch waits. */
async function* inBatches(source: Readable, size: number): AsyncGenerator<unknown[]> {
  let batch: unknown[] = [];
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  source.on('data', (item: unknown) => {
    batch.push(item);
    if (batch.length >= size) {
      source.pause();
      notify();
    }
  });
  source.once('end', () => {
    ended = true;
    notify();
  });
  source.once('error', (error: unknown) => {
    failure = error;
    notify();
  });
  while (true) {
    if (failure !== undefined) throw failure;
    if (batch.length >= size || (ended && batch.length > 0)) {
      const full = batch;
      batch = [];
      yield full;
      source.resume();
      continue;
    }
    if (ended) return;
    await new Promise<void>((resolve) => (wake = resolve));
  }
}

const elapsed = (started: number) => Math.round((performance.now() - started) * 10) / 10;

/**
 * Runs `work` inside `START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY` at REPEATABLE READ,
 * so every statement sees the same data; always rolls back and closes the connection. Database
 * failures become one-line CheckErrors; errors of `work` itself pass through unchanged.
 */
export async function withReadOnlySnapshot<T>(
  config: DbConfig,
  work: (session: SnapshotSession) => Promise<T>,
): Promise<T> {
  const connection = await connect(config);
  connection.on('error', () => {
    /* a lost connection surfaces as the failing statement's error */
  });
  const onServer = async <R>(action: () => Promise<R>): Promise<R> => {
    try {
      return await action();
    } catch (error) {
      throw describeDbError(error, config);
    }
  };
  let flavor: ServerFlavor = 'mysql';
  const timings: StatementTiming[] = [];
  const session: SnapshotSession = {
    timings,
    async *stream(name, statement) {
      const started = performance.now();
      const core = callbackConnection(connection);
      const rows = core.execute({ sql: statement.sql, values: statement.values as never[] }).stream();
      // A connection lost mid-statement does not always end the row stream: end it with the loss.
      const lost = (error?: unknown) =>
        rows.destroy(error instanceof Error ? error : Object.assign(new Error('connection closed'), { code: 'PROTOCOL_CONNECTION_LOST' }));
      core.once('error', lost);
      core.once('end', lost);
      let count = 0;
      try {
        for await (const batch of inBatches(rows, STREAM_BATCH)) {
          count += batch.length;
          yield batch as Record<string, unknown>[];
        }
      } catch (error) {
        throw describeDbError(error, config);
      } finally {
        core.off('error', lost);
        core.off('end', lost);
        rows.destroy();
        core.unprepare(statement.sql);
      }
      timings.push({ name, ms: elapsed(started), rows: count });
    },
    async usePerSiteLookups(enabled) {
      if (flavor !== 'mariadb') return;
      await onServer(() => connection.query(`SET SESSION optimizer_switch = 'split_materialized=${enabled ? 'on' : 'off'}'`));
    },
  };
  try {
    await onServer(async () => {
      flavor = await serverFlavor(connection);
      for (const statement of sessionStatements(flavor, wholeMilliseconds(config.statementTimeoutSeconds))) await connection.query(statement);
      await connection.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    });
    const result = await work(session);
    await onServer(() => connection.query('ROLLBACK'));
    return result;
  } finally {
    connection.destroy();
  }
}

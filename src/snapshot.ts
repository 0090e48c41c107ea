import mysql from 'mysql2/promise';
import type { Connection, ConnectionOptions } from 'mysql2/promise';
import type { Sql } from 'sql-template-tag';
import type { DbConfig } from './db_config.js';
import { describeDbError } from './db_errors.js';
import type { StatementTiming } from './drift_results.js';

/** Runs bound statements on one connection inside one read-only, consistent snapshot. */
export interface SnapshotSession {
  /** Executes one bound statement as a server-side prepared statement and records its timing. */
  select(name: string, statement: Sql): Promise<Record<string, unknown>[]>;
  /** Per-statement timings so far, in execution order. */
  readonly timings: StatementTiming[];
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

/**
 * Sets the per-statement time limit of this session the way the server supports it: MariaDB's
 * max_statement_time in seconds, MySQL's max_execution_time in milliseconds. Session variables
 * need no privilege.
 */
async function applyStatementTimeout(connection: Connection, seconds: number): Promise<void> {
  const [rows] = await connection.query('SELECT VERSION() AS version');
  const version = String((rows as { version: string }[])[0]?.version ?? '');
  if (/mariadb/i.test(version)) {
    await connection.execute('SET SESSION max_statement_time = ?', [seconds]);
  } else {
    await connection.execute('SET SESSION max_execution_time = ?', [Math.ceil(seconds * 1000)]);
  }
}

/**
 * Runs `work` inside `START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY` at REPEATABLE READ,
 * so every statement sees the same data; always rolls back and closes the connection.
 */
export async function withReadOnlySnapshot<T>(
  config: DbConfig,
  work: (session: SnapshotSession) => Promise<T>,
): Promise<T> {
  const connection = await connect(config);
  connection.on('error', () => {
    /* a lost connection surfaces as the failing statement's error */
  });
  const timings: StatementTiming[] = [];
  const session: SnapshotSession = {
    timings,
    async select(name, statement) {
      const started = performance.now();
      const [rows] = await connection.execute({ sql: statement.sql, values: statement.values as never[] });
      const list = rows as Record<string, unknown>[];
      timings.push({ name, ms: Math.round((performance.now() - started) * 10) / 10, rows: list.length });
      return list;
    },
  };
  try {
    await applyStatementTimeout(connection, config.statementTimeoutSeconds);
    await connection.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    const result = await work(session);
    await connection.query('ROLLBACK');
    return result;
  } catch (error) {
    throw error instanceof Error && error.name === 'CheckError' ? error : describeDbError(error, config);
  } finally {
    connection.destroy();
  }
}

import { CheckError } from '../errors.js';
import { serverAddress, type DbConfig } from '../config/db_config.js';

interface DriverError {
  code?: string;
  errno?: number;
  sqlMessage?: string;
  message?: string;
}

/**
 * Removes the password from a driver message, in case a server or driver ever echoes it. Only a
 * whole occurrence counts (not inside a longer run of letters and digits), so a short password
 * such as `e` leaves words like "denied" alone.
 */
function withoutSecret(text: string, config: DbConfig): string {
  if (config.password === '') return text;
  const secret = config.password.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`(?<![\\p{L}\\p{N}])${secret}(?![\\p{L}\\p{N}])`, 'gu'), '***');
}

/** Names a missing table from "Table 'db.tbl' doesn't exist". */
function missingTable(message: string): string {
  return /Table '(?:[^'.]*\.)?([^']*)' doesn't exist/.exec(message)?.[1] ?? 'a required table';
}

/**
 * The tables behind the aliases the report's SQL puts index hints on (`FROM jetmon_events AS e
 * IGNORE INDEX ...`): the server's "Key 'x' doesn't exist in table 'e'" names the alias. A test
 * checks this against the shipped query; an alias not listed here is named as the server gave it.
 */
export const hintedTableAliases: Readonly<Record<string, string>> = { e: 'jetmon_events' };

/** The table (the alias mapped back) and index of "Key 'I' doesn't exist in table 'alias'". */
function missingIndex(message: string): { table: string; index: string } | undefined {
  const match = /Key '([^']*)' doesn't exist in table '([^']*)'/.exec(message);
  return match ? { table: hintedTableAliases[match[2]!] ?? `or alias ${match[2]}`, index: match[1]! } : undefined;
}

/** Error numbers mysql2 has no names for: MariaDB's statement timeout and killed connection. */
const mariadbCodes: Readonly<Record<number, string>> = { 1969: 'ER_STATEMENT_TIMEOUT', 1927: 'ER_CONNECTION_KILLED' };

/** Turns a driver or server error into one operator-facing line (exit 3) that says what failed and what to check. */
export function describeDbError(error: unknown, config: DbConfig): CheckError {
  const e = (error ?? {}) as DriverError;
  const code = (e.errno !== undefined ? mariadbCodes[e.errno] : undefined) ?? e.code ?? '';
  const server = serverAddress(config);
  const { sources } = config;
  const detail = withoutSecret(String(e.sqlMessage ?? e.message ?? error).split('\n')[0] ?? '', config);
  let line: string;
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENOENT': // a socket path with nothing there
    case 'ENOTSOCK':
      line = `cannot reach the database server at ${server} (${code}); check ${sources.server} and that the server is running`;
      break;
    case 'ETIMEDOUT':
      line = `gave up connecting to the database server at ${server} after ${config.connectTimeoutMs / 1000} s (--connect-timeout); check ${sources.server} and the network path`;
      break;
    case 'ER_QUERY_TIMEOUT':
    case 'ER_STATEMENT_TIMEOUT':
      line = `a statement reached the time limit of ${config.statementTimeoutMs / 1000} s (--statement-timeout); report a smaller --range, or raise the limit off-peak`;
      break;
    case 'ER_QUERY_INTERRUPTED':
      line = `a statement was interrupted on ${server} (KILL QUERY or server shutdown); rerun the report`;
      break;
    case 'HANDSHAKE_NO_SSL_SUPPORT':
      line = `the server at ${server} does not offer TLS but ssl-mode is ${config.ssl.mode}; enable TLS on the server or choose --ssl-mode preferred`;
      break;
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
      line = `access denied for database user "${config.user}" on ${server}; check ${sources.credentials} and the user's grants`;
      break;
    case 'ER_BAD_DB_ERROR':
      line = `database "${config.database}" does not exist on ${server}; check ${sources.database}`;
      break;
    case 'ER_NO_SUCH_TABLE':
      line = `table ${missingTable(detail)} does not exist in database "${config.database}"; this does not look like the monitor's database, check ${sources.database}`;
      break;
    case 'ER_KEY_DOES_NOT_EXITS': {
      // MySQL's own spelling of error 1176; both servers refuse a hint that names a missing index.
      const missing = missingIndex(detail);
      const what = missing
        ? `table ${missing.table} in database "${config.database}" has no index ${missing.index}`
        : `an index is missing in database "${config.database}" (${detail})`;
      line = `${what}, which the report's query names in an index hint; check that ${sources.database} names the monitor's database, or restore the index from the monitor's schema (README: "Indexes the report relies on")`;
      break;
    }
    case 'ER_TABLEACCESS_DENIED_ERROR':
    case 'ER_COLUMNACCESS_DENIED_ERROR':
      line = `database user "${config.user}" may not read what the report needs (${detail}); grant SELECT on jetpack_monitor_sites and jetmon_events`;
      break;
    case 'ER_BAD_FIELD_ERROR':
      line = `the schema of database "${config.database}" lacks a column the report reads (${detail}); check that it is the monitor's database`;
      break;
    case 'PROTOCOL_CONNECTION_LOST':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ER_SERVER_SHUTDOWN':
    case 'ER_CONNECTION_KILLED':
      line = `the connection to ${server} was lost before the report finished (${code}: killed, server restarted or network failure); rerun once the server is reachable`;
      break;
    default:
      line = /CERT|TLS|SSL/.test(code)
        ? `the TLS handshake with ${server} failed: ${detail} (${code}); check --ssl-ca and --ssl-mode`
        : `a database statement failed on ${server}: ${detail}${code ? ` (${code})` : ''}`;
  }
  return new CheckError(line, typeof e.errno === 'number' ? e.errno : undefined);
}

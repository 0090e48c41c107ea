import { UsageError } from './errors.js';

/** Where and as whom to connect, and how long to wait; `password` is never printed. */
export interface DbConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Give up connecting after this long. */
  connectTimeoutMs: number;
  /** Per-statement time limit on the server, in seconds (0 = none). */
  statementTimeoutSeconds: number;
}

/** Connection limits chosen on the command line. */
export interface ConnectionLimits {
  connectTimeoutMs: number;
  statementTimeoutSeconds: number;
}

/** The limits used when nothing else is said: 10 s to connect, 60 s per statement. */
export const defaultLimits: ConnectionLimits = { connectTimeoutMs: 10_000, statementTimeoutSeconds: 60 };

/** Reads the monitor's connection variables (DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, DB_NAME) with its defaults. */
export function dbConfigFromEnv(env: NodeJS.ProcessEnv, limits: ConnectionLimits = defaultLimits): DbConfig {
  const portText = env.DB_PORT?.trim() || '3306';
  if (!/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    throw new UsageError(`invalid DB_PORT "${portText}": use a TCP port number between 1 and 65535`);
  }
  return {
    host: env.DB_HOST?.trim() || 'localhost',
    port: Number(portText),
    user: env.DB_USER ?? 'root',
    password: env.DB_PASSWORD ?? '',
    database: env.DB_NAME?.trim() || 'jetmon_db',
    ...limits,
  };
}

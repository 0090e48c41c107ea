import { UsageError } from './errors.js';

/** Where and as whom to connect; `password` is never printed. */
export interface DbConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  connectTimeoutMs: number;
}

/** Reads the monitor's connection variables (DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, DB_NAME) with its defaults. */
export function dbConfigFromEnv(env: NodeJS.ProcessEnv): DbConfig {
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
    connectTimeoutMs: 10_000,
  };
}

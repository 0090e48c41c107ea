import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './errors.js';
import { readOptionFile } from './option_file.js';

/** TLS modes, with the MySQL client's meanings. */
export const sslModes = ['disabled', 'preferred', 'required', 'verify-identity'] as const;

/** A TLS mode name. */
export type SslMode = (typeof sslModes)[number];

/** TLS settings: the mode and the PEM contents of any files named. */
export interface SslConfig {
  mode: SslMode;
  ca?: string;
  cert?: string;
  key?: string;
}

/** Where and as whom to connect, and how long to wait; `password` is never printed. */
export interface DbConfig {
  host: string;
  port: number;
  /** A Unix socket; when set, host and port are not used to connect. */
  socket: string | undefined;
  user: string;
  password: string;
  database: string;
  ssl: SslConfig;
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

/** Connection settings given as individual command-line options, and a --defaults-file. */
export interface ConnectionFlags {
  host?: string | undefined;
  port?: string | undefined;
  user?: string | undefined;
  database?: string | undefined;
  socket?: string | undefined;
  'ssl-ca'?: string | undefined;
  'ssl-cert'?: string | undefined;
  'ssl-key'?: string | undefined;
  'ssl-mode'?: string | undefined;
  'defaults-file'?: string | undefined;
}

/** The settings one source can give, by option-file name. */
type Layer = { source: string; values: Map<string, string> };

function layerOf(source: string, entries: Record<string, string | undefined>): Layer {
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(entries)) if (value !== undefined && value !== '') values.set(name, value);
  return { source, values };
}

/** The option-file layer: --defaults-file when given (then nothing else is read, as with mysql), else ~/.my.cnf if present. */
function optionFileLayer(flags: ConnectionFlags, home: string): Layer | undefined {
  const named = flags['defaults-file'];
  if (named !== undefined) return { source: named, values: readOptionFile(named) };
  const personal = join(home, '.my.cnf');
  try {
    readFileSync(personal);
  } catch {
    return undefined;
  }
  return { source: '~/.my.cnf', values: readOptionFile(personal) };
}

function readPem(path: string, option: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${option} file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path`);
  }
}

/**
 * Resolves connection settings. Precedence, highest first: individual command-line options; a file
 * named with --defaults-file; DB_* environment variables; ~/.my.cnf ([client], [client-mariadb]);
 * built-in defaults (localhost:3306, root, empty password, jetmon_db, ssl-mode preferred).
 */
export function resolveDbConfig(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  limits: ConnectionLimits = defaultLimits,
  home: string = env.HOME || homedir(),
): DbConfig {
  const fromFlags = layerOf('the command line', { ...flags, 'defaults-file': undefined });
  const fromEnv = layerOf('the environment', {
    host: env.DB_HOST?.trim(),
    port: env.DB_PORT?.trim(),
    user: env.DB_USER,
    password: env.DB_PASSWORD,
    database: env.DB_NAME?.trim(),
  });
  const file = optionFileLayer(flags, home);
  const layers = flags['defaults-file'] !== undefined ? [fromFlags, file!, fromEnv] : [fromFlags, fromEnv, ...(file ? [file] : [])];
  const pick = (name: string): { value: string; source: string } | undefined => {
    for (const layer of layers) {
      const value = layer.values.get(name);
      if (value !== undefined) return { value, source: layer.source };
    }
    return undefined;
  };

  const port = pick('port') ?? { value: '3306', source: 'the default' };
  if (!/^\d+$/.test(port.value) || Number(port.value) < 1 || Number(port.value) > 65535) {
    const option = port.source === 'the environment' ? 'DB_PORT' : 'port';
    throw new UsageError(`invalid ${option} "${port.value}" in ${port.source}: use a TCP port number between 1 and 65535`);
  }
  const mode = (pick('ssl-mode')?.value ?? 'preferred').toLowerCase().replace(/_/g, '-');
  if (!(sslModes as readonly string[]).includes(mode)) {
    throw new UsageError(`invalid ssl-mode "${mode}": use one of ${sslModes.join(', ')}`);
  }
  const ssl: SslConfig = { mode: mode as SslMode };
  for (const part of ['ca', 'cert', 'key'] as const) {
    const path = pick(`ssl-${part}`)?.value;
    if (path !== undefined) ssl[part] = readPem(path, `--ssl-${part}`);
  }
  return {
    host: pick('host')?.value ?? 'localhost',
    port: Number(port.value),
    socket: pick('socket')?.value,
    user: pick('user')?.value ?? 'root',
    password: pick('password')?.value ?? '',
    database: pick('database')?.value ?? 'jetmon_db',
    ssl,
    ...limits,
  };
}

/** Connection settings from the DB_* environment variables alone (and ~/.my.cnf below them), with the default limits. */
export function dbConfigFromEnv(env: NodeJS.ProcessEnv, limits: ConnectionLimits = defaultLimits): DbConfig {
  return resolveDbConfig({}, env, limits);
}

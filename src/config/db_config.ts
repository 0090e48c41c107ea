import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
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
  /** A Unix socket, set only when the run connects through it (then host and port are not used). */
  socket: string | undefined;
  user: string;
  password: string;
  database: string;
  ssl: SslConfig;
  /** Give up connecting after this long. */
  connectTimeoutMs: number;
  /** Per-statement time limit on the server, in whole milliseconds (0 = none). */
  statementTimeoutMs: number;
  /** Where each setting came from, named so an operator can find it: `--host`, `DB_PORT`, `user in ~/.my.cnf`. */
  sources: SettingSources;
}

/** The names of the options, variables or option-file lines that gave the connection settings. */
export interface SettingSources {
  /** The host and port, or the socket, the run connects to. */
  server: string;
  /** The user and the password. */
  credentials: string;
  database: string;
}

/** Connection limits chosen on the command line. */
export interface ConnectionLimits {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

/** The limits used when nothing else is said: 10 s to connect, 60 s per statement. */
const defaultLimits: ConnectionLimits = { connectTimeoutMs: 10_000, statementTimeoutMs: 60_000 };

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

/** The settings one source can give, by option-file name, and how its settings are named in messages. */
type Layer = { values: Map<string, string>; nameOf: (option: string) => string };

function layerOf(entries: Record<string, string | undefined>, nameOf: (option: string) => string): Layer {
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(entries)) if (value !== undefined && value !== '') values.set(name, value);
  return { values, nameOf };
}

/** The monitor's variable for each setting it reads from the environment. */
const environmentNames: Readonly<Record<string, string>> = {
  host: 'DB_HOST',
  port: 'DB_PORT',
  user: 'DB_USER',
  password: 'DB_PASSWORD',
  database: 'DB_NAME',
};

/** The option-file layer: --defaults-file when given (then nothing else is read, as with mysql), else ~/.my.cnf if present. */
function optionFileLayer(flags: ConnectionFlags, home: string): Layer | undefined {
  const named = flags['defaults-file'];
  const path = named ?? join(home, '.my.cnf');
  if (named === undefined && !existsSync(path)) return undefined;
  const label = named ?? '~/.my.cnf';
  return { values: readOptionFile(path), nameOf: (option) => `${option} in ${label}` };
}

function readPem(path: string, source: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the file ${path} named by ${source} (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path`);
  }
}

/** One setting as resolved: its value, the name of where it came from, and that source's rank (0 is the highest). */
interface Setting {
  value: string;
  source: string;
  rank: number;
}

/**
 * Whether the run connects through the socket, as the mysql and mariadb clients decide: a host
 * other than `localhost`, or a port, given above the socket (a host also beside it, in the same
 * source) means TCP to that host; `localhost` with no such port means the socket.
 */
function usesSocket(socket: Setting | undefined, host: Setting | undefined, port: Setting | undefined): boolean {
  if (socket === undefined) return false;
  if (host !== undefined && host.value !== 'localhost' && host.rank <= socket.rank) return false;
  return port === undefined || port.rank >= socket.rank;
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
  const fromFlags = layerOf({ ...flags, 'defaults-file': undefined }, (option) => `--${option}`);
  const fromEnv = layerOf(
    {
      host: env.DB_HOST?.trim(),
      port: env.DB_PORT?.trim(),
      user: env.DB_USER,
      password: env.DB_PASSWORD,
      database: env.DB_NAME?.trim(),
    },
    (option) => environmentNames[option] ?? option,
  );
  const file = optionFileLayer(flags, home);
  const layers = flags['defaults-file'] !== undefined ? [fromFlags, file!, fromEnv] : [fromFlags, fromEnv, ...(file ? [file] : [])];
  const pick = (name: string): Setting | undefined => {
    for (const [rank, layer] of layers.entries()) {
      const value = layer.values.get(name);
      if (value !== undefined) return { value, source: layer.nameOf(name), rank };
    }
    return undefined;
  };
  /** A setting, or its default named by the monitor's variable for it (where an operator would set it). */
  const setting = (name: string, fallback: string): Setting =>
    pick(name) ?? { value: fallback, source: environmentNames[name] ?? `--${name}`, rank: layers.length };

  const host = pick('host');
  const port = pick('port');
  const portSetting = port ?? setting('port', '3306');
  if (!/^\d+$/.test(portSetting.value) || Number(portSetting.value) < 1 || Number(portSetting.value) > 65535) {
    throw new UsageError(`invalid ${portSetting.source} "${portSetting.value}": use a TCP port number between 1 and 65535`);
  }
  const modeSetting = setting('ssl-mode', 'preferred');
  const mode = modeSetting.value.toLowerCase().replace(/_/g, '-');
  if (!(sslModes as readonly string[]).includes(mode)) {
    throw new UsageError(`invalid ${modeSetting.source} "${modeSetting.value}": use one of ${sslModes.join(', ')}`);
  }
  const ssl: SslConfig = { mode: mode as SslMode };
  for (const part of ['ca', 'cert', 'key'] as const) {
    const file = pick(`ssl-${part}`);
    if (file !== undefined) ssl[part] = readPem(file.value, file.source);
  }
  const socket = pick('socket');
  const hostSetting = host ?? setting('host', 'localhost');
  const viaSocket = usesSocket(socket, host, port);
  const user = setting('user', 'root');
  const password = setting('password', '');
  const database = setting('database', 'jetmon_db');
  return {
    host: hostSetting.value,
    port: Number(portSetting.value),
    socket: viaSocket ? socket!.value : undefined,
    user: user.value,
    password: password.value,
    database: database.value,
    ssl,
    ...limits,
    sources: {
      server: viaSocket ? socket!.source : `${hostSetting.source} and ${portSetting.source}`,
      credentials: `${user.source} and ${password.source}`,
      database: database.source,
    },
  };
}

/** Where a configuration connects: `host:port`, or `socket PATH`. */
export function serverAddress(config: Pick<DbConfig, 'host' | 'port' | 'socket'>): string {
  return config.socket ? `socket ${config.socket}` : `${config.host}:${config.port}`;
}

/** Connection settings from the DB_* environment variables alone (and ~/.my.cnf below them), with the default limits. */
export function dbConfigFromEnv(env: NodeJS.ProcessEnv, limits: ConnectionLimits = defaultLimits): DbConfig {
  return resolveDbConfig({}, env, limits);
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { parseArgs } from 'node:util';
import {
  adminConnectionOptions,
  createScratchDatabase,
  schemaFiles,
  schemaShapeFromEnv,
  schemaShapes,
  type SchemaShape,
} from '../fixtures/database.js';
import { sqlRoot } from '../paths.js';
import { bindNamedQuery, loadNamedQuery } from '../db/sql_loader.js';
import { isMainModule } from './main_module.js';

/** The benchmark database of each table shape on the local server; created once, then reused. */
export const BENCH_DATABASES: Readonly<Record<SchemaShape, string>> = {
  fresh: 'projection_drift_bench',
  production: 'projection_drift_bench_production',
};

/** Site rows in the benchmark database (the generator's id scheme allows at most 1,000,000). */
export const BENCH_SITE_COUNT = 1_000_000;

/** Buckets the sites are spread over. */
export const BENCH_BUCKET_TOTAL = 1000;

/** The generator statements of sql/bench/, run in this order. */
const GENERATOR_STEPS = ['generate_sites', 'generate_events'] as const;

/** What the benchmark database holds, and whether this call had to build it. */
export interface BenchDatabase {
  database: string;
  shape: SchemaShape;
  sites: number;
  events: number;
  /** True when an existing, complete database was reused. */
  reused: boolean;
  /** Time spent generating in this call (0 when reused). */
  generationMs: number;
}

/** Fingerprint of everything one shape's data depends on: its schema, the generator SQL and its parameters. */
export function generatorVersion(shape: SchemaShape): string {
  const hash = createHash('sha256');
  for (const file of schemaFiles(shape)) hash.update(readFileSync(file));
  for (const step of GENERATOR_STEPS) hash.update(readFileSync(join(sqlRoot, 'bench', `${step}.sql`)));
  hash.update(`sites=${BENCH_SITE_COUNT};buckets=${BENCH_BUCKET_TOTAL}`);
  return hash.digest('hex');
}

async function countRows(connection: Connection, table: string): Promise<number> {
  const [rows] = await connection.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${table}\``);
  return Number(rows[0]?.n);
}

/** The recorded sizes when the database exists, matches this generator version and still holds exactly those rows. */
async function existingDatabase(
  env: NodeJS.ProcessEnv,
  shape: SchemaShape,
): Promise<{ sites: number; events: number } | null> {
  const database = BENCH_DATABASES[shape];
  const connection = await mysql.createConnection(adminConnectionOptions(env));
  try {
    const [meta] = await connection.query<RowDataPacket[]>(
      'SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
      [database, 'bench_meta'],
    );
    if (meta.length === 0) return null;
    await connection.query(`USE \`${database}\``);
    const [rows] = await connection.query<RowDataPacket[]>(
      'SELECT generator_version, site_count, event_count FROM bench_meta WHERE id = 1',
    );
    const row = rows[0];
    if (!row || row.generator_version !== generatorVersion(shape)) return null;
    const sites = await countRows(connection, 'jetpack_monitor_sites');
    const events = await countRows(connection, 'jetmon_events');
    return sites === Number(row.site_count) && events === Number(row.event_count) ? { sites, events } : null;
  } finally {
    await connection.end();
  }
}

/** Runs one generator statement of sql/bench/ and reports its time on stderr. */
async function runStep(connection: Connection, step: string, values: Record<string, unknown>): Promise<void> {
  const started = performance.now();
  const statement = bindNamedQuery(loadNamedQuery('bench', step), values);
  await connection.query(statement.sql, statement.values);
  process.stderr.write(`bench: ${step} ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

/** Drops and rebuilds one shape's benchmark database from sql/schema/<shape> and sql/bench, recording its version last. */
async function generate(env: NodeJS.ProcessEnv, shape: SchemaShape): Promise<{ sites: number; events: number }> {
  const connection = await createScratchDatabase(BENCH_DATABASES[shape], env, shape);
  try {
    await connection.query("SET SESSION time_zone = '+00:00'");
    await runStep(connection, 'generate_sites', { site_count: BENCH_SITE_COUNT, bucket_total: BENCH_BUCKET_TOTAL });
    await runStep(connection, 'generate_events', {});
    await connection.query('ANALYZE TABLE jetpack_monitor_sites, jetmon_events');
    const sites = await countRows(connection, 'jetpack_monitor_sites');
    const events = await countRows(connection, 'jetmon_events');
    await connection.query(`CREATE TABLE bench_meta (
      id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
      generator_version CHAR(64) NOT NULL,
      site_count INT UNSIGNED NOT NULL,
      event_count INT UNSIGNED NOT NULL,
      generated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
    )`);
    await connection.query('INSERT INTO bench_meta (id, generator_version, site_count, event_count) VALUES (1, ?, ?, ?)', [
      generatorVersion(shape),
      sites,
      events,
    ]);
    return { sites, events };
  } finally {
    await connection.end();
  }
}

/**
 * Makes sure the benchmark database of `shape` exists and is complete: reuses it when it is,
 * (re)generates it otherwise or when `force`.
 */
export async function ensureBenchDatabase(
  env: NodeJS.ProcessEnv = process.env,
  force = false,
  shape: SchemaShape = schemaShapeFromEnv(env),
): Promise<BenchDatabase> {
  const database = BENCH_DATABASES[shape];
  const existing = force ? null : await existingDatabase(env, shape);
  if (existing) return { database, shape, ...existing, reused: true, generationMs: 0 };
  process.stderr.write(
    `bench: generating ${database} (${shape} shape, ${BENCH_SITE_COUNT} sites over ${BENCH_BUCKET_TOTAL} buckets)\n`,
  );
  const started = performance.now();
  const counts = await generate(env, shape);
  return { database, shape, ...counts, reused: false, generationMs: performance.now() - started };
}

/** The table shape named by `--shape`, else by SCHEMA_SHAPE, else `fresh`. */
export function benchShape(option: string | undefined, env: NodeJS.ProcessEnv = process.env): SchemaShape {
  if (option === undefined) return schemaShapeFromEnv(env);
  if (!(schemaShapes as readonly string[]).includes(option)) {
    throw new Error(`--shape must be one of ${schemaShapes.join(', ')}, not "${option}"`);
  }
  return option as SchemaShape;
}

if (isMainModule(import.meta.url)) {
  try {
    const { values } = parseArgs({
      options: { force: { type: 'boolean', default: false }, shape: { type: 'string' } },
    });
    const shape = benchShape(values.shape);
    const db = await ensureBenchDatabase(process.env, values.force, shape).catch((error: Error) => {
      throw new Error(`${error.message}; is the local database server running (make db-up)?`);
    });
    const how = db.reused ? 'reused' : `generated in ${(db.generationMs / 1000).toFixed(1)} s`;
    process.stdout.write(`${db.database} (${db.shape} shape): ${db.sites} sites, ${db.events} events (${how})\n`);
  } catch (error) {
    process.stderr.write(`generate_bench_db: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

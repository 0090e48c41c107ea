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
import {
  benchDatabaseName,
  DEFAULT_SITE_COUNT,
  DRIFTING_SITE_COUNT,
  eventIdBlock,
  parseSiteCount,
  siteBatches,
  type BenchKind,
} from './bench_size.js';

/** Buckets the sites are spread over, at every size (so 10M sites put 10,000 in each bucket). */
export const BENCH_BUCKET_TOTAL = 1000;

/** What to build: which kind of database, of which table shape and how many sites (ignored by `empty`). */
export interface BenchSpec {
  kind: BenchKind;
  shape: SchemaShape;
  sites: number;
}

/** What a benchmark database holds, and whether this call had to build it. */
export interface BenchDatabase {
  database: string;
  shape: SchemaShape;
  kind: BenchKind;
  sites: number;
  events: number;
  /** True when an existing, complete database was reused. */
  reused: boolean;
  /** Time spent generating in this call (0 when reused). */
  generationMs: number;
}

/** The files of sql/bench/ a kind's data depends on. */
function generatorSteps(kind: BenchKind): string[] {
  if (kind === 'empty') return [];
  return kind === 'drifting' ? ['generate_sites', 'generate_events', 'make_drifting', 'seed_count'] : ['generate_sites', 'generate_events'];
}

/** The site count a spec really generates: the drifting database is always 1M sites, the empty one none. */
function sitesOf(spec: BenchSpec): number {
  if (spec.kind === 'empty') return 0;
  return spec.kind === 'drifting' ? DEFAULT_SITE_COUNT : spec.sites;
}

/** Fingerprint of everything one database's data depends on: its schema, the generator SQL and its parameters. */
export function generatorVersion(spec: BenchSpec): string {
  const hash = createHash('sha256');
  for (const file of schemaFiles(spec.shape)) hash.update(readFileSync(file));
  for (const step of generatorSteps(spec.kind)) hash.update(readFileSync(join(sqlRoot, 'bench', `${step}.sql`)));
  hash.update(`kind=${spec.kind};sites=${sitesOf(spec)};buckets=${BENCH_BUCKET_TOTAL};drifting=${DRIFTING_SITE_COUNT}`);
  return hash.digest('hex');
}

/**
 * Fingerprints that generators before this one recorded for the same 1M rows (checked equal with
 * CHECKSUM TABLE), by the fingerprint this generator computes: main's at the time of the size
 * option first (what this generator records, so main's code reuses the database too), then the
 * one before the schema gained jetmon_event_transitions (accepted only when the database has every
 * table of its shape). This keeps helpers on either generator from dropping and rebuilding each
 * other's databases; a change of the schema or the generator SQL changes the key, and the entry
 * no longer applies.
 */
const EQUIVALENT_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  '82c6290cdca6203f5ae6c02da7bbe9ffd950023333795632f3619489d8f59e91': [
    'bd0f5bed354f09762381ce44f8d1b0a1bf49cb1ce16c247e6dddf6593ff6569a',
    '59bfbc4e03fac58acf4c3231ac09e49655c8bb5d460ea18cdf50b2ce19231e7b',
  ],
  '6871f42c1b235cd8d93cea089014dd615072cd0a38e13cfd9b551ce0042e843f': [
    '7f7a84a2d7b38d9257e1d24877e7bef756074ccb46bbe4e9a52bab8e4f75ac09',
    '1faa5c2b43b71628e2780a2cd269d7166ed0abf35425de275e0c6ab2af0b0a47',
  ],
};

/** The fingerprint a database of `spec` records: the earlier generator's one for the same rows, when there is one. */
export function recordedVersion(spec: BenchSpec): string {
  const version = generatorVersion(spec);
  return EQUIVALENT_VERSIONS[version]?.[0] ?? version;
}

/** Every fingerprint under which an existing database holds the rows of `spec`. */
function acceptedVersions(spec: BenchSpec): string[] {
  const version = generatorVersion(spec);
  return [version, ...(EQUIVALENT_VERSIONS[version] ?? [])];
}

/** The tables the schema files of a shape create (comments left out: they may mention other statements). */
export function schemaTables(shape: SchemaShape): string[] {
  return schemaFiles(shape).flatMap((file) => {
    const code = readFileSync(file, 'utf8').replace(/--[^\n]*/g, '');
    return [...code.matchAll(/CREATE TABLE\s+(?:IF NOT EXISTS\s+)?`?(\w+)`?/gi)].map((match) => match[1]!);
  });
}

async function countRows(connection: Connection, table: string): Promise<number> {
  const [rows] = await connection.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${table}\``);
  return Number(rows[0]?.n);
}

/** The recorded sizes when the database exists, matches this generator version and still holds exactly those rows. */
async function existingDatabase(env: NodeJS.ProcessEnv, spec: BenchSpec): Promise<{ sites: number; events: number } | null> {
  const database = benchDatabaseName(spec.kind, spec.shape, spec.sites);
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
    if (!row || !acceptedVersions(spec).includes(String(row.generator_version))) return null;
    const [tables] = await connection.query<RowDataPacket[]>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ?',
      [database],
    );
    const present = new Set(tables.map((table) => String(table.name)));
    if (!schemaTables(spec.shape).every((table) => present.has(table))) return null;
    const sites = await countRows(connection, 'jetpack_monitor_sites');
    const events = await countRows(connection, 'jetmon_events');
    return sites === Number(row.site_count) && events === Number(row.event_count) ? { sites, events } : null;
  } finally {
    await connection.end();
  }
}

/** Runs one generator statement of sql/bench/ and reports its time on stderr. */
async function runStep(connection: Connection, step: string, values: Record<string, unknown>, note = '') {
  const started = performance.now();
  const statement = bindNamedQuery(loadNamedQuery('bench', step), values);
  const [result] = await connection.query(statement.sql, statement.values);
  process.stderr.write(`bench: ${step}${note} ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return result;
}

/** Sites that drift over the whole range, by the seed's own count statement. */
async function driftingSites(connection: Connection): Promise<number> {
  const rows = (await runStep(connection, 'seed_count', { bucket_min: 0, bucket_max: BENCH_BUCKET_TOTAL - 1 })) as RowDataPacket[];
  return Number(rows[0]?.drift_rows);
}

/** Inserts the sites and their events, a million sites per statement, each batch its own transaction. */
async function generateRows(connection: Connection, sites: number): Promise<void> {
  const batches = siteBatches(sites);
  const note = (i: number) => (batches.length > 1 ? ` (${i + 1}/${batches.length})` : '');
  for (const [i, batch] of batches.entries()) {
    const range = { first_site: batch.first, last_site: batch.last };
    await runStep(connection, 'generate_sites', { ...range, bucket_total: BENCH_BUCKET_TOTAL }, note(i));
  }
  const idBlock = eventIdBlock(sites);
  for (const [i, batch] of batches.entries()) {
    await runStep(connection, 'generate_events', { first_site: batch.first, last_site: batch.last, id_block: idBlock }, note(i));
  }
}

/** Drops and rebuilds one benchmark database from sql/schema/<shape> and sql/bench, recording its version last. */
async function generate(env: NodeJS.ProcessEnv, spec: BenchSpec): Promise<{ sites: number; events: number }> {
  const database = benchDatabaseName(spec.kind, spec.shape, spec.sites);
  const connection = await createScratchDatabase(database, env, spec.shape);
  try {
    await connection.query("SET SESSION time_zone = '+00:00'");
    if (spec.kind !== 'empty') {
      await generateRows(connection, sitesOf(spec));
      if (spec.kind === 'drifting') {
        const extra = DRIFTING_SITE_COUNT - (await driftingSites(connection));
        await runStep(connection, 'make_drifting', { extra_drifting: extra });
        const drifting = await driftingSites(connection);
        if (drifting !== DRIFTING_SITE_COUNT) {
          throw new Error(`${database} has ${drifting} drifting sites instead of ${DRIFTING_SITE_COUNT}; the generator SQL is broken`);
        }
      }
      await connection.query('ANALYZE TABLE jetpack_monitor_sites, jetmon_events');
    }
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
      recordedVersion(spec),
      sites,
      events,
    ]);
    return { sites, events };
  } finally {
    await connection.end();
  }
}

/**
 * Makes sure the benchmark database of `spec` exists and is complete: reuses it when it is,
 * (re)generates it otherwise or when `force`.
 */
export async function ensureBenchDatabase(
  spec: BenchSpec,
  env: NodeJS.ProcessEnv = process.env,
  force = false,
): Promise<BenchDatabase> {
  const database = benchDatabaseName(spec.kind, spec.shape, spec.sites);
  const existing = force ? null : await existingDatabase(env, spec);
  const base = { database, shape: spec.shape, kind: spec.kind };
  if (existing) return { ...base, ...existing, reused: true, generationMs: 0 };
  const what = spec.kind === 'empty' ? 'the tables alone' : `${sitesOf(spec)} sites over ${BENCH_BUCKET_TOTAL} buckets`;
  const drift = spec.kind === 'drifting' ? `, ${DRIFTING_SITE_COUNT} of them drifting` : '';
  process.stderr.write(`bench: generating ${database} (${spec.shape} shape, ${what}${drift})\n`);
  const started = performance.now();
  const counts = await generate(env, spec);
  return { ...base, ...counts, reused: false, generationMs: performance.now() - started };
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
      options: {
        force: { type: 'boolean', default: false },
        shape: { type: 'string' },
        size: { type: 'string' },
        kind: { type: 'string', default: 'standard' },
      },
    });
    const kinds: readonly string[] = ['standard', 'drifting', 'empty'];
    if (!kinds.includes(values.kind)) throw new Error(`--kind must be one of ${kinds.join(', ')}, not "${values.kind}"`);
    const spec: BenchSpec = {
      kind: values.kind as BenchKind,
      shape: benchShape(values.shape),
      sites: values.size ? parseSiteCount(values.size, '--size') : DEFAULT_SITE_COUNT,
    };
    const db = await ensureBenchDatabase(spec, process.env, values.force).catch((error: Error) => {
      throw new Error(`${error.message}; is the local database server running (make db-up)?`);
    });
    const how = db.reused ? 'reused' : `generated in ${(db.generationMs / 1000).toFixed(1)} s`;
    process.stdout.write(`${db.database} (${db.shape} shape): ${db.sites} sites, ${db.events} events (${how})\n`);
  } catch (error) {
    process.stderr.write(`generate_bench_db: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

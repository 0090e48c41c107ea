import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import type { Connection } from 'mysql2/promise';
import { dbConfigFromEnv, type DbConfig } from '../config/db_config.js';
import { loadDriftQueries, queryDrift, type DriftQueries } from '../report/drift_queries.js';
import { adminConnectionOptions } from '../fixtures/database.js';
import { callbackConnection } from '../db/snapshot.js';
import { bindNamedQuery, loadNamedQuery, type NamedQuery } from '../db/sql_loader.js';
import { hasGnuTime, runCli } from './cli_probe.js';
import type { SchemaShape } from '../fixtures/database.js';
import { BENCH_BUCKET_TOTAL, benchShape, ensureBenchDatabase, type BenchDatabase } from './generate_bench_db.js';
import { isMainModule } from './main_module.js';
import { DEFAULT_SITE_COUNT } from './bench_size.js';
import { formatMs, formatRatio, formatTable, median } from './stats.js';

/** An inclusive bucket range to benchmark. */
export interface BenchRange {
  min: number;
  max: number;
}

/** The whole bucket range of the benchmark database. */
export const FULL_RANGE: BenchRange = { min: 0, max: BENCH_BUCKET_TOTAL - 1 };

/** A 100-bucket range, a tenth of the buckets. */
export const WIDE_RANGE: BenchRange = { min: 0, max: 99 };

/** A 10-bucket range, as one monitor host would own. */
export const NARROW_RANGE: BenchRange = { min: 500, max: 509 };

/** Rows listed by the seed's rows statement and by the CLI (`--limit 50`). */
const ROW_LIMIT = 50;

/**
 * Samples per round of the narrow range: its statements take tens of milliseconds, where the
 * machine's own jitter is of the same size, so each round samples them several times.
 */
const NARROW_REPEATS = 5;

/** Prefix of the per-statement sample names of this tool (statement:drift_report, ...). */
const STATEMENT = 'statement:';

/** Every sample of one range: times in ms by name, the CLI's peak RSS and the drift counts seen. */
export interface RangeSamples {
  range: BenchRange;
  /** The range's column title, e.g. `10 buckets`. */
  title: string;
  /** How many times each round runs every contestant on this range. */
  repeats: number;
  /** floor, server_scan, seed_count, seed_summary, seed_rows, seed (sum), statement:<name> per statement of ours, ours_db (sum), ours_cli. */
  ms: Record<string, number[]>;
  rssKb: number[];
  seedDrift: number[];
  oursDrift: number[];
}

/** The outcome of a benchmark run. */
export interface BenchResult {
  db: BenchDatabase;
  /** The server's version and InnoDB buffer pool, which decide how much of the data is read from memory. */
  server: { version: string; bufferPoolBytes: number };
  rounds: number;
  gnuTime: boolean;
  full: RangeSamples;
  /** The 100-bucket range. */
  wide: RangeSamples;
  narrow: RangeSamples;
}

/** The ranges of a result in report order: full, 100 buckets, 10 buckets. */
export function rangesOf(result: BenchResult): RangeSamples[] {
  return [result.full, result.wide, result.narrow];
}

/** What the contestants share: the statement connection, the parsed statements and the CLI's environment. */
interface BenchContext {
  connection: Connection;
  floor: NamedQuery;
  serverScan: NamedQuery;
  seed: { count: NamedQuery; summary: NamedQuery; rows: NamedQuery };
  ours: DriftQueries;
  oursConfig: DbConfig;
  cliEnv: NodeJS.ProcessEnv;
  gnuTime: boolean;
}

type Contestant = (context: BenchContext, samples: RangeSamples) => Promise<void>;

function record(samples: RangeSamples, name: string, ms: number): void {
  (samples.ms[name] ??= []).push(ms);
}

async function timed(context: BenchContext, query: NamedQuery, values: Record<string, unknown>) {
  const statement = bindNamedQuery(query, values);
  const started = performance.now();
  const [rows] = await context.connection.execute({ sql: statement.sql, values: statement.values as never[] });
  return { ms: performance.now() - started, rows: rows as Record<string, unknown>[] };
}

const rangeValues = ({ range }: RangeSamples) => ({ bucket_min: range.min, bucket_max: range.max });

/** The floor: one plain statement reading every active site row of the range, streamed to this client and counted. */
const floor: Contestant = async (context, samples) => {
  const statement = bindNamedQuery(context.floor, rangeValues(samples));
  const core = callbackConnection(context.connection);
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    // Counting 'data' events is the cheapest way mysql2 hands over a streamed row.
    let rows = 0;
    core.execute({ sql: statement.sql, values: statement.values as never[] }).stream()
      .on('data', () => void rows++)
      .on('error', reject)
      .on('end', () => resolve());
  });
  record(samples, 'floor', performance.now() - started);
  core.unprepare(statement.sql);
};

/** The stricter reference: the server reads the same rows but sends back one folded row. */
const serverScan: Contestant = async (context, samples) => {
  record(samples, 'server_scan', (await timed(context, context.serverScan, rangeValues(samples))).ms);
};

/** The seed's approach: its count, summary and rows statements, one after the other. */
const seed: Contestant = async (context, samples) => {
  const values = rangeValues(samples);
  const count = await timed(context, context.seed.count, values);
  const summary = await timed(context, context.seed.summary, values);
  const rows = await timed(context, context.seed.rows, { ...values, row_limit: ROW_LIMIT });
  record(samples, 'seed_count', count.ms);
  record(samples, 'seed_summary', summary.ms);
  record(samples, 'seed_rows', rows.ms);
  record(samples, 'seed', count.ms + summary.ms + rows.ms);
  samples.seedDrift.push(Number(count.rows[0]?.drift_rows));
};

/** This tool's statements in this process, as the CLI runs them: the database time of a report. */
const oursDb: Contestant = async (context, samples) => {
  const { range } = samples;
  const results = await queryDrift(context.oursConfig, context.ours, {
    bucketMin: range.min,
    bucketMax: range.max,
    bucketTotal: BENCH_BUCKET_TOTAL,
    rowLimit: ROW_LIMIT,
    summaryLimit: 20,
  });
  for (const timing of results.timings) record(samples, `${STATEMENT}${timing.name}`, timing.ms);
  record(samples, 'ours_db', results.timings.reduce((sum, timing) => sum + timing.ms, 0));
  samples.oursDrift.push(results.driftCount);
};

/** This tool's full report as a whole CLI process, with its peak RSS. */
const oursCli: Contestant = async (context, samples) => {
  const run = await runCli(`${samples.range.min}-${samples.range.max}`, context.cliEnv, context.gnuTime);
  record(samples, 'ours_cli', run.ms);
  if (run.peakRssKb !== null) samples.rssKb.push(run.peakRssKb);
  samples.oursDrift.push(run.driftCount);
};

const CONTESTANTS: readonly Contestant[] = [floor, serverScan, seed, oursDb, oursCli];

/**
 * Runs `rounds` rounds on the benchmark database of `shape`; each round runs every contestant on
 * every range (the narrow one NARROW_REPEATS times), starting one contestant later than the last round.
 */
export async function runBench(
  rounds = 5,
  env: NodeJS.ProcessEnv = process.env,
  force = false,
  shape: SchemaShape = benchShape(undefined, env),
): Promise<BenchResult> {
  const db = await ensureBenchDatabase({ kind: 'standard', shape, sites: DEFAULT_SITE_COUNT }, env, force);
  const gnuTime = hasGnuTime();
  const host = env.DB_HOST || '127.0.0.1';
  const connection = await mysql.createConnection({ ...adminConnectionOptions(env), database: db.database });
  const context: BenchContext = {
    connection,
    floor: loadNamedQuery('bench', 'floor_sites'),
    serverScan: loadNamedQuery('bench', 'server_scan_sites'),
    seed: {
      count: loadNamedQuery('bench', 'seed_count'),
      summary: loadNamedQuery('bench', 'seed_summary'),
      rows: loadNamedQuery('bench', 'seed_rows'),
    },
    ours: loadDriftQueries(),
    oursConfig: dbConfigFromEnv({ ...env, DB_HOST: host, DB_NAME: db.database }),
    cliEnv: { ...env, DB_HOST: host, DB_NAME: db.database },
    gnuTime,
  };
  const empty = (range: BenchRange, title: string, repeats: number): RangeSamples => ({
    range,
    title,
    repeats,
    ms: {},
    rssKb: [],
    seedDrift: [],
    oursDrift: [],
  });
  const [facts] = await connection.query('SELECT VERSION() AS version, @@innodb_buffer_pool_size AS pool');
  const fact = (facts as { version: string; pool: string }[])[0]!;
  const server = { version: fact.version, bufferPoolBytes: Number(fact.pool) };
  const result: BenchResult = {
    db,
    server,
    rounds,
    gnuTime,
    full: empty(FULL_RANGE, 'full', 1),
    wide: empty(WIDE_RANGE, '100 buckets', 1),
    narrow: empty(NARROW_RANGE, '10 buckets', NARROW_REPEATS),
  };
  try {
    for (let round = 0; round < rounds; round++) {
      const order = CONTESTANTS.map((_, i) => CONTESTANTS[(i + round) % CONTESTANTS.length]!);
      for (const samples of rangesOf(result)) {
        for (let repeat = 0; repeat < samples.repeats; repeat++) {
          for (const contestant of order) await contestant(context, samples);
        }
      }
      process.stderr.write(`bench: round ${round + 1}/${rounds} done\n`);
    }
  } finally {
    await connection.end();
  }
  return result;
}

const med = (samples: RangeSamples, name: string) => median(samples.ms[name] ?? []);
const statementNames = (samples: RangeSamples) => Object.keys(samples.ms).filter((name) => name.startsWith(STATEMENT));
const mb = (kb: number) => (kb * 1024) / 1e6;
const label = (range: BenchRange) => `${range.min}-${range.max}`;
const verdict = (ok: boolean, text: string) => `${ok ? 'PASS' : 'FAIL'} ${text}`;

/**
 * The benchmark's printed report: the medians table (one column per range), the ratios, each
 * range's database time as a share of the full range's, the peak RSS and one PASS/FAIL line per target.
 */
export function formatBenchReport(result: BenchResult): string {
  const { full } = result;
  const ranges = rangesOf(result);
  const each = (cell: (samples: RangeSamples) => string) => ranges.map(cell);
  const timeRow = (title: string, name: string) => [title, ...each((s) => formatMs(med(s, name)))];
  const ratioRow = (title: string, top: string, bottom: string) => [
    title,
    ...each((s) => formatRatio(med(s, top) / med(s, bottom))),
  ];
  const shareCell = (s: RangeSamples) => {
    const share = med(s, 'ours_db') / med(full, 'ours_db');
    return Number.isFinite(share) ? `${(share * 100).toFixed(1)}%` : '-';
  };
  const rssCell = (s: RangeSamples) => (s.rssKb.length ? `${mb(Math.max(...s.rssKb)).toFixed(1)} MB` : 'not measured');
  const counts = (list: number[]) => [...new Set(list)].join('/');
  const driftCell = (s: RangeSamples) => `${counts(s.seedDrift)} / ${counts(s.oursDrift)}`;
  const table = formatTable([
    [`medians of ${result.rounds} rounds (10 buckets: x${NARROW_REPEATS})`, ...each((s) => `${s.title} ${label(s.range)}`)],
    timeRow('floor (rows read by the client)', 'floor'),
    timeRow('server scan (rows folded)', 'server_scan'),
    timeRow('seed (3 statements)', 'seed'),
    ...['seed_count', 'seed_summary', 'seed_rows'].map((name) => timeRow(`  ${name}`, name)),
    timeRow('ours, database time', 'ours_db'),
    ...statementNames(full).map((name) => timeRow(`  ${name.slice(STATEMENT.length)}`, name)),
    timeRow('ours, CLI process', 'ours_cli'),
    ratioRow('ours CLI / seed', 'ours_cli', 'seed'),
    ratioRow('ours CLI / floor', 'ours_cli', 'floor'),
    ratioRow('ours db / seed', 'ours_db', 'seed'),
    ratioRow('ours db / floor', 'ours_db', 'floor'),
    ratioRow('ours CLI / server scan', 'ours_cli', 'server_scan'),
    ['ours db, share of full range', ...each(shareCell)],
    ['CLI peak RSS (max)', ...each(rssCell)],
    ['drift rows (seed / ours)', ...each(driftCell)],
  ]);

  const db = result.db;
  const made = db.reused ? 'reused' : `generated in ${(db.generationMs / 1000).toFixed(1)} s`;
  return [
    `projection-drift benchmark: ${db.database} (${db.shape} shape), ${db.sites} sites, ${db.events} events (${made})`,
    `server ${result.server.version}, innodb_buffer_pool_size ${Math.round(result.server.bufferPoolBytes / 1048576)} MiB`,
    table,
    '',
    ...targetLines(result),
  ].join('\n');
}

/** One PASS/FAIL line per target of the issue (and a warning when seed and ours disagree on the drift count). */
export function targetLines(result: BenchResult): string[] {
  const { full, narrow } = result;
  const ranges = rangesOf(result);
  const cliVsSeed = med(full, 'ours_cli') / med(full, 'seed');
  const cliVsFloor = med(full, 'ours_cli') / med(full, 'floor');
  const rssKb = Math.max(...ranges.flatMap((s) => s.rssKb));
  const dbShare = med(narrow, 'ours_db') / med(full, 'ours_db');
  const agree = ranges.every((s) => new Set([...s.seedDrift, ...s.oursDrift]).size === 1);
  return [
    verdict(
      cliVsSeed <= 0.1,
      `full-range report at least 10x faster than the seed: ours CLI / seed = ${formatRatio(cliVsSeed)} (target <= 0.100x)`,
    ),
    verdict(
      cliVsFloor <= 4,
      `full-range report within 4x of the floor: ours CLI / floor = ${formatRatio(cliVsFloor)} (target <= 4x)`,
    ),
    ranges.some((s) => s.rssKb.length > 0)
      ? verdict(mb(rssKb) < 150, `CLI peak RSS under 150 MB: ${mb(rssKb).toFixed(1)} MB`)
      : 'FAIL CLI peak RSS not measured: GNU time is missing at /usr/bin/time (apt-get install time)',
    verdict(
      dbShare <= 0.05,
      `10-bucket database time at most 5% of the full range: ` +
        `${formatMs(med(narrow, 'ours_db'))} / ${formatMs(med(full, 'ours_db'))} = ${(dbShare * 100).toFixed(1)}%`,
    ),
    ...(agree ? [] : ['WARN seed and ours report different drift counts; the comparison is not like for like']),
  ];
}

if (isMainModule(import.meta.url)) {
  try {
    const { values } = parseArgs({
      options: {
        rounds: { type: 'string', default: '5' },
        force: { type: 'boolean', default: false },
        shape: { type: 'string' },
      },
    });
    const shape = benchShape(values.shape);
    const rounds = Number(values.rounds);
    if (!Number.isInteger(rounds) || rounds < 1) {
      throw new Error(`--rounds must be a positive integer, got "${values.rounds}"`);
    }
    if (!hasGnuTime()) {
      process.stderr.write('bench: GNU time not found at /usr/bin/time; peak RSS will not be measured (apt-get install time)\n');
    }
    process.stdout.write(`${formatBenchReport(await runBench(rounds, process.env, values.force, shape))}\n`);
  } catch (error) {
    process.stderr.write(`run_bench: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

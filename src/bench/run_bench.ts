import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import type { Connection } from 'mysql2/promise';
import { QUERY_VERSION } from '../report/drift_queries.js';
import { adminConnectionOptions, type SchemaShape } from '../fixtures/database.js';
import { callbackConnection } from '../db/snapshot.js';
import { bindNamedQuery, loadNamedQuery, type NamedQuery } from '../db/sql_loader.js';
import { failureOf, hasGnuTime, reported, runCli, runNode, type CliRun } from './cli_probe.js';
import { benchShape, ensureBenchDatabase, type BenchDatabase, type BenchSpec } from './generate_bench_db.js';
import { DEFAULT_SITE_COUNT, DRIFTING_SITE_COUNT, sizeLabel } from './bench_size.js';
import { parsePlan, RANGE_PRESETS, type BenchPlan, type BenchRange } from './bench_plan.js';
import { isMainModule } from './main_module.js';
import { formatMb, formatMs, formatRatio, formatShare, formatTable, median, sumByName } from './stats.js';
import { formatTarget, type Target } from './targets.js';

/** Rows listed by the seed's rows statement and by the CLI (`--limit 50`). */
const ROW_LIMIT = 50;

/**
 * Samples per round of ranges of at most 10 buckets and of the fixed cost: their runs take tens
 * of milliseconds, where the machine's own jitter is of the same size, so each round samples them
 * several times.
 */
const SHORT_REPEATS = 5;

/** Rounds of the drifting database's parts (`--limit 0`, `--baseline`): each call takes seconds to tens of seconds. */
const HEAVY_ROUNDS = 3;

/** Prefix of the per-statement sample names of this tool (statement:drift_report, ...). */
const STATEMENT = 'statement:';

/** Every sample of one column: times in ms by name, peak RSS, exit statuses, drift counts and failures. */
export interface Samples {
  /** Column title, e.g. `10 buckets 500-509`. */
  title: string;
  range: BenchRange;
  db: BenchDatabase;
  /** How many times each round runs every contestant of this column. */
  repeats: number;
  /**
   * floor, server_scan, seed_count, seed_summary, seed_rows, seed (sum); per CLI run `<x>_cli`
   * (ours_cli, limit0_cli, ...), its database time `<x>_db` and statement:<x>_<name> (the report's
   * own timings, summed by statement name).
   */
  ms: Record<string, number[]>;
  /** Peak RSS in KiB by CLI run name (ours_cli, ...). */
  rssKb: Record<string, number[]>;
  seedDrift: number[];
  oursDrift: number[];
  /** One line per run that did not give a report (CLI exit status other than 0 or 1, a statement error). */
  failures: string[];
}

/** The outcome of a benchmark run. */
export interface BenchResult {
  plan: BenchPlan;
  db: BenchDatabase;
  /** The server's version and InnoDB buffer pool, which decide how much of the data is read from memory. */
  server: { version: string; bufferPoolBytes: number };
  queryVersion: string;
  gnuTime: boolean;
  /** Wall time of the rounds (the databases' generation and the baseline's saving not included). */
  elapsedMs: number;
  /** One column per range of the plan, then the 1M full range when `--measure-1m`. */
  columns: Samples[];
  /** The 1M full range measured in this run (`--measure-1m`), else null. */
  reference1m: Samples | null;
  /** One bucket on the empty database (`ours_cli`) against `node -e 0` (`node_bare`). */
  fixed: Samples | null;
  /**
   * The full range of the drifting database as whole CLI processes: the complete baseline the README
   * tells operators to save, `--limit 0 --no-evidence` (`limit0_*`); every row with its evidence,
   * `--limit 0` (`limit0ev_*`); and `--limit 50` (`limit50_*`).
   */
  drifting: Samples | null;
  /** `--baseline` of the drifting database's full `--limit 0` JSON report: `baseline_*`. */
  baseline: (Samples & { fileBytes: number }) | null;
}

/** What the contestants share: one statement connection per database and the parsed statements. */
interface BenchContext {
  env: NodeJS.ProcessEnv;
  host: string;
  connections: Map<string, Connection>;
  floor: NamedQuery;
  serverScan: NamedQuery;
  seed: { count: NamedQuery; summary: NamedQuery; rows: NamedQuery };
  gnuTime: boolean;
}

type Contestant = (context: BenchContext, samples: Samples) => Promise<void>;

function record(samples: Samples, name: string, ms: number): void {
  (samples.ms[name] ??= []).push(ms);
}

const cliEnv = (context: BenchContext, db: BenchDatabase) => ({ ...context.env, DB_HOST: context.host, DB_NAME: db.database });

async function connectionTo(context: BenchContext, db: BenchDatabase): Promise<Connection> {
  let connection = context.connections.get(db.database);
  if (!connection) {
    connection = await mysql.createConnection({ ...adminConnectionOptions(context.env), database: db.database });
    context.connections.set(db.database, connection);
  }
  return connection;
}

async function timed(context: BenchContext, samples: Samples, query: NamedQuery, values: Record<string, unknown>) {
  const connection = await connectionTo(context, samples.db);
  const statement = bindNamedQuery(query, values);
  const started = performance.now();
  const [rows] = await connection.execute({ sql: statement.sql, values: statement.values as never[] });
  return { ms: performance.now() - started, rows: rows as Record<string, unknown>[] };
}

const rangeValues = ({ range }: Samples) => ({ bucket_min: range.min, bucket_max: range.max });
const rangeArg = (range: BenchRange) => `${range.min}-${range.max}`;

/** The bare read: one plain statement reading every active site row of the range, streamed to this client and counted. */
const floor: Contestant = async (context, samples) => {
  const statement = bindNamedQuery(context.floor, rangeValues(samples));
  const core = callbackConnection(await connectionTo(context, samples.db));
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
  record(samples, 'server_scan', (await timed(context, samples, context.serverScan, rangeValues(samples))).ms);
};

/** The seed's approach: its count, summary and rows statements, one after the other. */
const seed: Contestant = async (context, samples) => {
  const values = rangeValues(samples);
  const count = await timed(context, samples, context.seed.count, values);
  const summary = await timed(context, samples, context.seed.summary, values);
  const rows = await timed(context, samples, context.seed.rows, { ...values, row_limit: ROW_LIMIT });
  record(samples, 'seed_count', count.ms);
  record(samples, 'seed_summary', summary.ms);
  record(samples, 'seed_rows', rows.ms);
  record(samples, 'seed', count.ms + summary.ms + rows.ms);
  samples.seedDrift.push(Number(count.rows[0]?.drift_rows));
};

/**
 * Records one CLI run as `<name>_cli`: its time and peak RSS, and the database time its JSON
 * report gives (`timings`, the tool's own clock) as `<name>_db` and, summed per statement name (a
 * chunked read runs one statement per chunk; the evidence statements have names of their own), as
 * statement:<name>_<statement>. A run that gave no report is listed as a failure.
 */
function recordCli(samples: Samples, name: string, run: CliRun): void {
  record(samples, `${name}_cli`, run.ms);
  if (run.peakRssKb !== null) (samples.rssKb[`${name}_cli`] ??= []).push(run.peakRssKb);
  if (!reported(run)) {
    samples.failures.push(`${name}: ${failureOf(run)}`);
    return;
  }
  if (run.timings) {
    for (const [statement, ms] of sumByName(run.timings)) record(samples, `${STATEMENT}${name}_${statement}`, ms);
    record(samples, `${name}_db`, run.timings.reduce((sum, timing) => sum + timing.ms, 0));
  }
  if (name === 'ours' && run.driftCount !== null) samples.oursDrift.push(run.driftCount);
}

/** The CLI's arguments for a JSON report of a range, which ends with the report's own statement timings. */
const reportArgs = (range: BenchRange, limit: number) => ['--range', rangeArg(range), '--format', 'json', '--limit', String(limit)];

/** This tool's report as a whole CLI process (`--format json --limit 50`), with its peak RSS and database time. */
const oursCli: Contestant = async (context, samples) => {
  recordCli(samples, 'ours', await runCli(reportArgs(samples.range, ROW_LIMIT), cliEnv(context, samples.db), context.gnuTime));
};

/** Runs each contestant `samples.repeats` times, starting `round` contestants later than the first round did. */
async function runRound(context: BenchContext, samples: Samples, contestants: readonly Contestant[], round: number) {
  const order = contestants.map((_, i) => contestants[(i + round) % contestants.length]!);
  for (let repeat = 0; repeat < samples.repeats; repeat++) {
    for (const contestant of order) await contestant(context, samples);
  }
}

function emptySamples(title: string, range: BenchRange, db: BenchDatabase, repeats: number): Samples {
  return { title, range, db, repeats, ms: {}, rssKb: {}, seedDrift: [], oursDrift: [], failures: [] };
}

/** The database of one kind for the plan's shape, made when missing. */
const database = (kind: BenchSpec['kind'], shape: SchemaShape, sites: number, env: NodeJS.ProcessEnv, force: boolean) =>
  ensureBenchDatabase({ kind, shape, sites }, env, force);

/**
 * Runs `plan.rounds` rounds on the benchmark databases of `shape`: each round runs every
 * contestant on every range (ranges of up to 10 buckets SHORT_REPEATS times), rotating their
 * order, then the fixed cost, and for the first HEAVY_ROUNDS rounds the drifting database's parts.
 */
export async function runBench(plan: BenchPlan, shape: SchemaShape, env: NodeJS.ProcessEnv = process.env, force = false): Promise<BenchResult> {
  const db = await database('standard', shape, plan.sites, env, force);
  const context: BenchContext = {
    env,
    host: env.DB_HOST || '127.0.0.1',
    connections: new Map(),
    floor: loadNamedQuery('bench', 'floor_sites'),
    serverScan: loadNamedQuery('bench', 'server_scan_sites'),
    seed: {
      count: loadNamedQuery('bench', 'seed_count'),
      summary: loadNamedQuery('bench', 'seed_summary'),
      rows: loadNamedQuery('bench', 'seed_rows'),
    },
    gnuTime: hasGnuTime(),
  };
  const contestants = [
    ...(plan.skip.has('floor') ? [] : [floor, serverScan]),
    ...(plan.skip.has('seed') ? [] : [seed]),
    oursCli,
  ];
  const repeatsOf = (range: BenchRange) => (range.max - range.min < 10 ? SHORT_REPEATS : 1);
  const columns = plan.ranges.map((range) => emptySamples(`${range.title} ${rangeArg(range)}`, range, db, repeatsOf(range)));
  const full = RANGE_PRESETS['1000'];
  const reference1m = plan.measure1m
    ? emptySamples(`${full.title} at 1M`, full, await database('standard', shape, DEFAULT_SITE_COUNT, env, force), 1)
    : null;
  const emptyDb = plan.skip.has('fixed') ? null : await database('empty', shape, 0, env, force);
  const fixed = emptyDb ? emptySamples('1 bucket, empty database', { min: 0, max: 0, title: '1 bucket' }, emptyDb, SHORT_REPEATS) : null;
  const driftingDb =
    plan.skip.has('drifting') && plan.skip.has('baseline') ? null : await database('drifting', shape, DEFAULT_SITE_COUNT, env, force);
  const drifting = driftingDb && !plan.skip.has('drifting') ? emptySamples('drifting, full range', full, driftingDb, 1) : null;
  const baseline = driftingDb && !plan.skip.has('baseline')
    ? { ...emptySamples('--baseline, full range', full, driftingDb, 1), fileBytes: Number.NaN }
    : null;

  const connection = await connectionTo(context, db);
  const [facts] = await connection.query('SELECT VERSION() AS version, @@innodb_buffer_pool_size AS pool');
  const fact = (facts as { version: string; pool: string }[])[0]!;
  const result: BenchResult = {
    plan,
    db,
    server: { version: fact.version, bufferPoolBytes: Number(fact.pool) },
    queryVersion: QUERY_VERSION,
    gnuTime: context.gnuTime,
    columns,
    reference1m,
    fixed,
    drifting,
    baseline,
    elapsedMs: Number.NaN,
  };
  const tmp = mkdtempSync(join(tmpdir(), 'pd-bench-baseline-'));
  const baselineFile = join(tmp, 'baseline.json');
  const env0 = driftingDb && cliEnv(context, driftingDb);
  /** The complete baseline the README tells operators to save: the full range, `--format json --limit 0 --no-evidence`, to a file. */
  const saveBaseline = async (samples: Samples, timed: boolean) => {
    const run = await runCli([...reportArgs(full, 0), '--no-evidence', '--out', baselineFile], env0!, timed && context.gnuTime);
    if (timed) recordCli(samples, 'limit0', run);
    if (reported(run)) {
      if (baseline) baseline.fileBytes = statSync(baselineFile).size;
    } else if (!timed) {
      samples.failures.push(`saving the baseline: ${failureOf(run)}`);
    }
  };
  try {
    // Without the drifting part, whose --limit 0 runs save it each round, the baseline is saved once, untimed.
    if (baseline && !drifting) await saveBaseline(baseline, false);
    const started = performance.now();
    for (let round = 0; round < plan.rounds; round++) {
      if (reference1m) {
        // The 1M tables share the buffer pool with the larger ones, whose ranges push their pages out:
        // an untimed run first reads them back, so the reference is the 1M full range as it runs warm.
        await runCli(reportArgs(reference1m.range, ROW_LIMIT), cliEnv(context, reference1m.db), false);
        await runRound(context, reference1m, [oursCli], round);
      }
      for (const samples of columns) await runRound(context, samples, contestants, round);
      if (fixed) {
        const bare: Contestant = async (_, samples) => record(samples, 'node_bare', (await runNode(['-e', '0'], context.env, false)).ms);
        await runRound(context, fixed, [bare, oursCli], round);
      }
      if (round < HEAVY_ROUNDS && drifting) {
        const limit0: Contestant = (_, samples) => saveBaseline(samples, true);
        const limit50: Contestant = async (_, samples) => recordCli(samples, 'limit50', await runCli(reportArgs(full, ROW_LIMIT), env0!, context.gnuTime));
        const withEvidence: Contestant = async (_, samples) =>
          recordCli(samples, 'limit0ev', await runCli([...reportArgs(full, 0), '--out', join(tmp, 'every-row.json')], env0!, context.gnuTime));
        await runRound(context, drifting, [limit50, limit0, withEvidence], round);
      }
      if (round < HEAVY_ROUNDS && baseline && Number.isFinite(baseline.fileBytes)) {
        const args = [...reportArgs(full, ROW_LIMIT), '--baseline', baselineFile];
        recordCli(baseline, 'baseline', await runCli(args, env0!, context.gnuTime));
      }
      process.stderr.write(`bench: round ${round + 1}/${plan.rounds} done\n`);
    }
    result.elapsedMs = performance.now() - started;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    for (const open of context.connections.values()) await open.end();
  }
  return result;
}

const med = (samples: Samples | null | undefined, name: string) => (samples ? median(samples.ms[name] ?? []) : Number.NaN);
/** The highest peak RSS of the given samples, of one CLI run name or of all. */
const maxRss = (list: readonly (Samples | null)[], name?: string) => {
  const all = list.flatMap((samples) => (samples ? (name ? (samples.rssKb[name] ?? []) : Object.values(samples.rssKb).flat()) : []));
  return all.length > 0 ? Math.max(...all) : Number.NaN;
};
const statementNames = (list: readonly Samples[], prefix: string) => [
  ...new Set(list.flatMap((samples) => Object.keys(samples.ms)).filter((name) => name.startsWith(`${STATEMENT}${prefix}`))),
];
const columnOf = (result: BenchResult, preset: BenchRange) =>
  result.columns.find((samples) => samples.range.min === preset.min && samples.range.max === preset.max);

/** The medians the issue's targets are judged on, taken from a run's samples. */
export function targetsOf(result: BenchResult): Target[] {
  const narrow = columnOf(result, RANGE_PRESETS['10']);
  const wide = columnOf(result, RANGE_PRESETS['100']);
  const full = columnOf(result, RANGE_PRESETS['1000']);
  const atSize = result.plan.sites === DEFAULT_SITE_COUNT ? '' : ` (${sizeLabel(result.plan.sites).toUpperCase()} sites)`;
  const fullCli = med(full, 'ours_cli');
  const reference = result.reference1m ? med(result.reference1m, 'ours_cli') : (result.plan.base1mMs ?? Number.NaN);
  const referenceSource = result.reference1m ? 'measured in this run' : result.plan.base1mMs !== null ? 'given with --base-1m' : '';
  const failures = [...result.columns, result.reference1m].flatMap((samples) => samples?.failures ?? []);
  const targets: Target[] = [
    { title: `10 buckets${atSize}: ours CLI / seed`, value: med(narrow, 'ours_cli') / med(narrow, 'seed'), direction: 'max', limit: 0.67, goal: 0.33, unit: 'ratio' },
    { title: `100 buckets${atSize}: seed / ours CLI (times faster)`, value: med(wide, 'seed') / med(wide, 'ours_cli'), direction: 'min', limit: 6, goal: 10, unit: 'ratio' },
    { title: `1000 buckets${atSize}: seed / ours CLI (times faster)`, value: med(full, 'seed') / fullCli, direction: 'min', limit: 15, goal: 25, unit: 'ratio' },
    { title: `1000 buckets${atSize}: ours CLI / bare read`, value: fullCli / med(full, 'floor'), direction: 'max', limit: 2.5, unit: 'ratio' },
    { title: 'fixed cost: one bucket on an empty database / node -e 0', value: med(result.fixed, 'ours_cli') / med(result.fixed, 'node_bare'), direction: 'max', limit: 1.6, unit: 'ratio' },
    { title: `database time, 100 buckets${atSize} / full range`, value: med(wide, 'ours_db') / med(full, 'ours_db'), direction: 'max', limit: 0.2, unit: 'share' },
    { title: `database time, 10 buckets${atSize} / full range`, value: med(narrow, 'ours_db') / med(full, 'ours_db'), direction: 'max', limit: 0.03, unit: 'share' },
    { title: `--limit 0 --no-evidence (the README's baseline) / --limit 50 database time, ${DRIFTING_SITE_COUNT} drifting sites`, value: med(result.drifting, 'limit0_db') / med(result.drifting, 'limit50_db'), direction: 'max', limit: 2, unit: 'ratio' },
    { title: `--baseline of ${DRIFTING_SITE_COUNT} drifting sites: peak RSS`, value: maxRss([result.baseline]), direction: 'under', limit: 200e6 / 1024, unit: 'mb' },
    { title: `normal report (--limit 50)${atSize}: peak RSS`, value: maxRss(result.columns), direction: 'max', limit: 100e6 / 1024, unit: 'mb' },
  ];
  if (result.plan.sites !== DEFAULT_SITE_COUNT) {
    targets.push(
      { title: `reports${atSize} that did not finish (statement limit or error)`, value: failures.length, direction: 'max', limit: 0, unit: 'count' },
      {
        title: `full range${atSize} / full range at 1M, ours CLI`,
        value: fullCli / reference,
        direction: 'max',
        limit: 10,
        unit: 'ratio',
        note: referenceSource ? `(1M: ${formatMs(reference)}, ${referenceSource})` : '(needs --measure-1m or --base-1m)',
      },
    );
  }
  return targets;
}

/** Lines that are not targets: the 100-bucket call at a larger size against the 1M full range, disagreeing drift counts, failures. */
function infoLines(result: BenchResult): string[] {
  const lines: string[] = [];
  const wide = columnOf(result, RANGE_PRESETS['100']);
  const reference = result.reference1m ? med(result.reference1m, 'ours_cli') : (result.plan.base1mMs ?? Number.NaN);
  if (result.plan.sites !== DEFAULT_SITE_COUNT && wide) {
    const size = sizeLabel(result.plan.sites).toUpperCase();
    lines.push(
      `INFO 100 buckets at ${size} / full range at 1M, ours CLI = ${formatRatio(med(wide, 'ours_cli') / reference)} ` +
        '(the issue: the everyday call there reads as many sites as a 1M full range and should cost what that costs)',
    );
  }
  const agree = result.columns.every((s) => new Set([...s.seedDrift, ...s.oursDrift]).size <= 1);
  if (!agree) lines.push('WARN seed and ours report different drift counts; the comparison is not like for like');
  const all = [...result.columns, result.reference1m, result.fixed, result.drifting, result.baseline];
  for (const samples of all) for (const failure of new Set(samples?.failures ?? [])) lines.push(`FAILED ${samples!.title}: ${failure}`);
  return lines;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The main table: one column per range (and the 1M reference), one row per measurement, ratio and share. */
export function mainTable(result: BenchResult): string {
  const columns = [...result.columns, ...(result.reference1m ? [result.reference1m] : [])];
  const full = columnOf(result, RANGE_PRESETS['1000']);
  const each = (cell: (samples: Samples) => string) => columns.map(cell);
  const has = (name: string) => columns.some((samples) => (samples.ms[name]?.length ?? 0) > 0);
  const timeRow = (title: string, name: string) => [title, ...each((s) => formatMs(med(s, name)))];
  const ratioRow = (title: string, top: string, bottom: string) => [title, ...each((s) => formatRatio(med(s, top) / med(s, bottom)))];
  const counts = (list: number[]) => [...new Set(list)].join('/') || '-';
  const rows: string[][] = [[`median of ${plural(result.plan.rounds, 'round')}`, ...each((s) => s.title)]];
  if (has('seed')) rows.push(timeRow('seed (3 statements)', 'seed'), ...['seed_count', 'seed_summary', 'seed_rows'].map((n) => timeRow(`  ${n}`, n)));
  if (has('floor')) rows.push(timeRow('bare read (rows to the client)', 'floor'), timeRow('server scan (rows folded)', 'server_scan'));
  rows.push(
    timeRow('ours, CLI process', 'ours_cli'),
    timeRow('ours, database time', 'ours_db'),
    ...statementNames(columns, 'ours_').map((name) => timeRow(`  ${name.slice(`${STATEMENT}ours_`.length)}`, name)),
  );
  if (has('seed')) rows.push(ratioRow('ours CLI / seed', 'ours_cli', 'seed'), ratioRow('seed / ours CLI (times faster)', 'seed', 'ours_cli'));
  if (has('floor')) rows.push(ratioRow('ours CLI / bare read', 'ours_cli', 'floor'));
  if (has('seed')) rows.push(ratioRow('ours db / seed', 'ours_db', 'seed'));
  if (has('floor')) rows.push(ratioRow('ours db / bare read', 'ours_db', 'floor'));
  rows.push(
    ['ours db, share of full range', ...each((s) => (s.db === full?.db ? formatShare(med(s, 'ours_db') / med(full, 'ours_db')) : '-'))],
    ['CLI peak RSS (max)', ...each((s) => formatMb(maxRss([s])))],
    ['drift rows (seed / ours)', ...each((s) => `${counts(s.seedDrift)} / ${counts(s.oursDrift)}`)],
  );
  return formatTable(rows, 32, 22);
}

/** The sections after the main table: fixed cost, the drifting database's `--limit 0` and `--baseline`. */
function sideTables(result: BenchResult): string[] {
  const out: string[] = [];
  const { fixed, drifting, baseline } = result;
  if (fixed) {
    out.push(
      '',
      `fixed cost: one bucket (--range 0-0) on ${fixed.db.database}, the tables without rows; medians of ${plural(result.plan.rounds * SHORT_REPEATS, 'run')}`,
      formatTable([
        ['  node -e 0', formatMs(med(fixed, 'node_bare'))],
        ['  ours, CLI process', formatMs(med(fixed, 'ours_cli'))],
        ['  ratio', formatRatio(med(fixed, 'ours_cli') / med(fixed, 'node_bare'))],
        ['  CLI peak RSS (max)', formatMb(maxRss([fixed]))],
      ], 32, 22),
    );
  }
  const heavy = Math.min(HEAVY_ROUNDS, result.plan.rounds);
  if (drifting) {
    const names = [...new Set(['limit50_', 'limit0_', 'limit0ev_'].flatMap((prefix) =>
      statementNames([drifting], prefix).map((name) => name.slice(`${STATEMENT}${prefix}`.length))))];
    const all = (title: string, key: (limit: string) => string, cell: (value: number) => string = formatMs) => {
      const [bottom, baselineRun, everyRow] = ['limit50', 'limit0', 'limit0ev'].map((limit) => med(drifting, key(limit))) as [number, number, number];
      return [`  ${title}`, cell(bottom), cell(baselineRun), formatRatio(baselineRun / bottom), cell(everyRow), formatRatio(everyRow / bottom)];
    };
    out.push(
      '',
      `${DRIFTING_SITE_COUNT} drifting sites: ${drifting.db.database}, full range 0-999, --format json, saved with --out; medians of ${plural(heavy, 'run')}`,
      formatTable([
        ['', '--limit 50', '--limit 0 --no-evidence', 'ratio', '--limit 0', 'ratio'],
        all('ours, CLI process', (limit) => `${limit}_cli`),
        all('ours, database time', (limit) => `${limit}_db`),
        ...names.map((name) => all(`  ${name}`, (limit) => `${STATEMENT}${limit}_${name}`)),
        ['  CLI peak RSS (max)', ...['limit50', 'limit0', '', 'limit0ev'].map((limit) => (limit ? formatMb(maxRss([drifting], `${limit}_cli`)) : ''))],
      ], 32, 24),
    );
  }
  if (baseline) {
    const size = Number.isFinite(baseline.fileBytes) ? `${(baseline.fileBytes / 1e6).toFixed(1)} MB` : 'not saved';
    out.push(
      '',
      `--baseline: the full range of ${baseline.db.database}, --format json --limit 50 --baseline <its --limit 0 report, ${size}>; medians of ${plural(heavy, 'run')}`,
      formatTable([
        ['  ours, CLI process', formatMs(med(baseline, 'baseline_cli'))],
        ['  ours, database time', formatMs(med(baseline, 'baseline_db'))],
        ['  CLI peak RSS (max)', formatMb(maxRss([baseline]))],
      ], 32, 22),
    );
  }
  return out;
}

/** The benchmark's printed report: what ran where, the tables, then one PASS/FAIL line per target. */
export function formatBenchReport(result: BenchResult): string {
  const { db } = result;
  const made = db.reused ? 'reused' : `generated in ${(db.generationMs / 1000).toFixed(1)} s`;
  const skipped = result.plan.skip.size > 0 ? `; skipped: ${[...result.plan.skip].join(', ')}` : '';
  return [
    `projection-drift benchmark: ${db.database} (${db.shape} shape), ${db.sites} sites, ${db.events} events (${made}); query ${result.queryVersion}`,
    `server ${result.server.version}, innodb_buffer_pool_size ${Math.round(result.server.bufferPoolBytes / 1048576)} MiB; ` +
      `node ${process.version}; peak RSS ${result.gnuTime ? 'by GNU time' : 'not measured (no GNU time)'}${skipped}; ` +
      `rounds took ${(result.elapsedMs / 60_000).toFixed(1)} min`,
    `each round runs every contestant once per range, ${SHORT_REPEATS} times on ranges of up to 10 buckets`,
    '',
    mainTable(result),
    ...sideTables(result),
    '',
    ...targetsOf(result).map(formatTarget),
    ...infoLines(result),
  ].join('\n');
}

if (isMainModule(import.meta.url)) {
  try {
    const { values } = parseArgs({
      options: {
        rounds: { type: 'string', default: '5' },
        force: { type: 'boolean', default: false },
        shape: { type: 'string' },
        size: { type: 'string' },
        ranges: { type: 'string' },
        skip: { type: 'string' },
        'base-1m': { type: 'string' },
        'measure-1m': { type: 'boolean', default: false },
      },
    });
    const shape = benchShape(values.shape);
    const plan = parsePlan(values);
    if (!hasGnuTime()) {
      process.stderr.write('bench: GNU time not found at /usr/bin/time; peak RSS will not be measured (apt-get install time)\n');
    }
    process.stdout.write(`${formatBenchReport(await runBench(plan, shape, process.env, values.force))}\n`);
  } catch (error) {
    process.stderr.write(`run_bench: ${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}

import { parseArgs } from 'node:util';
import { dbConfigFromEnv } from '../config/db_config.js';
import { withReadOnlySnapshot, type SnapshotSession } from '../db/snapshot.js';
import { loadDriftQueries, readDrift } from '../report/drift_queries.js';
import { loadDriftingSitesQuery, readDriftingSites } from '../report/recheck_query.js';
import { Recheck } from '../report/recheck.js';
import { BENCH_BUCKET_TOTAL, BENCH_DATABASES } from './generate_bench_db.js';
import { isMainModule } from './main_module.js';
import { formatMs, formatRatio, formatTable, median } from './stats.js';
import { FULL_RANGE, NARROW_RANGE, type BenchRange } from './run_bench.js';

/**
 * What --recheck costs the server on the benchmark database, against the report it extends, in
 * alternating rounds (the machine is shared: compare within a run only). Each is one snapshot, timed
 * from connect to close:
 * - report: the report statement with --limit 50, as a run without --recheck;
 * - first: the report's snapshot under --recheck: the same, then (when rows were left out, as here)
 *   every drifting site read with drifting_sites and recorded;
 * - second: the re-check's snapshot: drifting_sites, every row matched against the record;
 * - report, no limit: the report statement listing every drifting site, for comparison.
 * The re-check's extra cost is first + second - report, in reports.
 * Run: `make build && node dist/bench/recheck_cost.js [--rounds 8]` on a benchmark database that `make bench`
 * made (DB_NAME, default the fresh shape's); it never creates or regenerates one, since other runs may share it.
 */
async function timedSnapshot(work: (session: SnapshotSession) => Promise<void>): Promise<number> {
  const started = performance.now();
  await withReadOnlySnapshot(dbConfigFromEnv(process.env), work);
  return performance.now() - started;
}

async function drain(rows: AsyncIterable<unknown[]>): Promise<number> {
  let count = 0;
  for await (const batch of rows) count += batch.length;
  return count;
}

async function measure(range: BenchRange, rounds: number): Promise<string[][]> {
  const queries = loadDriftQueries();
  const driftingSites = loadDriftingSitesQuery();
  const request = { bucketMin: range.min, bucketMax: range.max, bucketTotal: BENCH_BUCKET_TOTAL, rowLimit: 50, summaryLimit: 20 };
  const samples = { report: [] as number[], first: [] as number[], second: [] as number[], noLimit: [] as number[] };
  let drifting = 0;
  for (let round = 0; round < rounds; round++) {
    const recheck = new Recheck(1);
    samples.report.push(await timedSnapshot(async (session) => void (await drain(readDrift(session, queries, request).rows))));
    samples.first.push(
      await timedSnapshot(async (session) => {
        await drain(readDrift(session, queries, request).rows);
        for await (const batch of readDriftingSites(session, driftingSites, request)) for (const row of batch) recheck.observe(row);
      }),
    );
    samples.second.push(await timedSnapshot((session) => recheck.match(readDriftingSites(session, driftingSites, request))));
    samples.noLimit.push(await timedSnapshot(async (session) => void (drifting = await drain(readDrift(session, queries, { ...request, rowLimit: 0 }).rows))));
  }
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const extra = (first: number, second: number, report: number) => formatRatio((first + second - report) / report);
  const medians = { report: median(samples.report), first: median(samples.first), second: median(samples.second) };
  return [
    [`${range.min}-${range.max} (${drifting} drifting)`, 'median', 'sum over rounds'],
    ['report (--limit 50)', formatMs(medians.report), formatMs(sum(samples.report))],
    ['first snapshot (--recheck)', formatMs(medians.first), formatMs(sum(samples.first))],
    ['re-check snapshot', formatMs(medians.second), formatMs(sum(samples.second))],
    ['extra, in reports', extra(medians.first, medians.second, medians.report), extra(sum(samples.first), sum(samples.second), sum(samples.report))],
    ['report, no row limit', formatMs(median(samples.noLimit)), formatMs(sum(samples.noLimit))],
  ];
}

if (isMainModule(import.meta.url)) {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '8' } } });
  process.env.DB_NAME ||= BENCH_DATABASES.fresh;
  for (const range of [FULL_RANGE, NARROW_RANGE]) {
    process.stdout.write(`${formatTable(await measure(range, Number(values.rounds)))}\n\n`);
  }
}

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dbConfigFromEnv } from '../src/config/db_config.js';
import { loadDriftQueries, queryDrift, type DriftRequest } from '../src/report/drift_queries.js';
import type { DriftResults } from '../src/report/drift_results.js';
import { progressLine } from '../src/render/progress_line.js';
import { runCli, withScratch } from './support/scratch.js';
import { insertManySites } from './support/bulk_sites.js';

/** Sites of every kind over 30 buckets and sparse primary keys: stale, missing, out-of-shape, several events. */
const sites = Array.from({ length: 60 }, (_, i) => ({
  siteId: 1 + i * 7919,
  blogId: 5000 - i * 13,
  bucket: i % 30,
  siteStatus: [0, 1, 2, 1, 7, 1][i % 6]!,
  active: i % 11 !== 5,
}));
const events = sites.flatMap((site, i) =>
  i % 4 === 0
    ? []
    : [
        { blogId: site.blogId, state: ['Down', 'Seems Down', 'Paused'][i % 3]!, endpointId: 1 },
        ...(i % 5 === 0 ? [{ blogId: site.blogId, state: 'Seems Down', endpointId: 2 }] : []),
        ...(i % 7 === 0 ? [{ blogId: site.blogId, state: 'Down', endpointId: 3, ended: true }] : []),
      ],
);

const statementNames = (results: DriftResults) => results.timings.map((timing) => timing.name);
const withoutTimings = ({ timings: _timings, ...results }: DriftResults) => results;

test('the per-site plan, the wide plan and the wide plan in many slices give the same report', async () => {
  await withScratch({ sites, events }, async ({ env, connection }) => {
    await connection.query('ANALYZE TABLE jetpack_monitor_sites');
    const config = dbConfigFromEnv(env);
    const queries = loadDriftQueries();
    const request = { bucketMin: 0, bucketMax: 29, rowLimit: 7, summaryLimit: 5 };
    // 30 of 40 buckets is wide; 30 of 65,536 is narrow.
    const wide = await queryDrift(config, queries, { ...request, bucketTotal: 40 });
    const narrow = await queryDrift(config, queries, { ...request, bucketTotal: 65536 });
    const sliced = await queryDrift(config, queries, { ...request, bucketTotal: 40 }, { siteIdSlice: 3 });
    assert.equal(statementNames(narrow), ['drift_per_site']);
    // One slice holds the table: the probed plan on both shapes. Many slices, where a sites index starts with
    // blog_id (production's blog_id_monitor_url): the open events once, then the stale sites slice by slice.
    assert.equal(statementNames(wide), ['site_id_span', 'drift_probed_sites']);
    const slicedStatements = process.env.SCHEMA_SHAPE === 'production' ? ['drift_open_events', 'drift_stale_sites'] : ['drift_probed_sites'];
    assert.equal([...new Set(statementNames(sliced))], ['site_id_span', ...slicedStatements]);
    assert.ok(statementNames(sliced).filter((name) => name === slicedStatements.at(-1)).length > 5, statementNames(sliced).join());
    assert.ok(wide.driftCount > 20, `drift ${wide.driftCount}`);
    assert.equal(withoutTimings(wide), withoutTimings(narrow));
    assert.equal(withoutTimings(sliced), withoutTimings(narrow));
    // Every row listed: the merge of the slices keeps listing order.
    const all = (bucketTotal: number, siteIdSlice?: number) =>
      queryDrift(config, queries, { ...request, rowLimit: 0, summaryLimit: 0, bucketTotal }, siteIdSlice ? { siteIdSlice } : {});
    assert.equal(withoutTimings(await all(40, 2)), withoutTimings(await all(65536)));
  });
});

test('each finished statement is reported as progress, ending at its total', async () => {
  await withScratch({ sites, events }, async ({ env, connection }) => {
    await connection.query('ANALYZE TABLE jetpack_monitor_sites');
    const seen: string[] = [];
    const request: DriftRequest = { bucketMin: 0, bucketMax: 29, rowLimit: 0, summaryLimit: 0, bucketTotal: 40 };
    await queryDrift(dbConfigFromEnv(env), loadDriftQueries(), request, { siteIdSlice: 20, progress: (done, total, unit) => seen.push(`${done}/${total} ${unit}`) });
    assert.ok(seen.length >= 3, seen.join());
    const total = seen[0]!.split(' ')[0]!.split('/')[1];
    assert.equal(seen, Array.from({ length: seen.length }, (_, i) => `${i}/${total} parts`));
    // The per-site plan: 4 of 50 buckets, one bucket (2% of 50) per statement.
    const narrow: string[] = [];
    const results = await queryDrift(dbConfigFromEnv(env), loadDriftQueries(), { ...request, bucketMin: 3, bucketMax: 6, bucketTotal: 50 }, {
      progress: (done, total, unit) => narrow.push(`${done}/${total} ${unit}`),
    });
    assert.equal(narrow, ['0/4 buckets', '1/4 buckets', '2/4 buckets', '3/4 buckets', '4/4 buckets']);
    assert.equal(results.timings.map((timing) => timing.name), Array(4).fill('drift_per_site'));
  });
});

test('the progress line stays silent for a short run and is rewritten in place, then erased, for a long one', async () => {
  let short = '';
  const quick = progressLine((text) => void (short += text), 'buckets 0-9');
  quick.update(1, 2, 'buckets');
  quick.clear();
  assert.is(short, '');

  let long = '';
  const slow = progressLine((text) => void (long += text), 'buckets 0-999', 0);
  await new Promise((resolve) => setTimeout(resolve, 20));
  slow.update(1, 3, 'parts');
  slow.clear();
  slow.update(2, 3, 'parts');
  assert.is(long, '\r\u001b[Kprojection-drift: checking buckets 0-999: starting\r\u001b[Kprojection-drift: checking buckets 0-999: 1/3 parts read\r\u001b[K');
});

test('--limit 0 lists every one of many drifting sites, in listing order, with the same summary as --limit 50', async () => {
  await withScratch({}, async ({ env, connection }) => {
    await insertManySites(connection, 20, 0);
    const config = dbConfigFromEnv(env);
    const request = { bucketMin: 0, bucketMax: 999, bucketTotal: 1000, summaryLimit: 10 };
    const every = await queryDrift(config, loadDriftQueries(), { ...request, rowLimit: 0 });
    const first = await queryDrift(config, loadDriftQueries(), { ...request, rowLimit: 50 });
    assert.is(every.driftCount, 20000);
    assert.is(every.rows.length, 20000);
    assert.equal(every.rows.slice(0, 50), first.rows);
    const { rows: _a, timings: _b, ...everySummary } = every;
    const { rows: _c, timings: _d, ...firstSummary } = first;
    assert.equal(everySummary, firstSummary);
    const keys = every.rows.map((row) => [row.bucket, Number(row.blogId)] as const);
    assert.ok(keys.every((key, i) => i === 0 || keys[i - 1]![0] < key[0] || (keys[i - 1]![0] === key[0] && keys[i - 1]![1] < key[1])));
  });
});

test('--limit 0 lists 200,000 drifting sites read by one statement of the wide plan', async () => {
  await withScratch({}, async ({ env, connection }) => {
    // 100,000 sites at status 0 (every 50th with an open Down event), then a copy of them under other
    // blog ids without events: one slice of about 200,000 drifting sites.
    await insertManySites(connection, 100, 0);
    await connection.query(
      `INSERT INTO jetpack_monitor_sites (blog_id, bucket_no, monitor_url, site_status)
       SELECT blog_id + 1000000, bucket_no, monitor_url, site_status FROM jetpack_monitor_sites`,
    );
    const request = { bucketMin: 0, bucketMax: 999, bucketTotal: 1000, rowLimit: 0, summaryLimit: 1 };
    const results = await queryDrift(dbConfigFromEnv(env), loadDriftQueries(), request);
    assert.is(results.driftCount, 200000);
    assert.is(results.rows.length, 200000);
  });
});

test('a report piped (stderr not a terminal) prints no progress', async () => {
  await withScratch({ sites, events }, async ({ env }) => {
    const run = await runCli(['--range', '0-999'], env);
    assert.is(run.stderr, '');
  });
});

test.run();

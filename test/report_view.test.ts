import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildReportView } from '../src/report/report_view.js';
import { compileReportRenderer } from '../src/render/render.js';
import { renderReport } from './support/render_report.js';
import { dbConfigFromEnv } from '../src/config/db_config.js';
import { loadDriftQueries, queryDrift } from '../src/report/drift_queries.js';
import type { DriftResults } from '../src/report/drift_results.js';
import { assertValidJsonReport } from './support/report_checks.js';
import { withScratch } from './support/scratch.js';

/** Two stale sites of one group in bucket 4. */
const fixture = { sites: [7, 8].map((blogId) => ({ blogId, bucket: 4, siteStatus: 0 })) };
const request = { bucketMin: 0, bucketMax: 9, bucketTotal: 1000, rowLimit: 1, summaryLimit: 0 };
const run = { server: { address: 'db.example:3306', database: 'jetmon_db' }, generatedAt: new Date('2026-05-01T12:00:00Z') };

let agreeing: DriftResults;
let miscounted: DriftResults;

test.before(async () => {
  await withScratch(fixture, async ({ env }) => {
    agreeing = await queryDrift(dbConfigFromEnv(env), loadDriftQueries(), request);
  });
  // A range count one short of its groups' total: what a wrong reading would give (the count comes
  // from the sites read, the total from the groups they were folded into).
  miscounted = { ...agreeing, driftCount: agreeing.driftCount - 1 };
});

test('text: a count mismatch between the range and its groups warns after the summary, before the causes', () => {
  const view = buildReportView(miscounted, run, { rowsListed: miscounted.rows.length, timings: [] });
  const lines = renderReport(compileReportRenderer('text'), view, miscounted.rows).split('\n');
  const warning = lines.findIndex((l) => l.startsWith('WARN projection_drift_count_changed='));
  assert.is(
    lines[warning],
    'WARN projection_drift_count_changed=1 summarized=2 note="drift changed while the report was running; rerun projection-drift before repair"',
  );
  assert.ok(warning > lines.indexOf('## projection drift summary'));
  assert.ok(warning < lines.findIndex((l) => l.startsWith('WARN projection_drift_cause=')));
});

test('json and markdown carry the same guard', () => {
  const view = buildReportView(miscounted, run, { rowsListed: miscounted.rows.length, timings: [] });
  const json = assertValidJsonReport(renderReport(compileReportRenderer('json'), view, miscounted.rows));
  assert.equal(json.count_changed, { counted: 1, summarized: 2 });
  const markdown = renderReport(compileReportRenderer('markdown'), view, miscounted.rows);
  assert.match(markdown, '> **Warning:** 1 drifting sites were counted but 2 summarized; drift changed while the report was running');
});

test('agreeing counts give no warning', () => {
  const view = buildReportView(agreeing, run, { rowsListed: agreeing.rows.length, timings: [] });
  assert.equal([agreeing.driftCount, agreeing.summarizedCount], [2, 2]);
  assert.is(view.countChanged, null);
  assert.not.match(renderReport(compileReportRenderer('text'), view, agreeing.rows), 'count_changed');
});

test('rows truncated counts what the stream really listed', () => {
  assert.is(buildReportView(agreeing, run, { rowsListed: 1, timings: [] }).rowsTruncated, 1);
  assert.is(buildReportView(agreeing, run, { rowsListed: 2, timings: [] }).rowsTruncated, 0);
});

test.run();

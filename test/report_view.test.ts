import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildReportView } from '../src/report_view.js';
import { compileReportRenderer } from '../src/render.js';
import { renderReport } from './support/render_report.js';
import type { DriftRow, DriftSummary } from '../src/drift_results.js';
import { assertValidJsonReport } from './support/report_checks.js';

const summary: DriftSummary = {
  queryVersion: 'v4',
  bucketMin: 0,
  bucketMax: 9,
  driftCount: 2,
  summarizedCount: 2,
  groups: [{ bucket: 4, siteStatus: 0, expectedStatus: 1, eventState: null, cause: 'stale_legacy_down_projection', count: 2, maxOpenEvents: 0, sampleBlogId: '7' }],
  groupsTotal: 1,
  causes: [{ cause: 'stale_legacy_down_projection', count: 2 }],
};
const rows: DriftRow[] = [
  { blogId: '7', bucket: 4, siteStatus: 0, expectedStatus: 1, eventId: null, openEvents: 0, cause: 'stale_legacy_down_projection', eventState: null },
];
const run = { server: { address: 'db.example:3306', database: 'jetmon_db' }, generatedAt: new Date('2026-05-01T12:00:00Z') };
/** The range count says 1 drifting site where the summary groups hold 2: the data moved, or the query is wrong. */
const moved: DriftSummary = { ...summary, driftCount: 1 };

test('text: a count mismatch between the summary and the rows warns after the summary, before the causes', () => {
  const view = buildReportView(moved, run, { rowsListed: 1, timings: [] });
  const lines = renderReport(compileReportRenderer('text'), view, rows).split('\n');
  const warning = lines.findIndex((l) => l.startsWith('WARN projection_drift_count_changed='));
  assert.is(
    lines[warning],
    'WARN projection_drift_count_changed=1 summarized=2 note="drift changed while the report was running; rerun projection-drift before repair"',
  );
  assert.ok(warning > lines.indexOf('## projection drift summary'));
  assert.ok(warning < lines.findIndex((l) => l.startsWith('WARN projection_drift_cause=')));
});

test('json and markdown carry the same guard', () => {
  const view = buildReportView(moved, run, { rowsListed: 1, timings: [] });
  const json = assertValidJsonReport(renderReport(compileReportRenderer('json'), view, rows));
  assert.equal(json.count_changed, { counted: 1, summarized: 2 });
  const markdown = renderReport(compileReportRenderer('markdown'), view, rows);
  assert.match(markdown, '> **Warning:** 1 drifting sites were counted but 2 summarized; drift changed while the report was running');
});

test('agreeing counts give no warning', () => {
  const view = buildReportView(summary, run, { rowsListed: 1, timings: [] });
  assert.is(view.countChanged, null);
  assert.not.match(renderReport(compileReportRenderer('text'), view, rows), 'count_changed');
});

test('rows truncated counts what the stream really listed', () => {
  assert.is(buildReportView(summary, run, { rowsListed: 1, timings: [] }).rowsTruncated, 1);
  assert.is(buildReportView(summary, run, { rowsListed: 2, timings: [] }).rowsTruncated, 0);
});

test.run();

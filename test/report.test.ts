import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { EventFixture, SiteFixture } from '../src/fixtures/database.js';
import { queryScratch, runCli, withScratch } from './support/scratch.js';
import { QUERY_VERSION } from '../src/report/drift_queries.js';

test('no drift prints the three-line pass report and exits 0', async () => {
  const fixture = { sites: [{ blogId: 1, bucket: 3, siteStatus: 2 }], events: [{ blogId: 1, state: 'Down' }] };
  await withScratch(fixture, async ({ env }) => {
    const run = await runCli(['--range', '0-9'], env);
    assert.is(run.status, 0);
    assert.is(run.stderr, '');
    assert.is(
      run.stdout,
      `INFO projection_drift_range=0-9\nINFO projection_drift_query_version=${QUERY_VERSION}\nINFO legacy_projection_drift=0\nPASS legacy_projection_drift=0\n`,
    );
  });
});

test('an empty database is clean for the default range 0..BUCKET_TOTAL-1', async () => {
  await withScratch({}, async ({ env }) => {
    const run = await runCli([], { ...env, BUCKET_TOTAL: '64' });
    assert.is(run.status, 0);
    assert.match(run.stdout, /^INFO projection_drift_range=0-63$/m);
  });
});

/** Three groups in three buckets: 3 missing confirmed down, 2 stale down, 1 seems down missing. */
const threeGroups = (() => {
  const sites: SiteFixture[] = [];
  const events: EventFixture[] = [];
  for (const blogId of [101, 102, 103]) {
    sites.push({ blogId, bucket: 1, siteStatus: 1 });
    events.push({ blogId, state: 'Down' });
  }
  sites.push({ blogId: 201, bucket: 2, siteStatus: 0 }, { blogId: 202, bucket: 2, siteStatus: 2 });
  sites.push({ blogId: 301, bucket: 3, siteStatus: 1 });
  events.push({ blogId: 301, state: 'Seems Down' });
  return { sites, events };
})();

test('hidden summary groups are reported and still counted in the cause totals', async () => {
  await withScratch(threeGroups, async ({ env }) => {
    const run = await runCli(['--range', '0-9', '--summary-limit', '1', '--limit', '2'], env);
    assert.is(run.status, 1);
    const lines = run.stdout.split('\n');
    const summaryStart = lines.indexOf('## projection drift summary');
    assert.equal(lines.slice(summaryStart + 2, summaryStart + 6), [
      '1        3       1/SITE_RUNNING         2/SITE_CONFIRMED_DOWN  1           101          missing_confirmed_down_projection   Down',
      'INFO projection_drift_summary_groups_truncated=3',
      'INFO projection_drift_summary_rows_hidden=3',
      lines.find((l) => l.startsWith('WARN projection_drift_cause=missing_confirmed_down_projection count=3 ')),
    ]);
    const causeCounts = lines.filter((l) => l.startsWith('WARN projection_drift_cause=')).map((l) => l.split(' ').slice(1, 3).join(' '));
    assert.equal(causeCounts, [
      'projection_drift_cause=missing_confirmed_down_projection count=3',
      'projection_drift_cause=stale_legacy_down_projection count=2',
      'projection_drift_cause=missing_seems_down_projection count=1',
    ]);
    assert.ok(lines.includes('INFO projection_drift_rows_truncated=4'));
    assert.ok(lines.includes('FAIL legacy projection drift=6 in range 0-9'));
    assert.not.ok(run.stdout.includes('count_changed'));
  });
});

test('the summary limit keeps the first groups and counts the rest, past two- and three-digit counts', async () => {
  const sites = Array.from({ length: 120 }, (_, i) => ({ blogId: 1000 + i, bucket: i, siteStatus: 0 }));
  await withScratch({ sites }, async (scratch) => {
    for (const [summaryLimit, shown] of [[0, 120], [100, 100], [95, 95], [7, 7], [120, 120], [121, 120]] as const) {
      const results = await queryScratch(scratch, { bucketMin: 0, bucketMax: 999, summaryLimit });
      const summary = [results.groups.length, results.groupsTotal, results.hiddenGroupRows, results.summarizedCount, results.driftCount];
      assert.equal(summary, [shown, 120, 120 - shown, 120, 120], `--summary-limit ${summaryLimit}`);
      assert.equal(results.groups.map((group) => group.bucket), Array.from({ length: shown }, (_, i) => i));
    }
  });
});

test('--limit 0 lists every row and --summary-limit 0 shows every group, with no truncation lines', async () => {
  await withScratch(threeGroups, async ({ env }) => {
    const run = await runCli(['--range', '0-9', '--limit', '0', '--summary-limit', '0'], env);
    const lines = run.stdout.split('\n');
    const rowsStart = lines.indexOf('## projection drift rows');
    const blogIds = lines.slice(rowsStart + 2, rowsStart + 8).map((l) => l.split(/ +/)[0]);
    assert.equal(blogIds, ['101', '102', '103', '201', '202', '301']);
    assert.is(lines[rowsStart + 8], 'INFO projection_drift_repair=manual_confirmation_required');
    assert.not.match(run.stdout, /truncated|rows_hidden/);
  });
});

/**
 * Groups tied on every ordering key but one, for each key in turn, and causes tied on their count:
 *   count:           bucket 9's group of two comes before every group of one;
 *   bucket:          bucket 1 before bucket 2;
 *   site_status:     in bucket 2, site_status 1 before 2;
 *   expected_status: at site_status 1, expected 0 (Seems Down) before 2 (Down);
 *   event_state:     at site_status 2, expected 1: no open event, then Paused, then Warning (bytes);
 *   cause:           both Warning groups: multiple_open_http_events (two open events) before stale;
 * and the causes missing_seems_down_projection and multiple_open_http_events, one site each.
 */
const tiedGroups = (() => {
  const sites: SiteFixture[] = [];
  const events: EventFixture[] = [];
  const site = (blogId: number, bucket: number, siteStatus: number, ...states: string[]) => {
    sites.push({ blogId, bucket, siteStatus });
    states.forEach((state, i) => events.push({ id: blogId * 10 + i, blogId, endpointId: i + 1, state }));
  };
  site(901, 9, 0);
  site(902, 9, 0);
  site(101, 1, 1, 'Down');
  site(211, 2, 1, 'Seems Down');
  site(212, 2, 1, 'Down');
  site(221, 2, 2);
  site(222, 2, 2, 'Paused');
  site(223, 2, 2, 'Warning', 'Paused');
  site(224, 2, 2, 'Warning');
  return { sites, events };
})();

test('summary groups order by count, then bucket, site_status, expected status, event state and cause', async () => {
  await withScratch(tiedGroups, async ({ env }) => {
    const run = await runCli(['--range', '0-9', '--summary-limit', '0'], env);
    const lines = run.stdout.split('\n');
    const start = lines.indexOf('## projection drift summary') + 2;
    const columns = (line: string) => line.split(/ +/).filter((_, i) => i !== 4 && i !== 5).join(' ');
    assert.equal(lines.slice(start, start + 8).map(columns), [
      '9 2 0/SITE_DOWN 1/SITE_RUNNING stale_legacy_down_projection -',
      '1 1 1/SITE_RUNNING 2/SITE_CONFIRMED_DOWN missing_confirmed_down_projection Down',
      '2 1 1/SITE_RUNNING 0/SITE_DOWN missing_seems_down_projection Seems Down',
      '2 1 1/SITE_RUNNING 2/SITE_CONFIRMED_DOWN missing_confirmed_down_projection Down',
      '2 1 2/SITE_CONFIRMED_DOWN 1/SITE_RUNNING stale_legacy_down_projection -',
      '2 1 2/SITE_CONFIRMED_DOWN 1/SITE_RUNNING stale_legacy_down_projection Paused',
      '2 1 2/SITE_CONFIRMED_DOWN 1/SITE_RUNNING multiple_open_http_events Warning',
      '2 1 2/SITE_CONFIRMED_DOWN 1/SITE_RUNNING stale_legacy_down_projection Warning',
    ]);
    assert.ok(lines[start + 8]?.startsWith('WARN projection_drift_cause='), 'every group shown');
  });
});

test('cause totals order by count, then cause code', async () => {
  await withScratch(tiedGroups, async ({ env }) => {
    const run = await runCli(['--range', '0-9'], env);
    const causes = run.stdout.split('\n').filter((l) => l.startsWith('WARN projection_drift_cause=')).map((l) => l.split(' ').slice(1, 3).join(' '));
    assert.equal(causes, [
      'projection_drift_cause=stale_legacy_down_projection count=5',
      'projection_drift_cause=missing_confirmed_down_projection count=2',
      'projection_drift_cause=missing_seems_down_projection count=1',
      'projection_drift_cause=multiple_open_http_events count=1',
    ]);
  });
});

test('database strings cannot reach the terminal as control sequences and rows stay on one line', async () => {
  const hostile = '\u001b[2J\r\n\u009b31m\u202e\u0007x';
  const fixture = { sites: [{ blogId: 9, bucket: 1, siteStatus: 0 }], events: [{ blogId: 9, state: hostile }] };
  await withScratch(fixture, async ({ env }) => {
    const run = await runCli(['--range', '1'], env);
    assert.not.match(run.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    const row = run.stdout.split('\n').find((l) => l.startsWith('9            1 '));
    assert.ok(row?.endsWith('stale_legacy_down_projection        ?[2J???31m??x'));
  });
});

/**
 * A group cut by --limit: bucket 4 holds three sites with several open HTTP events (one Down
 * each), and the one with the most events comes last; bucket 5 holds a stale site no listed row
 * reaches.
 */
const groupCutByLimit = (() => {
  const sites: SiteFixture[] = [401, 402, 403].map((blogId) => ({ blogId, bucket: 4, siteStatus: 1 }));
  sites.push({ blogId: 501, bucket: 5, siteStatus: 0 });
  const events: EventFixture[] = [];
  for (const [blogId, extra] of [[401, 1], [402, 1], [403, 2]] as const) {
    events.push({ blogId, endpointId: 1, state: 'Down' });
    for (let endpointId = 2; endpointId < 2 + extra; endpointId++) events.push({ blogId, endpointId, state: 'Warning' });
  }
  return { sites, events };
})();

test('a group the row limit cuts keeps its whole count, largest open-event count and smallest blog_id', async () => {
  await withScratch(groupCutByLimit, async ({ env }) => {
    const run = await runCli(['--range', '0-9', '--limit', '2'], env);
    assert.is(run.status, 1, run.stderr);
    const lines = run.stdout.split('\n');
    const summaryStart = lines.indexOf('## projection drift summary');
    assert.equal(lines.slice(summaryStart + 2, summaryStart + 4), [
      '4        3       1/SITE_RUNNING         2/SITE_CONFIRMED_DOWN  3           401          multiple_open_http_events           Down',
      '5        1       0/SITE_DOWN            1/SITE_RUNNING         0           501          stale_legacy_down_projection        -',
    ]);
    const rowsStart = lines.indexOf('## projection drift rows');
    assert.equal(
      lines.slice(rowsStart + 2, rowsStart + 4).map((line) => line.split(/ +/).slice(0, 2).join(' ')),
      ['401 4', '402 4'],
    );
    assert.ok(lines.includes('INFO projection_drift_rows_truncated=2'));
    assert.not.ok(lines.some((line) => line.startsWith('WARN projection_drift_count_changed')));
  });
});

test.run();

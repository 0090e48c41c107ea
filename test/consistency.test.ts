import mysql from 'mysql2/promise';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { adminConnectionOptions } from '../src/fixtures/database.js';
import type { SiteFixture, EventFixture } from '../src/fixtures/database.js';
import { runCli, withScratch } from './support/scratch.js';
import { assertValidJsonReport } from './support/report_checks.js';

const SITES = 400;

/** 400 sites over 10 buckets, every fifth with an open HTTP event. */
function startingData(): { sites: SiteFixture[]; events: EventFixture[] } {
  const sites: SiteFixture[] = [];
  const events: EventFixture[] = [];
  for (let i = 0; i < SITES; i++) {
    sites.push({ blogId: i + 1, bucket: i % 10, siteStatus: i % 3 });
    if (i % 5 === 0) events.push({ blogId: i + 1, endpointId: 1, state: i % 2 ? 'Down' : 'Seems Down' });
  }
  return { sites, events };
}

test('reports stay internally consistent while another connection keeps writing', async () => {
  await withScratch(startingData(), async ({ database, env }) => {
    const writer = await mysql.createConnection({ ...adminConnectionOptions(), database });
    let writing = true;
    let writes = 0;
    const churn = (async () => {
      for (let step = 0; writing && step < 100_000; step++) {
        const blog = 1 + ((step * 7919) % SITES);
        await writer.beginTransaction();
        await writer.query('UPDATE jetpack_monitor_sites SET site_status = (site_status + 1) % 3 WHERE blog_id = ?', [blog]);
        if (step % 2 === 0) {
          await writer.query('UPDATE jetmon_events SET ended_at = CURRENT_TIMESTAMP(3) WHERE blog_id = ? AND ended_at IS NULL', [blog]);
        } else {
          await writer.query(
            "INSERT IGNORE INTO jetmon_events (blog_id, endpoint_id, check_type, state) VALUES (?, ?, 'http', ?)",
            [blog, 1 + (step % 3), step % 4 === 1 ? 'Down' : 'Seems Down'],
          );
        }
        await writer.commit();
        writes++;
      }
    })();
    try {
      const driftCounts = new Set<number>();
      // Keep reporting until the writer has really raced the reports (bounded, in case it stalls).
      for (let round = 0; round < 300 && (round < 12 || writes < 60 || driftCounts.size < 2); round++) {
        const run = await runCli(['--range', '0-9', '--format', 'json', '--limit', '0', '--summary-limit', '3'], env);
        assert.ok(run.status === 0 || run.status === 1, run.stderr);
        const report = assertValidJsonReport(run.stdout);
        const sum = (items: { count: number }[]) => items.reduce((total, item) => total + item.count, 0);
        assert.is(report.count_changed, null);
        assert.is(sum(report.summary.groups) + report.summary.rows_hidden, report.drift_count);
        assert.is(sum(report.causes), report.drift_count);
        assert.is(report.rows.length, report.drift_count);
        assert.is(report.rows_truncated, 0);
        driftCounts.add(report.drift_count);
      }
      assert.ok(writes >= 60, `the writer made only ${writes} changes`);
      assert.ok(driftCounts.size > 1, 'drift moved between reports, so the writer really raced them');
    } finally {
      writing = false;
      await churn;
      await writer.end();
    }
  });
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dbConfigFromEnv } from '../src/config/db_config.js';
import { loadDriftQueries, readDrift } from '../src/report/drift_queries.js';
import { withReadOnlySnapshot } from '../src/db/snapshot.js';
import type { DriftRow } from '../src/report/drift_results.js';
import { queryScratch, withScratch } from './support/scratch.js';

/**
 * The report's snapshot is taken when its transaction starts (`START TRANSACTION WITH CONSISTENT
 * SNAPSHOT`), not when its first statement reads: without `WITH CONSISTENT SNAPSHOT`, REPEATABLE READ
 * fixes the data only at the first read, so a change committed in between would be in the report.
 * This matters as soon as anything runs between the two (the session settings today; evidence or a
 * re-check statement later), and the one-statement report cannot show it any other way.
 */

/** Blog 1 drifts (stale down), blog 2 agrees (running, no open event). */
const start = {
  sites: [
    { blogId: 1, bucket: 1, siteStatus: 0 },
    { blogId: 2, bucket: 2, siteStatus: 1 },
  ],
};

const request = { bucketMin: 0, bucketMax: 9, bucketTotal: 1000, rowLimit: 0, summaryLimit: 0 };

test('the report reads the data as it was when its transaction started, not when its statement ran', async () => {
  await withScratch(start, async (scratch) => {
    const seen = await withReadOnlySnapshot(dbConfigFromEnv(scratch.env), async (session) => {
      // Committed by another connection after START TRANSACTION, before the report's first read:
      // blog 1 repaired, blog 2 newly drifting.
      await scratch.connection.query('UPDATE jetpack_monitor_sites SET site_status = 1 WHERE blog_id = 1');
      await scratch.connection.query('UPDATE jetpack_monitor_sites SET site_status = 0 WHERE blog_id = 2');
      const reading = readDrift(session, loadDriftQueries(), request);
      const rows: DriftRow[] = [];
      for await (const batch of reading.rows) rows.push(...batch);
      return { blogIds: rows.map((row) => row.blogId), driftCount: reading.summary().driftCount };
    });
    assert.equal(seen, { blogIds: ['1'], driftCount: 1 }, 'the report saw changes committed after its snapshot began');
    // The changes were real and committed: a report started afterwards sees them.
    const after = await queryScratch(scratch, request);
    assert.equal(after.rows.map((row) => row.blogId), ['2']);
  });
});

test.run();

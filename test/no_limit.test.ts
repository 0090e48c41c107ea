import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { queryScratch, withScratch } from './support/scratch.js';

test('--limit 0 lists every drifting site', async () => {
  const sites = Array.from({ length: 7 }, (_, i) => ({ blogId: 100 + i, bucket: i % 3, siteStatus: 0 }));
  await withScratch({ sites }, async (scratch) => {
    const results = await queryScratch(scratch, { bucketMin: 0, bucketMax: 2, rowLimit: 0 });
    assert.is(results.driftCount, 7);
    assert.equal(results.rows.map((row) => row.blogId), ['100', '103', '106', '101', '104', '102', '105']);
  });
});

test.run();

import mysql from 'mysql2/promise';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { adminConnectionOptions } from '../src/fixtures/database.js';
import { NO_LIMIT } from '../src/report/drift_queries.js';
import { queryScratch, withScratch } from './support/scratch.js';

test('the "every row" bound keeps its value whether the server types the placeholder signed or unsigned', async () => {
  // The report compares ROW_NUMBER() with this bound through a placeholder; a value past the signed
  // BIGINT range would become -1 where the server reads the parameter as signed, and list nothing.
  const connection = await mysql.createConnection(adminConnectionOptions());
  try {
    const [rows] = await connection.execute('SELECT CAST(? AS SIGNED) AS as_signed, CAST(? AS UNSIGNED) AS as_unsigned', [NO_LIMIT, NO_LIMIT]);
    const [row] = rows as { as_signed: string; as_unsigned: string }[];
    assert.is(row!.as_signed, String(NO_LIMIT));
    assert.is(row!.as_unsigned, String(NO_LIMIT));
    assert.ok(NO_LIMIT > 0n);
  } finally {
    await connection.end();
  }
});

test('--limit 0 (the bound) lists every drifting site', async () => {
  const sites = Array.from({ length: 7 }, (_, i) => ({ blogId: 100 + i, bucket: i % 3, siteStatus: 0 }));
  await withScratch({ sites }, async (scratch) => {
    const results = await queryScratch(scratch, { bucketMin: 0, bucketMax: 2, rowLimit: 0 });
    assert.is(results.driftCount, 7);
    assert.equal(results.rows.map((row) => row.blogId), ['100', '103', '106', '101', '104', '102', '105']);
  });
});

test.run();

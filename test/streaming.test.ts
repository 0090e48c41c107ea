import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { removeTemporaryFilesNow, stageReport } from '../src/render/report_output.js';
import { runCli, withScratch } from './support/scratch.js';
import { insertManySites } from './support/bulk_sites.js';

/** Temporary files this process's reports spilled their rows to and left behind. */
const spillsLeft = () => readdirSync(tmpdir()).filter((name) => name.startsWith(`.projection-drift.${process.pid}.`));

test('--limit 0 streams 100,000 drift rows, in order, in text and JSON; the rows spilled to disk are removed', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'pd-stream-'));
  try {
    await withScratch({}, async ({ connection, env }) => {
      await insertManySites(connection, 100, 0);
      const out = join(folder, 'all.json');
      const json = await runCli(['--limit', '0', '--format', 'json', '--out', out], env);
      assert.is(json.status, 1, json.stderr);
      const report = JSON.parse(readFileSync(out, 'utf8')); // ids stay below 2^53 here
      assert.is(report.drift_count, 100_000);
      assert.is(report.rows.length, 100_000);
      assert.is(report.rows_truncated, 0);
      const keys = report.rows.map((r: { bucket: number; blog_id: number }) => r.bucket * 1e7 + r.blog_id);
      assert.ok(keys.every((key: number, i: number) => i === 0 || key > keys[i - 1]), 'rows ordered by bucket, then blog_id');
      const text = await runCli(['--limit', '0'], env);
      const rowLines = text.stdout.split('\n').filter((line) => /^1\d{6} +\d+ +\d\/SITE_/.test(line));
      assert.is(rowLines.length, 100_000);
      assert.not.match(text.stdout, 'projection_drift_rows_truncated');
      assert.equal(spillsLeft(), [], 'no spill file left after a report');
      const full = await runCli(['--limit', '0', '--out', '/dev/full'], env);
      assert.is(full.status, 2, full.stderr);
      assert.equal(spillsLeft(), [], 'nor after a report that could not be written');
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('an abrupt exit (a second Ctrl-C) removes the spilled rows at once, and a later discard is still safe', async () => {
  const spilled = stageReport(undefined, () => {});
  for (let i = 0; i < 5; i++) await spilled.write('x'.repeat(1024 * 1024)); // past 4 MiB: spilled to a temporary file
  assert.is(spillsLeft().length, 1);
  removeTemporaryFilesNow();
  assert.equal(spillsLeft(), [], 'the spilled rows are gone');
  await spilled.discard();
});

test.run();

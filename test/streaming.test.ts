import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { removeTemporaryFilesNow, stageReport } from '../src/render/report_output.js';
import { runCli, withScratch } from './support/scratch.js';
import { RowSpool } from '../src/report/row_spool.js';
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
      // Every listed row got its own evidence, read in batches after the rows were spooled (to disk, past 10,000).
      assert.ok(report.rows.every((r: { blog_id: number; evidence: { last_status_change: unknown } | null }) => r.evidence !== null), 'evidence on every row');
      const text = await runCli(['--limit', '0'], env);
      const rowLines = text.stdout.split('\n').filter((line) => /^1\d{6} +\d+ +\d\/SITE_/.test(line));
      assert.is(rowLines.length, 100_000);
      const evidenceLines = text.stdout.split('\n## projection drift evidence\n')[1]!.trimEnd().split('\n');
      assert.is(evidenceLines.length, 100_000);
      assert.ok(evidenceLines.every((line, i) => line.startsWith(`blog_id=${rowLines[i]!.split(' ')[0]} `)), 'evidence lines in listing order');
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

test('the listed-row spool keeps order past its memory limit, and its file is removed by discard and by an abrupt exit', async () => {
  const spool = new RowSpool<{ n: number; s: string | null }>();
  for (let i = 0; i < 25_000; i += 1000) await spool.push(Array.from({ length: 1000 }, (_, j) => ({ n: i + j, s: j % 2 ? 'a\n"b' : null })));
  assert.ok(spool.spilled);
  assert.is(spillsLeft().length, 1);
  const read: number[] = [];
  for await (const batch of spool.batches(500)) {
    assert.ok(batch.length <= 500);
    for (const row of batch) read.push(row.n);
  }
  assert.equal(read, Array.from({ length: 25_000 }, (_, i) => i));
  await spool.discard();
  assert.equal(spillsLeft(), []);
  const again = new RowSpool<{ n: number }>();
  await again.push(Array.from({ length: 10_001 }, (_, n) => ({ n })));
  assert.is(spillsLeft().length, 1);
  removeTemporaryFilesNow();
  assert.equal(spillsLeft(), []);
  await again.discard();
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

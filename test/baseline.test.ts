import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { envFor, runCli, withScratch } from './support/scratch.js';
import { assertValidJsonReport, parseExactJson } from './support/report_checks.js';

const folder = mkdtempSync(join(tmpdir(), 'pd-baseline-'));
const top = '18446744073709551615';

/** Before: blogs 1 and 3 stale down, blog 2 running with an open Down event, blog `top` stale down. */
const before = {
  sites: [
    { blogId: 1, bucket: 1, siteStatus: 0 },
    { blogId: 2, bucket: 2, siteStatus: 1 },
    { blogId: 3, bucket: 3, siteStatus: 2 },
    { blogId: 4, bucket: 4, siteStatus: 1 },
    { siteId: 99, blogId: top, bucket: 5, siteStatus: 0 },
  ],
  events: [{ blogId: 2, state: 'Down' }],
};

/** After: blog 1 repaired, blog 2 now seems down (another cause), blog 3 unchanged, blog 4 newly drifting. */
async function repairAndBreak(connection: import('mysql2/promise').Connection) {
  await connection.query('UPDATE jetpack_monitor_sites SET site_status = 1 WHERE blog_id = 1');
  await connection.query('UPDATE jetpack_monitor_sites SET site_status = 0 WHERE blog_id = 2');
  await connection.query('UPDATE jetpack_monitor_sites SET site_status = 0 WHERE blog_id = 4');
}

async function saveBaseline(env: NodeJS.ProcessEnv, name: string, extra: string[] = []): Promise<string> {
  const path = join(folder, name);
  const run = await runCli(['--range', '0-9', '--format', 'json', '--limit', '0', '--out', path, ...extra], env);
  assert.is(run.status, 1, run.stderr);
  return path;
}

test('new, resolved, persisting and cause-changed sites in all three formats', async () => {
  await withScratch(before, async ({ connection, env }) => {
    const baseline = await saveBaseline(env, 'full.json');
    await repairAndBreak(connection);
    const text = await runCli(['--range', '0-9', '--baseline', baseline], env);
    assert.is(text.status, 1, text.stderr);
    const lines = text.stdout.split('\n');
    const at = lines.indexOf('INFO legacy_projection_drift=4');
    assert.equal(lines.slice(at + 1, at + 6), [
      'INFO projection_drift_baseline_generated_at=2026-05-01T12:00:00.000Z',
      'INFO projection_drift_baseline_new=1',
      'INFO projection_drift_baseline_resolved=1',
      'INFO projection_drift_baseline_persisting=3',
      'INFO projection_drift_baseline_cause_changed=1',
    ]);
    assert.not.match(text.stdout, 'baseline_partial');
    assert.ok(lines.find((l) => l.startsWith('4            4 '))?.endsWith('stale_legacy_down_projection        -  NEW'));
    assert.ok(lines.find((l) => l.startsWith('3            3 '))?.endsWith('stale_legacy_down_projection        -'));
    assert.ok(lines.some((l) => l.startsWith('WARN projection_drift_cause=stale_legacy_down_projection count=3 delta=0 action="')));
    assert.ok(lines.some((l) => l.startsWith('WARN projection_drift_cause=missing_confirmed_promotion count=1 delta=+1 action="')));

    const json = await runCli(['--range', '0-9', '--baseline', baseline, '--format', 'json'], env);
    assertValidJsonReport(json.stdout);
    assert.equal(parseExactJson(json.stdout).baseline, {
      generated_at: '2026-05-01T12:00:00.000Z',
      new: 1,
      resolved: 1,
      persisting: 3,
      cause_changed: 1,
      partial: false,
      new_blog_ids: [4],
      resolved_blog_ids: [1],
    });
    assert.match(json.stdout, `"blog_id": ${top},`);

    const markdown = await runCli(['--range', '0-9', '--baseline', baseline, '--format', 'markdown'], env);
    assert.match(markdown.stdout, '## Since the previous report');
    assert.match(markdown.stdout, '| 1 | 1 | 3 | 1 |');
    assert.match(markdown.stdout, 'New drifting blogs: 4.');
    assert.match(markdown.stdout, '| 4 (new) | 4 |');
  });
});

test('a truncated report on either side makes the comparison partial, over what both listed', async () => {
  await withScratch(before, async ({ connection, env }) => {
    const truncated = await saveBaseline(env, 'two.json', ['--limit', '2']); // lists blogs 1 and 2 only
    await repairAndBreak(connection);
    const json = parseExactJson((await runCli(['--range', '0-9', '--baseline', truncated, '--format', 'json', '--limit', '0'], env)).stdout);
    // Only buckets up to blog 2's were listed before: blog 1 resolved, blog 2 persists with a new cause.
    assert.equal(json.baseline, {
      generated_at: '2026-05-01T12:00:00.000Z', new: 0, resolved: 1, persisting: 1, cause_changed: 1, partial: true,
      new_blog_ids: [], resolved_blog_ids: [1],
    });
    const full = await saveBaseline(env, 'after.json');
    const now = await runCli(['--range', '0-9', '--baseline', full, '--limit', '1'], env);
    assert.match(now.stdout, 'INFO projection_drift_baseline_partial=true\n');
    assert.match(now.stdout, 'INFO projection_drift_baseline_persisting=1\n');
    assert.match(now.stdout, 'INFO projection_drift_baseline_resolved=0\n');
  });
});

test('production statuses above 127 pass the report schema and work as a baseline (issue 12, item 4)', async () => {
  // TINYINT UNSIGNED in production: 200 and 255 are values a damaged row can hold there.
  const odd = { sites: [{ blogId: 7, bucket: 1, siteStatus: 200 }, { blogId: 8, bucket: 2, siteStatus: 255 }], events: [] };
  await withScratch(
    odd,
    async ({ env }) => {
      const baseline = await saveBaseline(env, 'unsigned.json');
      const saved = parseExactJson(readFileSync(baseline, 'utf8'));
      assert.equal(saved.rows.map((row: { site_status: number }) => row.site_status), [200, 255]);
      assertValidJsonReport(readFileSync(baseline, 'utf8'));
      const again = await runCli(['--range', '0-9', '--baseline', baseline, '--format', 'json'], env);
      assert.is(again.status, 1, again.stderr);
      assert.equal(parseExactJson(again.stdout).baseline.persisting, 2);
    },
    'production',
  );
});

test('a baseline of another range, another schema version, or no report at all is exit 2 before any connection', async () => {
  const nowhere = envFor('jetmon_db', { DB_PORT: '1' });
  const good = { schema_version: 1, report: 'projection-drift', range: { bucket_min: 0, bucket_max: 9 } };
  const cases: [string, string, RegExp][] = [
    ['not-json.json', '{"rows": [', /is not JSON/],
    ['array.json', '[1, 2]', /is not a projection-drift report/],
    ['v2.json', JSON.stringify({ ...good, schema_version: 2 }), /schema version 2; this tool reads version 1/],
    ['failure.json', JSON.stringify({ ...good, ok: false, error: { kind: 'usage', exit_code: 2, message: 'bad range' }, failures: ['bad range'] }), /records a run that failed \(bad range\)/],
    ['damaged.json', JSON.stringify({ ...good, rows: 'none' }), /does not match the report schema/],
  ];
  for (const [name, content, pattern] of cases) {
    writeFileSync(join(folder, name), content);
    const run = await runCli(['--range', '0-9', '--baseline', join(folder, name)], nowhere);
    assert.is(run.status, 2, `${name}: ${run.stderr}`);
    assert.match(run.stderr, pattern);
  }
  const missing = await runCli(['--baseline', join(folder, 'absent.json')], nowhere);
  assert.match(missing.stderr, /cannot read --baseline .*absent\.json \(ENOENT\)/);
  await withScratch(before, async ({ env }) => {
    const other = await saveBaseline(env, 'range.json');
    const run = await runCli(['--range', '0-5', '--baseline', other], nowhere);
    assert.is(run.status, 2);
    assert.match(run.stderr, /covers buckets 0-9, this report 0-5; compare reports of the same range/);
    assert.is(readFileSync(other, 'utf8').length > 0, true);
  });
});

test.after(() => rmSync(folder, { recursive: true, force: true }));

test.run();

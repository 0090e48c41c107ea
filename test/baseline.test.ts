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
    // Saved as the README says (--no-evidence); the other tests compare with baselines that carry evidence.
    const baseline = await saveBaseline(env, 'full.json', ['--no-evidence']);
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

/**
 * jetpack_monitor_sites allows several rows per blog_id (one per monitored URL, each its own
 * jetpack_monitor_site_id), and the report lists each drifting row. The comparison matches by blog_id,
 * so a blog counts once, however many of its rows drift before or after. Before:
 * - 10: two drifting rows, both still drifting after (persisting);
 * - 20: two drifting rows, one repaired after (persisting, not resolved);
 * - 30: one drifting row and one agreeing, whose second row drifts after (persisting, not new);
 * - 40: two drifting rows, both repaired after (resolved);
 * - 50: two agreeing rows, both drifting after (new: both rows are marked);
 * - 60: drifting rows in buckets 6 and 8, the bucket 6 one repaired after (persisting);
 * - 70: two rows missing their confirmed-down status; the event is Seems Down after (cause changed, once);
 * - 80 and 90: an open Down event, one row running (missing_confirmed_down_projection), one seems down
 *   (missing_confirmed_promotion); after, 80's second row is repaired, 90's first: each is left with
 *   a cause it had (persisting, cause unchanged).
 */
const repeated = {
  sites: [
    { siteId: 101, blogId: 10, bucket: 1, siteStatus: 0 },
    { siteId: 102, blogId: 10, bucket: 1, siteStatus: 0 },
    { siteId: 201, blogId: 20, bucket: 2, siteStatus: 0 },
    { siteId: 202, blogId: 20, bucket: 2, siteStatus: 0 },
    { siteId: 301, blogId: 30, bucket: 3, siteStatus: 0 },
    { siteId: 302, blogId: 30, bucket: 3, siteStatus: 1 },
    { siteId: 401, blogId: 40, bucket: 4, siteStatus: 0 },
    { siteId: 402, blogId: 40, bucket: 4, siteStatus: 0 },
    { siteId: 501, blogId: 50, bucket: 5, siteStatus: 1 },
    { siteId: 502, blogId: 50, bucket: 5, siteStatus: 1 },
    { siteId: 601, blogId: 60, bucket: 6, siteStatus: 0 },
    { siteId: 602, blogId: 60, bucket: 8, siteStatus: 0 },
    { siteId: 701, blogId: 70, bucket: 7, siteStatus: 1 },
    { siteId: 702, blogId: 70, bucket: 7, siteStatus: 1 },
    { siteId: 801, blogId: 80, bucket: 9, siteStatus: 1 },
    { siteId: 802, blogId: 80, bucket: 9, siteStatus: 0 },
    { siteId: 901, blogId: 90, bucket: 9, siteStatus: 1 },
    { siteId: 902, blogId: 90, bucket: 9, siteStatus: 0 },
  ],
  events: [
    { id: 700, blogId: 70, state: 'Down' },
    { id: 800, blogId: 80, state: 'Down' },
    { id: 900, blogId: 90, state: 'Down' },
  ],
};

async function changeRepeated(connection: import('mysql2/promise').Connection) {
  const setStatus = (status: number, siteIds: number[]) =>
    connection.query('UPDATE jetpack_monitor_sites SET site_status = ? WHERE jetpack_monitor_site_id IN (?)', [status, siteIds]);
  await setStatus(1, [202, 401, 402, 601]);
  await setStatus(0, [302, 501, 502]);
  await setStatus(2, [802, 901]);
  await connection.query("UPDATE jetmon_events SET state = 'Seems Down' WHERE id = 700");
}

test('a blog with several site rows counts once: new, resolved, persisting and cause-changed are blogs', async () => {
  await withScratch(repeated, async ({ connection, env }) => {
    const baseline = await saveBaseline(env, 'repeated.json');
    const saved = parseExactJson(readFileSync(baseline, 'utf8'));
    assert.equal(saved.rows.map((row: { blog_id: number }) => row.blog_id), [10, 10, 20, 20, 30, 40, 40, 60, 70, 70, 60, 80, 80, 90, 90]);
    await changeRepeated(connection);

    const json = await runCli(['--range', '0-9', '--baseline', baseline, '--format', 'json', '--limit', '0'], env);
    const report = assertValidJsonReport(json.stdout);
    assert.equal(report.rows.map((row: { blog_id: number }) => row.blog_id), [10, 10, 20, 30, 30, 50, 50, 70, 70, 60, 80, 90]);
    assert.equal(parseExactJson(json.stdout).baseline, {
      generated_at: '2026-05-01T12:00:00.000Z',
      new: 1,
      resolved: 1,
      persisting: 7,
      cause_changed: 1,
      partial: false,
      new_blog_ids: [50],
      resolved_blog_ids: [40],
    });

    // Every row of a new blog is marked, and only those.
    const text = await runCli(['--range', '0-9', '--baseline', baseline, '--limit', '0'], env);
    const marked = text.stdout.split('\n').filter((line) => line.endsWith('  NEW'));
    assert.equal(marked.map((line) => line.split(' ')[0]), ['50', '50']);
    assert.match(text.stdout, 'INFO projection_drift_baseline_persisting=7\n');
    const markdown = await runCli(['--range', '0-9', '--baseline', baseline, '--format', 'markdown', '--limit', '0'], env);
    assert.is(markdown.stdout.split('(new) |').length - 1, 2);
  });
});

test('partial comparisons that stop between two rows of one blog still count the blog once', async () => {
  await withScratch(repeated, async ({ connection, env }) => {
    // The baseline lists only blog 10's first row; its second row lies at the same place in the order.
    const first = await saveBaseline(env, 'first-row.json', ['--limit', '1']);
    const full = await saveBaseline(env, 'repeated-full.json');
    await changeRepeated(connection);
    const against = async (baseline: string, limit: string) =>
      parseExactJson((await runCli(['--range', '0-9', '--baseline', baseline, '--format', 'json', '--limit', limit], env)).stdout).baseline;
    assert.equal(await against(first, '0'), {
      generated_at: '2026-05-01T12:00:00.000Z', new: 0, resolved: 0, persisting: 1, cause_changed: 0, partial: true,
      new_blog_ids: [], resolved_blog_ids: [],
    });
    // Now the current listing stops after blog 30's first row (10, 10, 20, 30): blogs 10, 20 and 30 persist.
    assert.equal(await against(full, '4'), {
      generated_at: '2026-05-01T12:00:00.000Z', new: 0, resolved: 0, persisting: 3, cause_changed: 0, partial: true,
      new_blog_ids: [], resolved_blog_ids: [],
    });
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
    // Read once, exactly: a count past 2^53 is damage, not a rounded number; a key given twice is not
    // a report; an id written as 42.0 or 4.2e1 is the id 42.
    const saved = readFileSync(other, 'utf8');
    const damaged: [string, string, RegExp][] = [
      ['huge-count.json', saved.replace('"drift_count": 4', '"drift_count": 9007199254740993'), /does not match the report schema/],
      ['twice.json', saved.replace('"blog_id": 1,', '"blog_id": 1, "blog_id": 2,'), /is not JSON/],
    ];
    for (const [name, content, pattern] of damaged) {
      assert.is.not(content, saved, name);
      writeFileSync(join(folder, name), content);
      const refused = await runCli(['--range', '0-9', '--baseline', join(folder, name)], nowhere);
      assert.is(refused.status, 2, `${name}: ${refused.stderr}`);
      assert.match(refused.stderr, pattern);
    }
    const spelled = join(folder, 'spelled.json');
    writeFileSync(spelled, saved.replace('"blog_id": 1,', '"blog_id": 1.0,').replace('"blog_id": 2,', '"blog_id": 2e0,'));
    const compared = await runCli(['--range', '0-9', '--baseline', spelled, '--format', 'json'], env);
    assert.is(compared.status, 1, compared.stderr);
    assert.equal(parseExactJson(compared.stdout).baseline.persisting, 4);
  });
});

test('a baseline read in many pieces: every row is checked, wherever it lies, and "rows" given twice is refused (issue 14)', async () => {
  const nowhere = envFor('jetmon_db', { DB_PORT: '1' });
  await withScratch(before, async ({ connection, env }) => {
    const saved = readFileSync(await saveBaseline(env, 'pieces.json'), 'utf8');
    // 5,000 more rows for blog 1 (same bucket and cause) make a file of many reads of the stream (64 KiB each).
    const first = saved.match(/\n( *\{"blog_id": 1, [^\n]*\}),\n/)?.[1] as string;
    assert.ok(first, 'the saved report lists blog 1 on one line');
    const padded = (last: string) => saved.replace(`${first},\n`, `${first},\n${`${first},\n`.repeat(4_999)}${last},\n`);
    const long = join(folder, 'long.json');
    writeFileSync(long, padded(first));
    assert.ok(readFileSync(long).length > 10 * 65_536, 'ten reads of the stream at least');
    await repairAndBreak(connection);
    const compared = await runCli(['--range', '0-9', '--baseline', long, '--format', 'json'], env);
    assert.is(compared.status, 1, compared.stderr);
    assert.equal(parseExactJson(compared.stdout).baseline, {
      generated_at: '2026-05-01T12:00:00.000Z', new: 1, resolved: 1, persisting: 3, cause_changed: 1, partial: false,
      new_blog_ids: [4], resolved_blog_ids: [1],
    });
    const refused: [string, string, RegExp][] = [
      ['late-status.json', padded(first.replace('"site_status": 0', '"site_status": 256')), /does not match the report schema/],
      ['late-field.json', padded(first.replace('"blog_id": 1,', '"blog_id": 1, "note": "x",')), /does not match the report schema/],
      ['late-id.json', padded(first.replace('"blog_id": 1,', '"blog_id": -1,')), /does not match the report schema/],
      ['rows-twice.json', saved.replace('"rows_truncated": 0', '"rows": [], "rows_truncated": 0'), /is not JSON/],
    ];
    for (const [name, content, pattern] of refused) {
      writeFileSync(join(folder, name), content);
      const run = await runCli(['--range', '0-9', '--baseline', join(folder, name)], nowhere);
      assert.is(run.status, 2, `${name}: ${run.stderr}`);
      assert.match(run.stderr, pattern);
    }
  });
});

test.after(() => rmSync(folder, { recursive: true, force: true }));

test.run();

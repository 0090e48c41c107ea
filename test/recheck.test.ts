import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mysql2/promise';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli.js';
import type { EventFixture, SiteFixture } from '../src/fixtures/database.js';
import { Recheck } from '../src/report/recheck.js';
import type { DriftRow } from '../src/report/drift_results.js';
import { assertValidJsonReport, parseExactJson, withoutAges } from './support/report_checks.js';
import { FIXED_NOW, runCli, withScratch, type CliRun } from './support/scratch.js';
import { startCli, waitFor, within } from './support/spawn.js';

/** Generous bounds against hangs; nothing here asserts how fast anything is. */
const BOUND_MS = 20_000;

/**
 * Drifting sites and what a concurrent writer does to them between the report's snapshot and the
 * re-check's (`writer` below):
 * - blog 42 (bucket 7): running, with an open Down event; the writer repairs the projection: cleared.
 * - blog 57 (bucket 7): running, with an open Down event; left alone: persistent.
 * - blog 43 (bucket 8): running, with an open Seems Down event; the writer promotes the event to
 *   Down: still drifting, with another expected status and cause: changed.
 * - blog 60 (bucket 9): two site rows (ids 601 and 602), down (0) and confirmed down (2), no open event;
 *   the writer repairs the first (site id 601) only: 601 cleared, 602 persistent.
 * - blog 70 (bucket 9): starts drifting during the wait (no label: the report's snapshot did not see it).
 */
const fixture: { sites: SiteFixture[]; events: EventFixture[] } = {
  sites: [
    { siteId: 1, blogId: 42, bucket: 7, siteStatus: 1 },
    { siteId: 2, blogId: 57, bucket: 7, siteStatus: 1 },
    { siteId: 3, blogId: 43, bucket: 8, siteStatus: 1 },
    { siteId: 601, blogId: 60, bucket: 9, siteStatus: 0 },
    { siteId: 602, blogId: 60, bucket: 9, siteStatus: 2 },
    { siteId: 7, blogId: 70, bucket: 9, siteStatus: 1 },
  ],
  events: [
    { id: 123, blogId: 42, endpointId: 1, state: 'Down' },
    { id: 130, blogId: 57, endpointId: 1, state: 'Down' },
    { id: 131, blogId: 43, endpointId: 1, state: 'Seems Down' },
  ],
};

/** The concurrent writer: what happens between the two snapshots. */
async function writer(connection: Connection): Promise<void> {
  await connection.query('UPDATE jetpack_monitor_sites SET site_status = 2 WHERE jetpack_monitor_site_id = 1');
  await connection.query("UPDATE jetmon_events SET state = 'Down' WHERE id = 131");
  await connection.query('UPDATE jetpack_monitor_sites SET site_status = 1 WHERE jetpack_monitor_site_id = 601');
  await connection.query('UPDATE jetpack_monitor_sites SET site_status = 0 WHERE jetpack_monitor_site_id = 7');
}

/** Runs the CLI in this process; `beforeRecheck` runs after the wait, before the re-check's snapshot opens. */
async function run(args: string[], env: NodeJS.ProcessEnv, beforeRecheck?: () => Promise<void>, terminal = false): Promise<CliRun & { hooked: number }> {
  let stdout = '';
  let stderr = '';
  let hooked = 0;
  const status = await main(args, env, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    stderrIsTerminal: terminal,
    now: () => FIXED_NOW,
    beforeRecheck: async () => {
      hooked++;
      await beforeRecheck?.();
    },
  });
  return { status, stdout, stderr, hooked };
}

/** The lines a report without --recheck has: every recheck line and row marker taken out (and evidence ages read as 0). */
const withoutRecheck = (text: string) =>
  withoutAges(text)
    .split('\n')
    .filter((line) => !line.startsWith('INFO projection_drift_recheck_'))
    .map((line) => line.replace(/ {2}(PERSISTENT|CHANGED|CLEARED)$/, ''))
    .join('\n');

test('a concurrent writer during the wait: repaired sites are cleared, untouched ones persistent, a promoted event changed; exit 1', async () => {
  await withScratch(fixture, async ({ connection, env }) => {
    const plain = await runCli(['--range', '0-99', '--limit', '0'], env);
    const rechecked = await run(['--range', '0-99', '--limit', '0', '--recheck', '0.001'], env, () => writer(connection));
    assert.is(rechecked.hooked, 1);
    assert.is(rechecked.status, 1, rechecked.stderr);
    assert.is(rechecked.stderr, '');
    const lines = rechecked.stdout.split('\n');
    assert.equal(
      lines.filter((line) => line.startsWith('INFO projection_drift_recheck_')),
      [
        'INFO projection_drift_recheck_after_s=0.001',
        'INFO projection_drift_recheck_persistent=2',
        'INFO projection_drift_recheck_changed=1',
        'INFO projection_drift_recheck_cleared=2',
      ],
    );
    // Each listed row ends with its label, in listing order (bucket, blog_id, site id).
    const rows = lines.slice(lines.indexOf('## projection drift rows') + 2).filter((line) => /^\d/.test(line));
    assert.equal(
      rows.map((line) => [line.split(/\s+/)[0], /(PERSISTENT|CHANGED|CLEARED)$/.exec(line)?.[1]]),
      [['42', 'CLEARED'], ['57', 'PERSISTENT'], ['43', 'CHANGED'], ['60', 'CLEARED'], ['60', 'PERSISTENT']],
    );
    // Every other line is what the same snapshot prints without --recheck.
    assert.fixture(withoutRecheck(rechecked.stdout), plain.stdout);
  });
});

test('every drifting site cleared on the re-check: exit 0, the report still lists what it saw; JSON and Markdown say so', async () => {
  await withScratch(fixture, async ({ connection, env }) => {
    const repairAll = async () => {
      await connection.query('UPDATE jetpack_monitor_sites SET site_status = 2 WHERE blog_id IN (42, 57)');
      await connection.query('UPDATE jetpack_monitor_sites SET site_status = 0 WHERE blog_id = 43');
      await connection.query('UPDATE jetpack_monitor_sites SET site_status = 1 WHERE blog_id = 60');
    };
    const json = await run(['--range', '0-99', '--format', 'json', '--recheck', '2.5'], env, repairAll);
    assert.is(json.status, 0, json.stderr);
    const report = assertValidJsonReport(json.stdout);
    assert.is(report.ok, false);
    assert.is(report.drift_count, 5);
    assert.equal(report.recheck, {
      after_s: 2.5,
      persistent: 0,
      changed: 0,
      cleared: 5,
      persistent_blog_ids: [],
      changed_blog_ids: [],
      cleared_blog_ids: [42, 57, 43, 60, 60],
    });
    assert.equal(report.rows.map((row: { recheck: string }) => row.recheck), ['cleared', 'cleared', 'cleared', 'cleared', 'cleared']);
    assert.equal(report.timings.statements.map((s: { name: string }) => s.name), ['drift_per_site', 'drift_evidence', 'drift_evidence_transitions', 'recheck_drift_per_site']);
    // A re-checked report serves as a --baseline like any other.
    const folder = mkdtempSync(join(tmpdir(), 'pd-recheck-'));
    try {
      writeFileSync(join(folder, 'before.json'), json.stdout);
      const compared = await runCli(['--range', '0-99', '--baseline', join(folder, 'before.json')], env);
      assert.is(compared.status, 0, compared.stderr);
      assert.match(compared.stdout, 'INFO projection_drift_baseline_resolved=4\n');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
  await withScratch(fixture, async ({ connection, env }) => {
    const markdown = await run(['--range', '0-99', '--format', 'markdown', '--recheck', '1'], env, async () => {
      await connection.query('UPDATE jetpack_monitor_sites SET site_status = 2 WHERE blog_id IN (42, 57)');
      await connection.query('UPDATE jetpack_monitor_sites SET site_status = 0 WHERE blog_id = 43');
      await connection.query('UPDATE jetpack_monitor_sites SET site_status = 1 WHERE blog_id = 60');
    });
    assert.is(markdown.status, 0, markdown.stderr);
    assert.match(markdown.stdout, '## Re-check\n\nEvery drifting site was checked again in a new snapshot 1 s after the report\'s. Every one of them cleared');
    assert.match(markdown.stdout, '| Persistent | Changed | Cleared |\n| ---: | ---: | ---: |\n| 0 | 0 | 5 |\n\nCleared blogs: 42, 57, 43, 60, 60.\n');
    assert.match(markdown.stdout, '| Blog | Bucket | Site status | Expected | Event | Open events | Cause | Event state | Re-check |\n| ---: | ---: | --- | --- | ---: | ---: | --- | --- | --- |\n');
    // Every table row has as many cells as its header.
    const rows = markdown.stdout.split('\n').filter((line) => line.startsWith('| 4') || line.startsWith('| 5') || line.startsWith('| 6'));
    assert.ok(rows.length >= 5);
    for (const row of rows.filter((line) => line.endsWith('cleared |'))) assert.is(row.split(' | ').length, 9, row);
  });
});

test('--limit lists the first rows but the re-check covers every drifting site of the range', async () => {
  await withScratch(fixture, async ({ connection, env }) => {
    const json = await run(['--range', '0-99', '--format', 'json', '--limit', '1', '--recheck', '0.01'], env, () => writer(connection));
    assert.is(json.status, 1);
    const report = assertValidJsonReport(json.stdout);
    assert.is(report.rows.length, 1);
    assert.is(report.rows_truncated, 4);
    assert.is(report.rows[0].recheck, 'cleared');
    // The report listed fewer rows than drift: its snapshot still recorded every drifting site, with no statement of its own.
    assert.equal(report.timings.statements.map((s: { name: string }) => s.name), ['drift_per_site', 'drift_evidence', 'drift_evidence_transitions', 'recheck_drift_per_site']);
    assert.equal(
      [report.recheck.persistent_blog_ids, report.recheck.changed_blog_ids, report.recheck.cleared_blog_ids],
      [[57, 60], [43], [42, 60]],
    );
  });
});

test('nothing drifts: no wait, no second snapshot, counts of 0 and exit 0', async () => {
  await withScratch({ sites: [{ blogId: 1, bucket: 1, siteStatus: 1 }] }, async ({ env }) => {
    const text = await run(['--range', '0-99', '--recheck', '600'], env);
    assert.is(text.status, 0);
    assert.is(text.hooked, 0);
    assert.is(
      text.stdout,
      [
        'INFO projection_drift_range=0-99',
        'INFO projection_drift_query_version=v6',
        'INFO legacy_projection_drift=0',
        'INFO projection_drift_recheck_after_s=600',
        'INFO projection_drift_recheck_persistent=0',
        'INFO projection_drift_recheck_changed=0',
        'INFO projection_drift_recheck_cleared=0',
        'PASS legacy_projection_drift=0',
        '',
      ].join('\n'),
    );
  });
});

test('blog ids past 2^53 stay exact in the re-check', async () => {
  const big = '18446744073709551615';
  await withScratch({ sites: [{ blogId: big, bucket: 3, siteStatus: 0 }] }, async ({ env }) => {
    const json = await run(['--range', '0-99', '--format', 'json', '--recheck', '0.001'], env);
    assert.is(json.status, 1);
    assertValidJsonReport(json.stdout);
    const report = parseExactJson(json.stdout);
    assert.equal(report.recheck.persistent_blog_ids, [big]);
    assert.is(report.rows[0].recheck, 'persistent');
  });
});

test('--recheck 0 is no re-check; a negative or malformed value is exit 2 naming the option', async () => {
  await withScratch(fixture, async ({ env }) => {
    const plain = await runCli(['--range', '0-99'], env);
    const zero = await run(['--range', '0-99', '--recheck', '0'], env);
    assert.is(zero.status, 1);
    assert.is(zero.hooked, 0);
    assert.is(withoutAges(zero.stdout), withoutAges(plain.stdout));
  });
  for (const value of ['-1', 'abc', '1e3', '1,5', '86401', '']) {
    const bad = await runCli(['--range', '0-99', `--recheck=${value}`], { DB_PORT: '1' });
    assert.is(bad.status, 2, value);
    assert.match(bad.stderr, value === '' ? '--recheck needs a value' : `invalid --recheck "${value}"`, value);
  }
});

test('the re-check matches duplicate site rows of a blog as a group, whatever their order', () => {
  const row = (blogId: string, siteStatus: number, cause = 'stale_legacy_down_projection'): DriftRow => ({
    blogId,
    bucket: 9,
    siteStatus,
    expectedStatus: 1,
    eventId: null,
    openEvents: 0,
    cause,
    eventState: null,
  });
  const labels = async (first: DriftRow[], second: DriftRow[]) => {
    const recheck = new Recheck(1000);
    for (const r of first) recheck.observe(r);
    await recheck.match([second]);
    return first.map((_, index) => recheck.label(index));
  };
  return (async () => {
    // The first row repaired, the second kept: a positional merge would call the first changed.
    assert.equal(await labels([row('60', 0), row('60', 2)], [row('60', 2)]), ['cleared', 'persistent']);
    assert.equal(await labels([row('60', 0), row('60', 2)], [row('60', 0)]), ['persistent', 'cleared']);
    // Both changed their status: changed, in order; a third row in the second snapshot gets no label.
    assert.equal(await labels([row('60', 0), row('60', 2)], [row('60', 3, 'unexpected_projection_value'), row('60', 4, 'unexpected_projection_value'), row('60', 5)]), [
      'changed',
      'changed',
    ]);
    // Rows before, between and after a group, some new in the second snapshot only.
    assert.equal(await labels([row('1', 0), row('60', 0), row('60', 0), row('99', 0)], [row('2', 0), row('60', 0), row('61', 0), row('99', 2)]), [
      'cleared',
      'persistent',
      'cleared',
      'changed',
    ]);
    // More rows than the first capacity of the packed columns.
    const many = Array.from({ length: 5000 }, (_, i) => ({ ...row(String(1000 + i), 0), bucket: 1 }));
    const recheck = new Recheck(1000);
    for (const r of many) recheck.observe(r);
    await recheck.match([many.filter((_, i) => i % 2 === 0)]);
    const result = recheck.result();
    assert.equal([result.persistent, result.changed, result.cleared], [2500, 0, 2500]);
    assert.equal(result.clearedBlogIds.slice(0, 2), ['1001', '1003']);
    assert.equal([...result.persistentBlogIds].length, 2500);
  })();
});

test('on a terminal the wait counts down on stderr in place and erases itself; piped, stderr stays empty', async () => {
  await withScratch(fixture, async ({ env }) => {
    const terminal = await run(['--range', '0-99', '--recheck', '0.3'], env, undefined, true);
    assert.is(terminal.status, 1);
    const countdown = terminal.stderr.split('\n').at(-1)!;
    assert.match(countdown, /^\rprojection-drift: re-checking every drifting site in 0\.3 s\u001b\[K/);
    assert.ok(countdown.endsWith('\r\u001b[K'), JSON.stringify(countdown));
    const piped = await run(['--range', '0-99', '--recheck', '0.3'], env);
    assert.is(piped.stderr, '');
  });
});

/** Connections other than this one to `database`. */
async function otherConnections(connection: Connection, database: string): Promise<number> {
  const [rows] = await connection.query(`SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()`, [database]);
  return Number((rows as { n: number }[])[0]!.n);
}

/** A report statement of `database` running on the server (waiting on a lock, here). */
async function reportStatementRunning(connection: Connection, database: string): Promise<true | undefined> {
  const [rows] = await connection.query(
    `SELECT id FROM information_schema.processlist WHERE db = ? AND info LIKE '%-- name: drift_%' AND id <> CONNECTION_ID()`,
    [database],
  );
  return (rows as unknown[]).length > 0 ? true : undefined;
}

/**
 * Runs the built CLI with `--recheck S --out` over an earlier report; a write lock holds its first
 * statement until the test has seen it, then the test waits for the first snapshot to close and calls
 * `interrupt`, which sends the signal. The run must end with `status` and the one line `stderr`, having
 * written nothing.
 */
async function interruptAfterFirstSnapshot(
  seconds: string,
  interrupt: (scratch: { connection: Connection; database: string; signal: (name: NodeJS.Signals) => void }) => Promise<void>,
  expected: { status: number; stderr: string },
): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'pd-recheck-'));
  const out = join(folder, 'report.txt');
  writeFileSync(out, 'previous report\n');
  try {
    await withScratch(fixture, async ({ connection, database, env }) => {
      await connection.query('LOCK TABLES jetpack_monitor_sites WRITE');
      const cli = startCli(['--range', '0-99', '--recheck', seconds, '--out', out], env);
      try {
        await waitFor(() => reportStatementRunning(connection, database), BOUND_MS, 'the report statement');
        await connection.query('UNLOCK TABLES');
        await waitFor(async () => ((await otherConnections(connection, database)) === 0 ? true : undefined), BOUND_MS, 'the first snapshot closed');
        await interrupt({ connection, database, signal: (name) => cli.child.kill(name) });
        const exit = await within(cli.exit, BOUND_MS, 'the interrupted run');
        assert.is(exit.status, expected.status, exit.stderr);
        assert.is(exit.stderr, expected.stderr);
        assert.is(exit.stdout, '');
        assert.is(readFileSync(out, 'utf8'), 'previous report\n');
        assert.equal(readdirSync(folder), ['report.txt']);
      } finally {
        cli.child.kill('SIGKILL');
        await connection.query('UNLOCK TABLES');
      }
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${signal} during the wait: exit ${status}, one line, nothing written`, async () => {
    // After the first snapshot the run waits 600 s: the signal can only reach it there.
    await interruptAfterFirstSnapshot('600', async ({ signal: send }) => send(signal), {
      status,
      stderr: 'projection-drift: interrupted while waiting to re-check; no query was left running on the server\n',
    });
  });
}

test("SIGINT during the re-check's snapshot: its statement is cancelled on the server, exit 130, nothing written", async () => {
  await interruptAfterFirstSnapshot(
    '3',
    async ({ connection, database, signal }) => {
      // Within the 3 s wait: the lock now holds the re-check's statement.
      await connection.query('LOCK TABLES jetpack_monitor_sites WRITE');
      await waitFor(() => reportStatementRunning(connection, database), BOUND_MS, "the re-check's statement");
      signal('SIGINT');
    },
    { status: 130, stderr: 'projection-drift: interrupted; the query on the server was cancelled\n' },
  );
});

test.run();

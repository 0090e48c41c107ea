import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { envFor, runCli, withScratch } from './support/scratch.js';
import { QUERY_VERSION } from '../src/report/drift_queries.js';
import { seedFixture } from './support/seed_fixture.js';
import { assertGolden, assertValidJsonReport, tableRowCells, withoutAges, withoutTimings } from './support/report_checks.js';

const seedArgs = ['--range', '0-99', '--limit', '1'];
const clean = { sites: [{ blogId: 5, bucket: 0, siteStatus: 1 }] };
/** Output made independent of the scratch database's name and the test server's address. */
const normalized = (output: string, env: NodeJS.ProcessEnv) =>
  withoutAges(withoutTimings(output))
    .replace(/pd\\?_test\\?_\d+\\?_[0-9a-f]+/g, 'SCRATCH_DB')
    .split(`${env.DB_HOST}:${env.DB_PORT}`)
    .join('SERVER');

// The seed's text report is stored only as the README's example, which docs_example.test.ts checks.
for (const [format, file] of [['markdown', 'seed.md'], ['json', 'seed.json']] as const) {
  test(`${format}: golden report for the seed example`, async () => {
    await withScratch(seedFixture, async ({ env }) => {
      const run = await runCli([...seedArgs, '--format', format], env);
      assert.is(run.status, 1);
      assert.is(run.stderr, '');
      if (format === 'json') assertValidJsonReport(run.stdout);
      assertGolden(file, normalized(run.stdout, env));
    });
  });
}

for (const [format, file] of [['markdown', 'clean.md'], ['json', 'clean.json']] as const) {
  test(`${format}: golden report without drift`, async () => {
    await withScratch(clean, async ({ env }) => {
      const run = await runCli(['--range', '0-9', '--format', format], env);
      assert.is(run.status, 0);
      if (format === 'json') {
        const report = assertValidJsonReport(run.stdout);
        assert.equal([report.ok, report.drift_count, report.failures, report.rows], [true, 0, [], []]);
      }
      assertGolden(file, normalized(run.stdout, env));
    });
  });
}

test('text golden: the seed example with the query version line', async () => {
  await withScratch(seedFixture, async ({ env }) => {
    const run = await runCli([...seedArgs, '--format', 'text'], env);
    assert.ok(run.stdout.startsWith(`INFO projection_drift_range=0-99\nINFO projection_drift_query_version=${QUERY_VERSION}\n`));
  });
});

test('all three formats agree on counts, groups, causes and rows', async () => {
  await withScratch(seedFixture, async ({ env }) => {
    const json = assertValidJsonReport((await runCli([...seedArgs, '--format', 'json'], env)).stdout);
    const text = (await runCli(seedArgs, env)).stdout;
    const markdown = (await runCli([...seedArgs, '--format', 'markdown'], env)).stdout;
    assert.is(json.drift_count, 3);
    assert.match(text, `INFO legacy_projection_drift=${json.drift_count}\n`);
    assert.match(markdown, `| Drifting sites | ${json.drift_count} |`);
    for (const cause of json.causes) {
      assert.match(text, `WARN projection_drift_cause=${cause.cause} count=${cause.count} `);
      assert.match(markdown, `| ${cause.cause.replaceAll('_', '\\_')} | ${cause.count} |`);
    }
    assert.is(json.rows_truncated, 2);
    assert.match(text, 'INFO projection_drift_rows_truncated=2\n');
    assert.match(markdown, '2 more drifting sites not listed');
  });
});

test('ids past 2^53 keep every digit in all three formats', async () => {
  const top = '18446744073709551615';
  const fixture = {
    sites: [{ siteId: top, blogId: top, bucket: 2, siteStatus: 1 }, { siteId: 1, blogId: '9007199254740993', bucket: 2, siteStatus: 0 }],
    events: [{ id: '18446744073709551614', blogId: top, state: 'Down' }],
  };
  await withScratch(fixture, async ({ env }) => {
    const json = (await runCli(['--range', '2', '--format', 'json'], env)).stdout;
    assertValidJsonReport(json);
    assert.match(json, `"blog_id": 9007199254740993,`);
    assert.match(json, `"blog_id": ${top},`);
    assert.match(json, `"event_id": 18446744073709551614,`);
    assert.match(json, `"sample_blog_id": ${top},`);
    const text = (await runCli(['--range', '2'], env)).stdout;
    assert.match(text, new RegExp(`^${top} +2 +1/SITE_RUNNING +2/SITE_CONFIRMED_DOWN +18446744073709551614 `, 'm'));
    const markdown = (await runCli(['--range', '2', '--format', 'markdown'], env)).stdout;
    assert.match(markdown, `| ${top} | 2 | 1/SITE_RUNNING | 2/SITE_CONFIRMED_DOWN | 18446744073709551614 |`);
  });
});

/** Event states (VARCHAR(32)) written to break tables, inject HTML or reorder text. */
const hostileStates = [
  '|a|b|c|',
  '`code` \\| \\',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  'line\nbreak\r\nx',
  '\u202eevil\u2066\u2069\u200f',
  '[link](javascript:alert(1))',
  '**bold** _it_ # h ~~s~~ &amp;',
  '\u001b[31mred\u009b0m\u0007\u007f',
];

test('markdown: hostile database strings leave every table row with eight cells and no HTML', async () => {
  const fixture = {
    sites: hostileStates.map((_, i) => ({ blogId: 100 + i, bucket: 4, siteStatus: 0 })),
    events: hostileStates.map((state, i) => ({ blogId: 100 + i, state })),
  };
  await withScratch(fixture, async ({ env }) => {
    const run = await runCli(['--range', '4', '--format', 'markdown', '--limit', '0', '--summary-limit', '0'], env);
    assert.is(run.status, 1);
    assert.not.match(run.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f]/);
    const markdown = new MarkdownIt({ html: true });
    const tokens = markdown.parse(run.stdout, {});
    assert.not.ok(tokens.some((t) => t.type === 'html_block' || t.children?.some((c) => c.type === 'html_inline')));
    const rows = tableRowCells(tokens);
    // Run facts (header + 5) have 2 cells; summary and rows tables (header + 9 each) have 8; causes (header + 1) have 3;
    // the evidence table (header + 9) has 8.
    assert.equal(rows, [...Array(6).fill(2), ...Array(10).fill(8), 3, 3, ...Array(10).fill(8), ...Array(10).fill(8)]);
    const html = markdown.render(run.stdout);
    assert.not.match(html, /<script|<img|<a |javascript:<\/a>|<strong>bold/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(html, /\*\*bold\*\*/);
  });
});

test('json: hostile strings keep their data under JSON escaping', async () => {
  const fixture = {
    sites: hostileStates.map((_, i) => ({ blogId: 100 + i, bucket: 4, siteStatus: 0 })),
    events: hostileStates.map((state, i) => ({ blogId: 100 + i, state })),
  };
  await withScratch(fixture, async ({ env }) => {
    const report = assertValidJsonReport((await runCli(['--range', '4', '--format', 'json', '--limit', '0'], env)).stdout);
    assert.equal(report.rows.map((r: { event_state: string }) => r.event_state), hostileStates);
  });
});

test('json: a failed run still prints exactly one JSON document, for usage and for could-not-check', async () => {
  const usage = await runCli(['--range', '5-1', '--format', 'json'], envFor('jetmon_db', { DB_PORT: '1' }));
  assert.is(usage.status, 2);
  const usageDoc = assertValidJsonReport(usage.stdout);
  assert.equal([usageDoc.ok, usageDoc.error.kind, usageDoc.error.exit_code], [false, 'usage', 2]);
  assert.match(usageDoc.failures[0], 'the first bucket (5) is greater than the last (1)');
  const unreachable = await runCli(['--format=json', '--range', '1'], envFor('jetmon_db', { DB_PORT: '1' }));
  assert.is(unreachable.status, 3);
  const checkDoc = assertValidJsonReport(unreachable.stdout);
  assert.equal([checkDoc.error.kind, checkDoc.error.exit_code], ['could_not_check', 3]);
  assert.match(unreachable.stderr, /^projection-drift: could not check: cannot reach/);
  // The monitor's spelling, and the last of --format/--output winning as it does for a report (issue 12, item 10).
  for (const args of [['--output=json'], ['--output', 'json'], ['--format', 'text', '--output=json']]) {
    const run = await runCli([...args, '--range', '1'], envFor('jetmon_db', { DB_PORT: '1' }));
    assert.is(run.status, 3);
    assert.is(assertValidJsonReport(run.stdout).error.kind, 'could_not_check', args.join(' '));
  }
  for (const args of [['--output=json', '--format', 'text'], ['--format=json', '--output=markdown']]) {
    const run = await runCli([...args, '--range', '1'], envFor('jetmon_db', { DB_PORT: '1' }));
    assert.is(run.status, 3);
    assert.is(run.stdout, '', `${args.join(' ')} asked for a non-JSON report`);
    assert.match(run.stderr, /^projection-drift: could not check: cannot reach/);
  }
});

test('--out replaces the file atomically, keeps the exit code, and leaves the old file on failure', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'pd-out-'));
  const out = join(folder, 'drift.json');
  try {
    writeFileSync(out, 'previous report\n');
    const failed = await runCli(['--range', '1', '--format', 'json', '--out', out], envFor('jetmon_db', { DB_PORT: '1' }));
    assert.is(failed.status, 3);
    assert.is(failed.stdout, '');
    assert.is(readFileSync(out, 'utf8'), 'previous report\n');
    const badRange = await runCli(['--range', 'x', '--out', out], envFor('jetmon_db'));
    assert.is(badRange.status, 2);
    assert.is(readFileSync(out, 'utf8'), 'previous report\n');
    await withScratch(seedFixture, async ({ env }) => {
      const run = await runCli([...seedArgs, '--format', 'json', '--out', out], env);
      assert.is(run.status, 1);
      assert.is(run.stdout, '');
      assert.is(assertValidJsonReport(readFileSync(out, 'utf8')).drift_count, 3);
    });
    assert.equal(readdirSync(folder), ['drift.json']);
    const missingFolder = await runCli(['--out', join(folder, 'no', 'such.txt')], envFor('jetmon_db', { DB_PORT: '1' }));
    assert.is(missingFolder.status, 2);
    assert.match(missingFolder.stderr, /invalid --out .*does not exist/);
    assert.not.ok(existsSync(join(folder, 'no')));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test.run();

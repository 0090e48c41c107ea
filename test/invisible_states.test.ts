import MarkdownIt from 'markdown-it';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, withScratch } from './support/scratch.js';
import { assertValidJsonReport } from './support/report_checks.js';

/** Event states that look like `Down` or `Seems Down`, or that a Markdown renderer would turn into a link, and how they must print. */
const states: readonly { state: string; shown: string }[] = [
  { state: 'Down ', shown: 'Down?' },
  { state: ' Down', shown: '?Down' },
  { state: 'Down\u200b', shown: 'Down?' },
  { state: 'Down\ufeff', shown: 'Down?' },
  { state: 'Do\u2060wn', shown: 'Do?wn' },
  { state: 'Seems\u00a0Down', shown: 'Seems?Down' },
  { state: 'Seems  Down', shown: 'Seems??Down' },
  { state: 'Down\ufe0f', shown: 'Down?' },
  { state: 'Down\u3164', shown: 'Down?' },
  { state: 'see https://evil.example/x', shown: 'see https://evil.example/x' },
  { state: 'www.evil.com', shown: 'www.evil.com' },
  { state: 'ops@evil.example', shown: 'ops@evil.example' },
];
const fixture = {
  sites: states.map((_, i) => ({ blogId: 200 + i, bucket: 6, siteStatus: 0 })),
  events: states.map(({ state }, i) => ({ blogId: 200 + i, state })),
};

test('text: states with invisible characters or stray spaces print with a visible `?`', async () => {
  await withScratch(fixture, async ({ env }) => {
    const run = await runCli(['--range', '6', '--limit', '0'], env);
    assert.is(run.status, 1, run.stderr);
    states.forEach(({ shown }, i) => {
      const row = run.stdout.split('\n').find((line) => line.startsWith(`${200 + i} `));
      assert.ok(row, `row of blog ${200 + i}`);
      assert.ok(row!.endsWith(` ${shown}`), `${JSON.stringify(row)} ends with ${JSON.stringify(shown)}`);
    });
  });
});

test('markdown: the same states show their `?`, and no database string renders as a link', async () => {
  await withScratch(fixture, async ({ env }) => {
    const run = await runCli(['--range', '6', '--limit', '0', '--summary-limit', '0', '--format', 'markdown'], env);
    assert.is(run.status, 1, run.stderr);
    const tokens = new MarkdownIt({ html: true, linkify: true }).parse(run.stdout, {});
    const inline = tokens.filter((t) => t.type === 'inline');
    assert.not.ok(inline.some((t) => t.children!.some((c) => c.type === 'link_open' || c.type === 'html_inline')));
    const rowsAt = tokens.findIndex((t, i) => t.type === 'heading_open' && tokens[i + 1]!.content === 'Drifting sites');
    assert.ok(rowsAt > 0, 'the drifting-sites section');
    /** Each body row of the drifting-sites table as the text of its cells. */
    const rows: string[][] = [];
    let cells: string[] = [];
    for (const token of tokens.slice(rowsAt)) {
      if (token.type === 'table_close') break;
      if (token.type === 'tr_open') cells = [];
      if (token.type === 'inline') cells.push(token.children!.map((c) => c.content).join(''));
      if (token.type === 'tr_close') rows.push(cells);
    }
    states.forEach(({ shown }, i) => {
      const row = rows.find((cellsOfRow) => cellsOfRow[0] === String(200 + i));
      assert.ok(row, `row of blog ${200 + i}`);
      assert.is(row!.length, 8, JSON.stringify(row));
      assert.is(row![7], shown);
    });
  });
});

test('json: the states keep their exact characters', async () => {
  await withScratch(fixture, async ({ env }) => {
    const report = assertValidJsonReport((await runCli(['--range', '6', '--limit', '0', '--format', 'json'], env)).stdout);
    assert.equal(
      report.rows.map((r: { event_state: string }) => r.event_state),
      states.map(({ state }) => state),
    );
  });
});

test.run();

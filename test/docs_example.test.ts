import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli.js';
import { builtCli, envFor, FIXED_NOW, runCli, withScratch } from './support/scratch.js';
import { seedFixture } from './support/seed_fixture.js';

/**
 * The README's examples, run as written (`make docs-verify`).
 *
 * The seed example's text report is stored once: in the README, under "Example". It is what the tool
 * prints for test/support/seed_fixture.ts with `--range 0-99 --limit 1`, byte for byte, and this test
 * is the only one that compares that run's text with a stored copy (formats.test.ts keeps goldens of
 * its Markdown and JSON forms only). The block is the monitor's own seed output plus this tool's
 * `INFO projection_drift_query_version=` line and, after the monitor's last line, the evidence
 * section (one line for the listed site; its age is the one value checked against the server clock
 * instead of the stored copy), so a change to it changes what the monitor's grep scripts read: it is
 * made by hand, in the README, never by UPDATE_GOLDEN.
 */
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test("the README's example report is exactly what the tool prints for the same data", async () => {
  const block = /<!-- example: seed fixture, --range 0-99 --limit 1 -->\n```text\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README example block not found');
  await withScratch(seedFixture, async ({ connection, env }) => {
    const serverNow = async () => {
      const [rows] = await connection.query('SELECT UNIX_TIMESTAMP(NOW(3)) AS now');
      return Math.round(Number((rows as { now: string }[])[0]!.now) * 1000);
    };
    const before = await serverNow();
    const run = await runCli(['--range', '0-99', '--limit', '1'], env);
    const after = await serverNow();
    assert.is(run.status, 1);
    assert.is(run.stderr, '');
    // The one value that moves: the evidence's age on the server's clock, checked against it, then
    // taken as printed so the rest compares byte for byte.
    const printed = /drifting_since=(\S+) drifting_since_age_s=(\d+)/.exec(run.stdout);
    assert.ok(printed, run.stdout);
    const since = Date.parse(printed[1]!);
    const age = Number(printed[2]);
    assert.ok(Math.floor((before - since) / 1000) <= age && age <= Math.floor((after - since) / 1000), `age ${age}`);
    assert.fixture(run.stdout, block[1]!.replace(/drifting_since_age_s=\d+/, `drifting_since_age_s=${age}`));
  });
});

test("the README's gate script says each outcome once: drift, and could not check", async () => {
  const block = /<!-- example: gate script -->\n```sh\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README gate script not found');
  const script = block[1]!.replace('node dist/cli.js', `node ${builtCli}`);
  const folder = mkdtempSync(join(tmpdir(), 'pd-gate-'));
  const gate = (env: NodeJS.ProcessEnv) =>
    spawnSync('sh', ['-c', script], { cwd: folder, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  try {
    const unreachable = gate(envFor('jetmon_db', { DB_PORT: '1' }));
    assert.is(unreachable.status, 2);
    assert.match(unreachable.stdout, /^could not check: cannot reach the database server at 127\.0\.0\.1:1 /);
    assert.is(unreachable.stdout.split('could not check').length, 2, unreachable.stdout);
    await withScratch(seedFixture, async ({ env }) => {
      const drift = gate(env);
      assert.is([drift.status, drift.stdout].join(' '), '1 drift: 3 sites\n');
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test("the README's re-check example is what the tool prints when blog 42 is repaired during the wait", async () => {
  const block = /<!-- example: recheck, seed fixture, --range 0-99 --limit 3 --recheck 1, blog 42 repaired during the wait -->\n```text\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README re-check example block not found');
  await withScratch(seedFixture, async ({ connection, env }) => {
    let stdout = '';
    const status = await main(['--range', '0-99', '--limit', '3', '--recheck', '1'], env, {
      stdout: (text) => void (stdout += text),
      stderr: () => {},
      stderrIsTerminal: false,
      now: () => FIXED_NOW,
      beforeRecheck: async () => void (await connection.query('UPDATE jetpack_monitor_sites SET site_status = 2 WHERE blog_id = 42')),
    });
    assert.is(status, 1);
    // Ages move with the clock (the first test checks one against the server's); compared as printed.
    const ages = (stdout.match(/drifting_since_age_s=\d+/g) ?? []).values();
    assert.fixture(stdout, block[1]!.replace(/drifting_since_age_s=\d+/g, () => ages.next().value ?? 'missing'));
  });
});

test.run();

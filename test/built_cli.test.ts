import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { builtCli, envFor, runCli, spawnCli, withScratch, type CliRun } from './support/scratch.js';
import { seedFixture } from './support/seed_fixture.js';
import { withoutAges, withoutTimings } from './support/report_checks.js';

// The built CLI (make build: one bundle, templates precompiled, parts loaded on demand, a code cache)
// against src/ run as it is (templates compiled from templates/, every module imported): the same
// bytes out, the same exit status, for each way a run can go.

const root = fileURLToPath(new URL('..', import.meta.url));

/** A run's output with what differs between two runs of the same report made equal: the clock, evidence ages and statement times. */
const comparable = (run: CliRun) => ({
  status: run.status,
  stdout: withoutTimings(withoutAges(run.stdout)).replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'TIME'),
  stderr: run.stderr,
});

function assertSameRun(args: string[], env: NodeJS.ProcessEnv, source: CliRun): void {
  const built = spawnCli(args, env);
  assert.equal(comparable(built), comparable(source), args.join(' '));
}

for (const format of ['text', 'markdown', 'json']) {
  test(`${format}: the built CLI writes what src/ writes, listing every row or some`, async () => {
    await withScratch(seedFixture, async ({ env }) => {
      for (const args of [['--range', '0-99', '--format', format], ['--range', '0-99', '--format', format, '--limit', '1', '--summary-limit', '1'], ['--range', '3', '--format', format]]) {
        assertSameRun(args, env, await runCli(args, env));
      }
    });
  });
}

test('--baseline: the built CLI loads the baseline reader when asked, and compares as src/ does', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'pd-built-'));
  try {
    await withScratch(seedFixture, async ({ env }) => {
      const baseline = join(folder, 'before.json');
      writeFileSync(baseline, (await runCli(['--range', '0-99', '--format', 'json', '--limit', '0'], env)).stdout);
      for (const format of ['text', 'json']) {
        const args = ['--range', '0-99', '--format', format, '--baseline', baseline];
        assertSameRun(args, env, await runCli(args, env));
      }
      // The schema validator, which the built CLI keeps in a file of its own, still refuses a damaged report.
      const damaged = join(folder, 'damaged.json');
      writeFileSync(damaged, readFileSync(baseline, 'utf8').replace('"drift_count": 3', '"drift_count": "3"'));
      const args = ['--range', '0-99', '--baseline', damaged];
      const source = await runCli(args, env);
      assert.is(source.status, 2);
      assertSameRun(args, env, source);
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('--help, --version and the errors yargs words come out of the built CLI as out of src/', async () => {
  const nowhere = envFor('jetmon_db', { DB_PORT: '1' });
  for (const args of [['--help'], ['--version'], ['--bogus'], ['--range', '0', '--range'], ['--output'], ['--range', '0', 'extra']]) {
    assertSameRun(args, nowhere, await runCli(args, nowhere));
  }
});

test("the built CLI's yargs still finds its own files: the version from any folder, messages in the user's language", () => {
  const folder = mkdtempSync(join(tmpdir(), 'pd-built-'));
  try {
    const run = (args: string[], env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, [builtCli, ...args], { cwd: folder, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    assert.is(run(['--version'], {}).stdout, `${version}\n`);
    // yargs ships German messages; a German locale gets them, as it did before the build bundled yargs.
    assert.is(run(['--bogus'], { LANG: 'de_DE.UTF-8' }).stderr, 'projection-drift: unbekanntes Argument: bogus; see --help\n');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a failed JSON run: the built CLI renders the failure document as src/ does', async () => {
  const nowhere = envFor('jetmon_db', { DB_PORT: '1' });
  for (const args of [['--range', '0', '--format', 'json'], ['--range', 'x', '--output=json']]) {
    const source = await runCli(args, nowhere);
    assert.ok(source.stdout.includes('"kind"'), 'a failure document');
    assertSameRun(args, nowhere, source);
  }
});

test('the build precompiles every template file under templates/, whatever its folder', () => {
  const bundle = readFileSync(join(root, 'dist', 'cli.bundle.cjs'), 'latin1');
  const templates = join(root, 'templates');
  const names = readdirSync(templates, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.hbs'))
    .map((file) => relative(templates, join(templates, file)).slice(0, -'.hbs'.length).split(sep).join('/'));
  assert.ok(names.length >= 10);
  for (const name of names) assert.ok(bundle.includes(`${JSON.stringify(name)}: {`), `templates/${name}.hbs is in the bundle`);
  assert.not.ok(bundle.includes('handlebars/compiler'), 'no template compiler in the bundle');
});

test.run();

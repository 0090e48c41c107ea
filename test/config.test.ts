import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCommand, type ReportOptions } from '../src/config/options.js';
import { UsageError } from '../src/errors.js';

const folder = mkdtempSync(join(tmpdir(), 'pd-config-'));
/** Writes a config file into the test folder and returns its path. */
function configFile(name: string, content: unknown): string {
  const path = join(folder, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

async function optionsFor(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<ReportOptions> {
  const command = await parseCommand(argv, env);
  if (command.kind !== 'report') throw new Error('expected a report command');
  return command.options;
}

async function usageError(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    await parseCommand(argv, env);
  } catch (error) {
    assert.instance(error, UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

test('without a config file (the default path missing) the range is 0..BUCKET_TOTAL-1', async () => {
  assert.equal((await optionsFor([])).range, { bucketMin: 0, bucketMax: 999 });
  assert.equal((await optionsFor([], { BUCKET_TOTAL: '10' })).range, { bucketMin: 0, bucketMax: 9 });
});

test("the config's BUCKET_TOTAL bounds ranges; the environment and the flag outrank it", async () => {
  const env = { JETMON_CONFIG: configFile('total.json', { BUCKET_TOTAL: 50 }) };
  assert.equal((await optionsFor([], env)).range, { bucketMin: 0, bucketMax: 49 });
  assert.match(await usageError(['--range', '0-50'], env), 'buckets run from 0 to 49 (BUCKET_TOTAL=50)');
  assert.is((await optionsFor([], { ...env, BUCKET_TOTAL: '60' })).bucketTotal, 60);
  assert.is((await optionsFor(['--bucket-total', '70'], { ...env, BUCKET_TOTAL: '60' })).bucketTotal, 70);
});

test('a pinned range is the default; an explicit range always wins', async () => {
  const pinned = { JETMON_CONFIG: configFile('pinned.json', { BUCKET_TOTAL: 1000, PINNED_BUCKET_MIN: 100, PINNED_BUCKET_MAX: 199 }) };
  const options = await optionsFor([], pinned);
  assert.equal(options.range, { bucketMin: 100, bucketMax: 199 });
  assert.match(options.notices[0]!, 'using the pinned range 100-199 from');
  assert.equal((await optionsFor(['--range', '5'], pinned)).range, { bucketMin: 5, bucketMax: 5 });
  assert.equal((await optionsFor(['--bucket-min=7', '--bucket-max=9'], pinned)).range, { bucketMin: 7, bucketMax: 9 });
  const legacy = { JETMON_CONFIG: configFile('legacy.json', { BUCKET_NO_MIN: 3, BUCKET_NO_MAX: 4 }) };
  assert.equal((await optionsFor([], legacy)).range, { bucketMin: 3, bucketMax: 4 });
  const both = { JETMON_CONFIG: configFile('both.json', { PINNED_BUCKET_MIN: 3, PINNED_BUCKET_MAX: 4, BUCKET_NO_MIN: 3, BUCKET_NO_MAX: 4 }) };
  assert.equal((await optionsFor([], both)).range, { bucketMin: 3, bucketMax: 4 });
});

test('config validation follows the monitor: pairs together, min <= max, max < BUCKET_TOTAL, nothing negative, pairs agree', async () => {
  const cases: [unknown, string][] = [
    [{ PINNED_BUCKET_MIN: 3 }, 'PINNED_BUCKET_MIN and PINNED_BUCKET_MAX must be set together'],
    [{ BUCKET_NO_MAX: 3 }, 'BUCKET_NO_MIN and BUCKET_NO_MAX must be set together'],
    [{ PINNED_BUCKET_MIN: 5, PINNED_BUCKET_MAX: 4 }, 'PINNED_BUCKET_MIN (5) is greater than PINNED_BUCKET_MAX (4)'],
    [{ BUCKET_TOTAL: 10, PINNED_BUCKET_MIN: 5, PINNED_BUCKET_MAX: 10 }, 'the pinned range 5-10 reaches past BUCKET_TOTAL=10'],
    [{ PINNED_BUCKET_MIN: -1, PINNED_BUCKET_MAX: 4 }, 'PINNED_BUCKET_MIN must be a non-negative whole number'],
    [{ BUCKET_TOTAL: 0 }, 'BUCKET_TOTAL must be at least 1'],
    [{ BUCKET_TOTAL: '1000' }, 'BUCKET_TOTAL must be a non-negative whole number, not "1000"'],
    [{ PINNED_BUCKET_MIN: 1, PINNED_BUCKET_MAX: 2, BUCKET_NO_MIN: 1, BUCKET_NO_MAX: 3 }, 'disagree; keep one pair'],
    [[1, 2], 'must hold a JSON object'],
  ];
  for (const [content, message] of cases) {
    const path = configFile('invalid.json', content);
    const error = await usageError([], { JETMON_CONFIG: path });
    assert.match(error, message);
    assert.match(error, path);
  }
});

test('a named config that is missing or not JSON is exit 2 naming the path', async () => {
  const missing = join(folder, 'nope.json');
  assert.match(await usageError([], { JETMON_CONFIG: missing }), `cannot read monitor config ${missing} (ENOENT)`);
  const broken = configFile('broken.json', '{"BUCKET_TOTAL": ');
  assert.match(await usageError([], { JETMON_CONFIG: broken }), `monitor config ${broken} is not valid JSON`);
});

test("the monitor's flags: --bucket-min/--bucket-max together, --output as --format, --limit", async () => {
  const options = await optionsFor(['--bucket-min=10', '--bucket-max=20', '--output=json', '--limit=5']);
  assert.equal([options.range, options.format, options.rowLimit], [{ bucketMin: 10, bucketMax: 20 }, 'json', 5]);
  assert.is((await optionsFor(['--output', 'markdown'])).format, 'markdown');
  assert.match(await usageError(['--bucket-min=10']), '--bucket-min and --bucket-max must be set together');
  assert.match(await usageError(['--bucket-max=10']), '--bucket-min and --bucket-max must be set together');
  assert.match(await usageError(['--range', '1-2', '--bucket-min=1', '--bucket-max=2']), 'either --range or --bucket-min/--bucket-max, not both');
  assert.match(await usageError(['--bucket-min=3', '--bucket-max=2']), 'invalid --bucket-min 3 --bucket-max 2: the first bucket (3) is greater than the last (2)');
  assert.match(await usageError(['--bucket-min=1', '--bucket-max=1000']), 'buckets run from 0 to 999');
  assert.match(await usageError(['--bucket-min=-1', '--bucket-max=3']), 'invalid --bucket-min "-1"');
  assert.match(await usageError(['--output=xml']), 'invalid --format "xml"');
});

test('evidence is read unless --no-evidence (or --evidence=false); any other value of --evidence is exit 2, never a silent off', async () => {
  assert.is((await optionsFor(['--range', '1'])).evidence, true);
  assert.is((await optionsFor(['--range', '1', '--evidence'])).evidence, true);
  assert.is((await optionsFor(['--range', '1', '--evidence=true'])).evidence, true);
  assert.is((await optionsFor(['--range', '1', '--no-evidence'])).evidence, false);
  assert.is((await optionsFor(['--range', '1', '--evidence=false'])).evidence, false);
  assert.is((await optionsFor(['--range', '1', '--no-evidence', '--evidence'])).evidence, true, 'the last one wins');
  for (const spelling of ['--evidence=yes', '--evidence=no', '--evidence=0', '--evidence=']) {
    assert.match(await usageError(['--range', '1', spelling]), `invalid ${spelling}: use --evidence or --no-evidence`);
  }
  assert.match(await usageError(['--range', '1', '--no-evidence=true']), 'unknown argument');
});

test.after(() => rmSync(folder, { recursive: true, force: true }));

test.run();

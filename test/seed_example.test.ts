import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, withScratch } from './support/scratch.js';
import { QUERY_VERSION } from '../src/drift_queries.js';
import { seedFixture } from './support/seed_fixture.js';

const seedReport = readFileSync(new URL('./golden/seed_example.txt', import.meta.url), 'utf8');
const logLine = /^(INFO|WARN|PASS|FAIL) [a-z_]+=/;

test('reproduces every line of the seed example, in order, with only LEVEL key=value lines added', async () => {
  await withScratch(seedFixture, async ({ env }) => {
    const run = await runCli(['--range', '0-99', '--limit', '1'], env);
    assert.is(run.status, 1);
    assert.is(run.stderr, '');
    const lines = run.stdout.split('\n');
    const seedLines = new Set(seedReport.split('\n'));
    const extras = lines.filter((line) => !seedLines.has(line));
    assert.equal(extras, [`INFO projection_drift_query_version=${QUERY_VERSION}`]);
    for (const extra of extras) assert.match(extra, logLine);
    assert.fixture(lines.filter((line) => !extras.includes(line)).join('\n'), seedReport);
  });
});

test.run();

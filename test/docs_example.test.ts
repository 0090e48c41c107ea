import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, withScratch } from './support/scratch.js';
import { seedFixture } from './support/seed_fixture.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test("the README's example report is exactly what the tool prints for the same data", async () => {
  const block = /<!-- example: seed fixture, --range 0-99 --limit 1 -->\n```text\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README example block not found');
  await withScratch(seedFixture, async ({ env }) => {
    const run = await runCli(['--range', '0-99', '--limit', '1'], env);
    assert.fixture(run.stdout, block[1]!);
  });
});

test.run();

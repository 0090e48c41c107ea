import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  benchDatabaseName,
  eventIdBlock,
  parseSiteCount,
  siteBatches,
  sizeLabel,
} from '../src/bench/bench_size.js';
import { schemaTables } from '../src/bench/generate_bench_db.js';

test('parses site counts with k and M suffixes, separators and plain digits', () => {
  assert.is(parseSiteCount('10M'), 10_000_000);
  assert.is(parseSiteCount('1m'), 1_000_000);
  assert.is(parseSiteCount('500k'), 500_000);
  assert.is(parseSiteCount('2.5M'), 2_500_000);
  assert.is(parseSiteCount('10000000'), 10_000_000);
  assert.is(parseSiteCount('10_000_000'), 10_000_000);
  assert.is(parseSiteCount('1,000,000'), 1_000_000);
});

test('refuses counts that are not whole, positive or within 100M, naming the option', () => {
  for (const bad of ['', '0', '-5', 'ten', '10G', '1.5', '101M', '1e6']) {
    assert.throws(() => parseSiteCount(bad, 'SITES'), /^SITES must be a site count/, bad);
  }
});

test('labels sizes for database names', () => {
  assert.is(sizeLabel(10_000_000), '10m');
  assert.is(sizeLabel(500_000), '500k');
  assert.is(sizeLabel(1234), '1234');
});

test('keeps the 1M databases\' names and adds the size to every other size', () => {
  assert.is(benchDatabaseName('standard', 'fresh'), 'projection_drift_bench');
  assert.is(benchDatabaseName('standard', 'production', 1_000_000), 'projection_drift_bench_production');
  assert.is(benchDatabaseName('standard', 'fresh', 10_000_000), 'projection_drift_bench_10m');
  assert.is(benchDatabaseName('standard', 'production', 10_000_000), 'projection_drift_bench_production_10m');
  assert.is(benchDatabaseName('drifting', 'production', 10_000_000), 'projection_drift_bench_drifting_production');
  assert.is(benchDatabaseName('empty', 'fresh'), 'projection_drift_bench_empty');
});

test('event id block: 1000003 up to 1M sites (the 1M data keeps its ids), else the next prime above the count', () => {
  assert.is(eventIdBlock(1000), 1_000_003);
  assert.is(eventIdBlock(1_000_000), 1_000_003);
  assert.is(eventIdBlock(10_000_000), 10_000_019);
  const block = eventIdBlock(2_000_000);
  assert.ok(block > 2_000_000);
  for (let d = 2; d * d <= block; d++) assert.ok(block % d !== 0, `${block} is divisible by ${d}`);
});

test('splits the sites into batches of at most a million, covering each once', () => {
  assert.equal(siteBatches(1_000_000), [{ first: 1, last: 1_000_000 }]);
  assert.equal(siteBatches(2_500_000), [
    { first: 1, last: 1_000_000 },
    { first: 1_000_001, last: 2_000_000 },
    { first: 2_000_001, last: 2_500_000 },
  ]);
  assert.equal(siteBatches(5, 2), [{ first: 1, last: 2 }, { first: 3, last: 4 }, { first: 5, last: 5 }]);
});

test('the tables a complete benchmark database must have are read from the schema code, not its comments', () => {
  const tables = ['jetmon_event_transitions', 'jetmon_events', 'jetpack_monitor_sites'];
  assert.equal(schemaTables('fresh').sort(), tables);
  assert.equal(schemaTables('production').sort(), tables);
});

test.run();

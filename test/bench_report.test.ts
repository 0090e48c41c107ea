import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatTarget, verdictOf, type Target } from '../src/bench/targets.js';
import { formatMs, formatRatio, formatShare, formatTable, median, sumByName } from '../src/bench/stats.js';
import { parsePlan, parseRanges, parseSkip, RANGE_PRESETS, type BenchRange } from '../src/bench/bench_plan.js';
import { mainTable, targetsOf, type BenchResult, type Samples } from '../src/bench/run_bench.js';
import type { BenchDatabase } from '../src/bench/generate_bench_db.js';
import { reportDriftCount, reportTimings } from '../src/bench/cli_probe.js';

const target = (over: Partial<Target>): Target => ({
  title: '10 buckets: ours CLI / seed',
  value: 0.5,
  direction: 'max',
  limit: 0.67,
  unit: 'ratio',
  ...over,
});

test('a target holds at its limit, fails past it and is skipped when not measured', () => {
  assert.is(verdictOf(target({ value: 0.67 })), 'PASS');
  assert.is(verdictOf(target({ value: 0.671 })), 'FAIL');
  assert.is(verdictOf(target({ value: Number.NaN })), 'SKIP');
  assert.is(verdictOf(target({ value: 6, direction: 'min', limit: 6 })), 'PASS');
  assert.is(verdictOf(target({ value: 5.9, direction: 'min', limit: 6 })), 'FAIL');
  assert.is(verdictOf(target({ value: 200, direction: 'under', limit: 200 })), 'FAIL');
});

test('a target line gives the figure, the limit and whether the goal is met', () => {
  assert.is(
    formatTarget(target({ value: 0.5, goal: 0.33 })),
    'PASS 10 buckets: ours CLI / seed = 0.500x (target <= 0.670x; goal <= 0.330x not met)',
  );
  assert.is(
    formatTarget(target({ title: '100 buckets: seed / ours CLI', value: 12, direction: 'min', limit: 6, goal: 10 })),
    'PASS 100 buckets: seed / ours CLI = 12.00x (target >= 6.00x; goal >= 10.00x met)',
  );
  assert.is(
    formatTarget(target({ title: 'database time, 10 buckets / full range', value: 0.054, limit: 0.03, unit: 'share' })),
    'FAIL database time, 10 buckets / full range = 5.4% (target <= 3.0%)',
  );
  assert.is(
    formatTarget(target({ title: 'peak RSS', value: Number.NaN, direction: 'under', limit: 200e6 / 1024, unit: 'mb', note: '(why)' })),
    'SKIP peak RSS not measured (target < 200.0 MB) (why)',
  );
  assert.is(formatTarget(target({ title: 'failed runs', value: 2, limit: 0, unit: 'count' })), 'FAIL failed runs = 2 (target <= 0)');
});

test('ratios, times and shares format as table cells; unmeasured ones as -', () => {
  assert.is(formatRatio(0.0934), '0.093x');
  assert.is(formatRatio(12.345), '12.35x');
  assert.is(formatRatio(Number.NaN), '-');
  assert.is(formatRatio(1 / 0), '-');
  assert.is(formatMs(9512.34), '9512.3 ms');
  assert.is(formatShare(0.2), '20.0%');
  assert.is(median([3, 1, 2]), 2);
  assert.is(median([4, 1, 2, 3]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test('the table pads every column to its width and trims line ends', () => {
  const table = formatTable([['title', 'a', 'b'], ['x', '1 ms', '']], 8, 6);
  assert.is(table, 'title    a      b\nx        1 ms');
});

test('statement timings are summed by name, so chunks of one statement make one figure', () => {
  const sums = sumByName([
    { name: 'drift_report', ms: 10 },
    { name: 'evidence', ms: 3 },
    { name: 'drift_report', ms: 5 },
  ]);
  assert.equal([...sums], [['drift_report', 15], ['evidence', 3]]);
});

test('ranges: the three presets by default, narrowest first, bucket ranges allowed', () => {
  assert.equal(parseRanges(undefined), [RANGE_PRESETS['10'], RANGE_PRESETS['100'], RANGE_PRESETS['1000']]);
  assert.equal(parseRanges('1000, 10'), [RANGE_PRESETS['10'], RANGE_PRESETS['1000']]);
  assert.equal(parseRanges('0-0,100'), [{ min: 0, max: 0, title: '1 bucket' }, RANGE_PRESETS['100']]);
  assert.throws(() => parseRanges('5-2'), /--ranges takes/);
  assert.throws(() => parseRanges('0-1000'), /--ranges takes/);
});

test('skip names the optional parts and refuses others', () => {
  assert.equal([...parseSkip('seed,drifting')], ['seed', 'drifting']);
  assert.throws(() => parseSkip('seed,cli'), /--skip takes a comma list of seed, floor, fixed, drifting, baseline, not "cli"/);
});

test('a plan compares with 1M only at another size, and reads a recorded 1M time in ms or s', () => {
  assert.is(parsePlan({ size: '10M', 'base-1m': '1.15s' }).base1mMs, 1150);
  assert.is(parsePlan({ size: '10M', 'base-1m': '1150' }).base1mMs, 1150);
  assert.is(parsePlan({ size: '10M' }).sites, 10_000_000);
  assert.throws(() => parsePlan({ 'measure-1m': true }), /compare a larger size with 1M/);
  assert.throws(() => parsePlan({ size: '10M', 'base-1m': 'soon' }), /--base-1m takes/);
  assert.throws(() => parsePlan({ rounds: '0' }), /--rounds must be a positive integer/);
});

const db: BenchDatabase = { database: 'bench', shape: 'fresh', kind: 'standard', sites: 1000, events: 0, reused: true, generationMs: 0 };
const column = (range: BenchRange, ms: Record<string, number[]>): Samples => ({
  title: range.title, range, db, repeats: 1, ms, rssKb: { ours_cli: [70_000] }, seedDrift: [4], oursDrift: [4], failures: [],
});
const result = (columns: Samples[], sites = 1_000_000): BenchResult => ({
  plan: parsePlan({ rounds: '2', size: String(sites) }), db, server: { version: 'x', bufferPoolBytes: 0 }, queryVersion: 'v4',
  gnuTime: true, elapsedMs: 1, columns, reference1m: null, fixed: null, drifting: null, baseline: null,
});

test('the main table gives each statement name its own row beside the total (the hook for an evidence statement)', () => {
  const narrow = column(RANGE_PRESETS['10'], {
    ours_cli: [400, 500], ours_db: [40, 60], 'statement:ours_drift_report': [30, 50], 'statement:ours_evidence': [10, 10],
  });
  const full = column(RANGE_PRESETS['1000'], { ours_cli: [1000], ours_db: [1000], 'statement:ours_drift_report': [1000] });
  const lines = mainTable(result([narrow, full])).split('\n');
  assert.is(lines[0], 'median of 2 rounds'.padEnd(33) + '10 buckets'.padEnd(23) + '1000 buckets');
  assert.ok(lines.includes('  drift_report                   40.0 ms                1000.0 ms'), lines.join('\n'));
  assert.ok(lines.includes('  evidence                       10.0 ms                -'), lines.join('\n'));
  assert.ok(lines.includes('ours db, share of full range     5.0%                   100.0%'), lines.join('\n'));
});

test('targets: the issue\'s thresholds from the medians, the size comparison only at another size', () => {
  const narrow = column(RANGE_PRESETS['10'], { ours_cli: [100], seed: [300], ours_db: [20] });
  const full = column(RANGE_PRESETS['1000'], { ours_cli: [1000], seed: [20_000], ours_db: [1000], floor: [500] });
  const lines = targetsOf(result([narrow, full])).map(formatTarget);
  assert.ok(lines.includes('PASS 10 buckets: ours CLI / seed = 0.333x (target <= 0.670x; goal <= 0.330x not met)'), lines.join('\n'));
  assert.ok(lines.includes('SKIP 100 buckets: seed / ours CLI (times faster) not measured (target >= 6.00x; goal >= 10.00x)'));
  assert.ok(lines.includes('PASS 1000 buckets: seed / ours CLI (times faster) = 20.00x (target >= 15.00x; goal >= 25.00x not met)'));
  assert.ok(lines.includes('PASS 1000 buckets: ours CLI / bare read = 2.00x (target <= 2.50x)'));
  assert.ok(lines.includes('PASS database time, 10 buckets / full range = 2.0% (target <= 3.0%)'));
  assert.ok(lines.includes('PASS normal report (--limit 50): peak RSS = 71.7 MB (target <= 100.0 MB)'));
  assert.not.ok(lines.some((line) => line.includes('at 1M')));
  const at10m = targetsOf({ ...result([narrow, full], 10_000_000), plan: parsePlan({ size: '10M', 'base-1m': '200ms' }) }).map(formatTarget);
  assert.ok(at10m.includes('PASS full range (10M sites) / full range at 1M, ours CLI = 5.00x (target <= 10.00x) (1M: 200.0 ms, given with --base-1m)'), at10m.join('\n'));
});

test('the statement timings and drift count are read from a JSON report (its tail), null from anything else', () => {
  const json = [
    '{',
    '  "query_version": "v6",',
    '  "drift_count": 17275,',
    '  "rows": [',
    '    {"blog_id": 1, "note": "\\"timings\\": {"}',
    '  ],',
    '  "timings": {',
    '    "db_ms": 13.5,',
    '    "statements": [',
    '      {"name": "drift_report", "ms": 10, "rows": 50 },',
    '      {"name": "drift_evidence", "ms": 3.5, "rows": 50 }',
    '    ]',
    '  }',
    '}',
    '',
  ].join('\n');
  assert.equal(reportTimings(json), [{ name: 'drift_report', ms: 10 }, { name: 'drift_evidence', ms: 3.5 }]);
  assert.is(reportDriftCount(json), 17275);
  assert.is(reportDriftCount('INFO legacy_projection_drift=158\n'), 158);
  assert.is(reportTimings('INFO legacy_projection_drift=158\n'), null);
  assert.is(reportTimings('{"timings": {"db_ms": 1, "statements": [{"name": "x"'), null);
});

test.run();

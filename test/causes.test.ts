import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { schemaShapeFromEnv, siteStatusRange, type EventFixture, type SiteFixture } from '../src/fixtures/database.js';
import { queryScratch, withScratch } from './support/scratch.js';

/** One site in bucket 5 with the given status and open HTTP event states (one endpoint each). */
function oneSite(siteStatus: number, open: string[], extra: EventFixture[] = []) {
  const sites: SiteFixture[] = [{ blogId: 10, bucket: 5, siteStatus }];
  const events: EventFixture[] = open.map((state, i) => ({ blogId: 10, endpointId: i + 1, state }));
  return { sites, events: [...events, ...extra] };
}

/** The drift rows of bucket 5 as [cause, expected, event_state, event_id, open_events]. */
async function classify(fixture: { sites: SiteFixture[]; events: EventFixture[] }) {
  return withScratch(fixture, async (scratch) => {
    const results = await queryScratch(scratch, { bucketMin: 0, bucketMax: 9 });
    assert.is(results.driftCount, results.rows.length);
    return results.rows.map((r) => [r.cause, r.expectedStatus, r.eventState, r.eventId, r.openEvents]);
  });
}

test('rule 1: a site_status outside 0..2 is unexpected_projection_value, before any other rule', async () => {
  // The far end of the table shape's column: -128 when signed (fresh), 255 when unsigned (production).
  const { min, max } = siteStatusRange[schemaShapeFromEnv()];
  const far = min < 0 ? min : max;
  assert.equal(await classify(oneSite(7, [])), [['unexpected_projection_value', 1, null, null, 0]]);
  assert.equal(await classify(oneSite(far, ['Down', 'Seems Down'])), [['unexpected_projection_value', 2, 'Down', '1', 2]]);
});

test('rule 2: several open HTTP events win over the status rules', async () => {
  assert.equal(await classify(oneSite(1, ['Seems Down', 'Down'])), [['multiple_open_http_events', 2, 'Down', '2', 2]]);
  assert.equal(await classify(oneSite(2, ['Seems Down', 'Warning'])), [['multiple_open_http_events', 0, 'Seems Down', '1', 2]]);
});

test('several open HTTP events that agree with the projection are not drift', async () => {
  assert.equal(await classify(oneSite(2, ['Seems Down', 'Down', 'Warning'])), []);
  assert.equal(await classify(oneSite(1, ['Warning', 'Paused'])), []);
});

test('rule 3: expected running but the row says down is stale_legacy_down_projection', async () => {
  assert.equal(await classify(oneSite(0, [])), [['stale_legacy_down_projection', 1, null, null, 0]]);
  assert.equal(await classify(oneSite(2, ['Warning'])), [['stale_legacy_down_projection', 1, 'Warning', '1', 1]]);
});

test('rule 4: an open Down event on a running row is missing_confirmed_down_projection', async () => {
  assert.equal(await classify(oneSite(1, ['Down'])), [['missing_confirmed_down_projection', 2, 'Down', '1', 1]]);
});

test('rule 5: an open Seems Down event on a running row is missing_seems_down_projection', async () => {
  assert.equal(await classify(oneSite(1, ['Seems Down'])), [['missing_seems_down_projection', 0, 'Seems Down', '1', 1]]);
});

test('rule 6: an open Down event on a seems-down row is missing_confirmed_promotion', async () => {
  assert.equal(await classify(oneSite(0, ['Down'])), [['missing_confirmed_promotion', 2, 'Down', '1', 1]]);
});

test('rule 7: an open Seems Down event on a confirmed-down row is stale_confirmed_down_projection', async () => {
  assert.equal(await classify(oneSite(2, ['Seems Down'])), [['stale_confirmed_down_projection', 0, 'Seems Down', '1', 1]]);
});

test('no in-shape site reaches unexpected_open_event_projection or the final fallback (README, "Causes")', async () => {
  // Every site_status 0..2 against no open event, each state alone, and two states together.
  const opens = [[], ['Down'], ['Seems Down'], ['Warning'], ['down'], ['Paused', 'Warning'], ['Seems Down', 'Down']];
  const sites: SiteFixture[] = [];
  const events: EventFixture[] = [];
  [0, 1, 2].forEach((siteStatus) =>
    opens.forEach((states, i) => {
      const blogId = 100 + 10 * siteStatus + i;
      sites.push({ blogId, bucket: 5, siteStatus });
      states.forEach((state, e) => events.push({ blogId, endpointId: e + 1, state }));
    }),
  );
  const rows = await classify({ sites, events });
  assert.is(rows.length, 21 - 7, 'each open-event set agrees with exactly one site_status');
  assert.equal(rows.filter(([cause]) => cause === 'unexpected_open_event_projection' || cause === 'unexpected_projection_value'), []);
});

test('when nothing is down, event_id is the smallest open id and event_state that same event\'s state', async () => {
  const fixture = {
    sites: [{ blogId: 10, bucket: 5, siteStatus: 0 }],
    events: [
      { id: 90, blogId: 10, endpointId: 1, state: 'Warning' },
      { id: 80, blogId: 10, endpointId: 2, state: 'Paused' },
      { id: 70, blogId: 10, endpointId: 3, state: 'Degraded', ended: true },
    ],
  };
  assert.equal(await classify(fixture), [['multiple_open_http_events', 1, 'Paused', '80', 2]]);
});

test('event_state never comes from another event than event_id, in the rows and the summary (issue 12, item 5)', async () => {
  // The smallest id holds the largest state: the monitor's MIN(id) with MIN(state) would print 200 with Alpha.
  const fixture = {
    sites: [{ blogId: 10, bucket: 5, siteStatus: 0 }],
    events: [
      { id: 200, blogId: 10, endpointId: 1, state: 'Zeta' },
      { id: 201, blogId: 10, endpointId: 2, state: 'Alpha' },
    ],
  };
  assert.equal(await classify(fixture), [['multiple_open_http_events', 1, 'Zeta', '200', 2]]);
  await withScratch(fixture, async (scratch) => {
    const { groups } = await queryScratch(scratch, { bucketMin: 0, bucketMax: 9 });
    assert.equal(groups.map((g) => [g.eventState, g.count]), [['Zeta', 1]]);
  });
});

test('event_id is the smallest Down id even when a Seems Down event is older', async () => {
  const fixture = {
    sites: [{ blogId: 10, bucket: 5, siteStatus: 1 }],
    events: [
      { id: 5, blogId: 10, endpointId: 1, state: 'Seems Down' },
      { id: 9, blogId: 10, endpointId: 2, state: 'Down' },
      { id: 7, blogId: 10, endpointId: 3, state: 'Down' },
    ],
  };
  assert.equal(await classify(fixture), [['multiple_open_http_events', 2, 'Down', '7', 3]]);
});

test('state and check type match byte for byte: down, "Down " and HTTP do not count as Down', async () => {
  const fixture = oneSite(1, ['down'], [{ blogId: 10, endpointId: 2, checkType: 'HTTP', state: 'Down' }]);
  assert.equal(await classify(fixture), []);
  assert.equal(await classify(oneSite(2, ['Down '])), [['stale_legacy_down_projection', 1, 'Down ', '1', 1]]);
});

test('closed events and non-HTTP events do not count', async () => {
  const fixture = oneSite(1, [], [
    { blogId: 10, endpointId: 1, state: 'Down', ended: true },
    { blogId: 10, endpointId: 1, checkType: 'tls', state: 'Down' },
    { blogId: 10, endpointId: 2, checkType: 'dns', state: 'Seems Down' },
  ]);
  assert.equal(await classify(fixture), []);
  assert.equal(await classify({ ...fixture, sites: [{ blogId: 10, bucket: 5, siteStatus: 2 }] }), [
    ['stale_legacy_down_projection', 1, null, null, 0],
  ]);
});

test('inactive sites are never drift', async () => {
  const fixture = { sites: [{ blogId: 10, bucket: 5, siteStatus: 7, active: false }], events: [{ blogId: 10, state: 'Down' }] };
  assert.equal(await classify(fixture), []);
});

test('range edges: first and last bucket count, neighbours outside do not, single buckets work', async () => {
  const sites: SiteFixture[] = [
    { blogId: 1, bucket: 0, siteStatus: 0 },
    { blogId: 2, bucket: 999, siteStatus: 0 },
    { blogId: 3, bucket: 10, siteStatus: 0 },
    { blogId: 4, bucket: 11, siteStatus: 0 },
    { blogId: 5, bucket: 12, siteStatus: 0 },
  ];
  await withScratch({ sites }, async (scratch) => {
    const ids = async (bucketMin: number, bucketMax: number) =>
      (await queryScratch(scratch, { bucketMin, bucketMax })).rows.map((r) => r.blogId);
    assert.equal(await ids(0, 999), ['1', '3', '4', '5', '2']);
    assert.equal(await ids(0, 0), ['1']);
    assert.equal(await ids(999, 999), ['2']);
    assert.equal(await ids(11, 11), ['4']);
    assert.equal(await ids(11, 12), ['4', '5']);
    assert.equal(await ids(1, 9), []);
  });
});

test('a blog whose site row lies outside the range lends no events to the range', async () => {
  const fixture = {
    sites: [
      { blogId: 20, bucket: 50, siteStatus: 1 },
      { blogId: 21, bucket: 5, siteStatus: 1 },
    ],
    events: [{ blogId: 20, state: 'Down' }],
  };
  await withScratch(fixture, async (scratch) => {
    assert.is((await queryScratch(scratch, { bucketMin: 0, bucketMax: 9 })).driftCount, 0);
    assert.is((await queryScratch(scratch, { bucketMin: 0, bucketMax: 99 })).driftCount, 1);
  });
});

test('ids at the top of BIGINT UNSIGNED stay exact', async () => {
  const top = '18446744073709551615';
  const fixture = {
    sites: [{ siteId: top, blogId: top, bucket: 5, siteStatus: 1 }],
    events: [{ id: '18446744073709551614', blogId: top, state: 'Down' }],
  };
  await withScratch(fixture, async (scratch) => {
    const results = await queryScratch(scratch, { bucketMin: 0, bucketMax: 9 });
    assert.equal(results.rows.map((r) => [r.blogId, r.eventId]), [[top, '18446744073709551614']]);
    assert.is(results.groups[0]?.sampleBlogId, top);
  });
});

test.run();

/**
 * Random databases for the differential test: a bucket total, a request, and
 * small sets of site and event rows that hit the edges the report must get
 * right (range edges, shared blog ids, ids near 2^64, odd states and check types).
 */
import fc from 'fast-check';
import { siteStatusRange, type SchemaShape } from '../../src/fixtures/database.js';

/** A site row to load (assignable to the fixture and model site types). */
export interface RandomSite {
  siteId: bigint;
  blogId: bigint;
  bucket: number;
  active: boolean;
  siteStatus: number;
}

/** An event row to load (assignable to the fixture and model event types). */
export interface RandomEvent {
  id: bigint;
  blogId: bigint;
  endpointId: bigint | null;
  checkType: string;
  discriminator: string | null;
  state: string;
  ended: boolean;
}

/** One generated case: the monitor's BUCKET_TOTAL, the request, and the rows. */
export interface RandomDatabase {
  bucketTotal: number;
  request: { bucketMin: number; bucketMax: number; rowLimit: number; summaryLimit: number };
  sites: RandomSite[];
  events: RandomEvent[];
}

const TOP = 2n ** 64n - 1n;
const MAX_BUCKET = 65535;

/** Every state the monitor writes to jetmon_events.state, plus strings that only look like them. */
export const STATES = [
  'Up', 'Warning', 'Degraded', 'Seems Down', 'Down', 'Paused', 'Maintenance', 'Unknown', 'Resolved',
  'down', 'Down ', 'DOWN', 'seems down', 'Seems Down ', '', 'Ünknown', '\u{1F525}Down', '\uFF5Eup',
] as const;

/** Ids: small ones, and ones around 2^53, 2^63 and the top of BIGINT UNSIGNED (never 0: it means AUTO_INCREMENT). */
const idArb = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt({ min: 1n, max: 60n }) },
  { weight: 1, arbitrary: fc.bigInt({ min: 2n ** 53n - 3n, max: 2n ** 53n + 3n }) },
  { weight: 1, arbitrary: fc.bigInt({ min: 2n ** 63n - 3n, max: 2n ** 63n + 3n }) },
  { weight: 2, arbitrary: fc.bigInt({ min: TOP - 20n, max: TOP }) },
);

/** Blog ids come from a small pool, so sites share them and events find their sites. */
const blogIdArb = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt({ min: 0n, max: 8n }) },
  { weight: 2, arbitrary: fc.constantFrom(TOP, TOP - 1n, 2n ** 63n, 2n ** 63n - 1n, 2n ** 53n + 1n, 2n ** 53n) },
);

/** Statuses of the v1 shape mostly, and any other value the shape's column can hold (its edges included). */
function siteStatusArb(shape: SchemaShape): fc.Arbitrary<number> {
  const { min, max } = siteStatusRange[shape];
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(0, 1, 2) },
    { weight: 1, arbitrary: fc.constantFrom(min, 3, max, min < 0 ? -1 : 200) },
    { weight: 1, arbitrary: fc.integer({ min, max }) },
  );
}

/** Where a site's bucket lies, resolved against the request's range once it is known. */
const bucketAnchorArb = fc.record({
  at: fc.oneof(
    { weight: 6, arbitrary: fc.constant('inside') },
    { weight: 4, arbitrary: fc.constantFrom('min', 'max', 'below', 'above', 'first', 'last', 'anywhere') },
  ),
  n: fc.nat(),
});
type BucketAnchor = { at: string; n: number };

const siteArb = (shape: SchemaShape) =>
  fc.record({
    siteId: idArb,
    blogId: blogIdArb,
    anchor: bucketAnchorArb,
    active: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    siteStatus: siteStatusArb(shape),
  });

const eventArb = fc.record({
  id: idArb,
  blogId: blogIdArb,
  endpointId: fc.constantFrom<bigint | null>(null, 0n, 1n, 2n, TOP),
  checkType: fc.oneof(
    { weight: 8, arbitrary: fc.constant('http') },
    { weight: 2, arbitrary: fc.constantFrom('HTTP', 'Http', 'http ', 'tls', 'dns', '') },
  ),
  discriminator: fc.constantFrom<string | null>(null, '', 'a', 'A', 'b', 'eu-west'),
  state: fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom('Down', 'Seems Down') },
    { weight: 3, arbitrary: fc.constantFrom(...STATES) },
  ),
  ended: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

/** One end of the requested range: bucket 0, BUCKET_TOTAL-1, or any bucket (resolved modulo BUCKET_TOTAL). */
const rangeEndArb = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('first' as const, 'last' as const) },
  { weight: 3, arbitrary: fc.nat() },
);

function resolveRangeEnd(end: 'first' | 'last' | number, total: number): number {
  return end === 'first' ? 0 : end === 'last' ? total - 1 : end % total;
}

/** A bucket anchor as a bucket number: range edges, their neighbours, 0 and BUCKET_TOTAL-1, or any bucket. */
function resolveBucket(anchor: BucketAnchor, total: number, min: number, max: number): number {
  const clamp = (b: number) => Math.min(Math.max(b, 0), MAX_BUCKET);
  switch (anchor.at) {
    case 'min': return min;
    case 'max': return max;
    case 'below': return clamp(min - 1 - (anchor.n % 3));
    case 'above': return clamp(max + 1 + (anchor.n % 3));
    case 'first': return 0;
    case 'last': return total - 1;
    case 'inside': return min + (anchor.n % (max - min + 1));
    default: return anchor.n % (MAX_BUCKET + 1);
  }
}

/**
 * The key the table's unique generated dedup_key compares under utf8mb4_unicode_ci
 * (case-insensitive, trailing spaces ignored) for the ASCII values generated here.
 */
function openDedupKey(e: RandomEvent): string {
  return `${e.blogId}:${e.endpointId ?? 0n}:${e.checkType}:${e.discriminator ?? ''}`.toLowerCase().replace(/ +$/, '');
}

/** Drops every open event whose dedup_key an earlier open event already holds, as the unique key would refuse it. */
function withUniqueOpenKeys(events: readonly RandomEvent[]): RandomEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => {
    if (e.ended) return true;
    const key = openDedupKey(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** 0 (no limit), a small limit that usually cuts the list, or any limit up to past the largest list. */
const limitArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 45 }));

/** A random database of 0-40 sites and 0-60 events for a table shape, with the request to run against it; shrinks towards small cases. */
export const randomDatabaseArb = (shape: SchemaShape): fc.Arbitrary<RandomDatabase> =>
  fc
    .record({
      bucketTotal: fc.oneof(fc.constantFrom(1, 2, 10, 1000, 65536), fc.integer({ min: 1, max: 65536 })),
      rangeEnds: fc.tuple(rangeEndArb, rangeEndArb),
      single: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      rowLimit: limitArb,
      summaryLimit: limitArb,
      sites: fc.uniqueArray(siteArb(shape), { maxLength: 40, size: 'max', selector: (s) => s.siteId }),
      events: fc.uniqueArray(eventArb, { maxLength: 60, size: 'max', selector: (e) => e.id }),
    })
    .map(({ bucketTotal, rangeEnds, single, rowLimit, summaryLimit, sites, events }) => {
      const [a, b] = [resolveRangeEnd(rangeEnds[0], bucketTotal), resolveRangeEnd(rangeEnds[1], bucketTotal)];
      const bucketMin = Math.min(a, b);
      const bucketMax = single ? bucketMin : Math.max(a, b);
      return {
        bucketTotal,
        request: { bucketMin, bucketMax, rowLimit, summaryLimit },
        sites: sites.map(({ anchor, ...site }) => ({ ...site, bucket: resolveBucket(anchor, bucketTotal, bucketMin, bucketMax) })),
        events: withUniqueOpenKeys(events),
      };
    });

import { bindNamedQuery, loadNamedQuery, type NamedQuery } from './sql_loader.js';
import { withReadOnlySnapshot, type SnapshotSession } from './snapshot.js';
import type { DbConfig } from './db_config.js';
import type { DriftResults, DriftRow, DriftSummary, RowsCheck, SummaryGroup } from './drift_results.js';
import { toCount, toId, toOptionalId, toStatus, toText } from './decode.js';

/** The query version this build runs; it names the folder under sql/ and is printed in every report. */
export const QUERY_VERSION = 'v2';

/** LIMIT value meaning "every row" (the largest BIGINT UNSIGNED, sent as an exact integer). */
const NO_LIMIT = 18446744073709551615n;

/**
 * Up to this share of all buckets, looking the open events up site by site (through
 * idx_blog_id_active) beats building the whole open-event rollup once; measured on the benchmark
 * data (docs/performance.md), the two cross near 5%.
 */
const PER_SITE_LOOKUP_SHARE = 0.05;

/** What to ask for: an inclusive bucket range of BUCKET_TOTAL buckets and how many groups and rows to return (0 = all). */
export interface DriftRequest {
  bucketMin: number;
  bucketMax: number;
  bucketTotal: number;
  rowLimit: number;
  summaryLimit: number;
}

/** The drift statements of one query version, parsed before any connection is made. */
export interface DriftQueries {
  version: string;
  groups: NamedQuery;
  rows: NamedQuery;
}

/** Loads the drift statements of a query version from sql/<version>/. */
export function loadDriftQueries(version: string = QUERY_VERSION): DriftQueries {
  return { version, groups: loadNamedQuery(version, 'drift_groups'), rows: loadNamedQuery(version, 'drift_rows') };
}

interface GroupRow {
  group: SummaryGroup;
  causeCount: number;
  causeRank: number;
}

function decodeGroup(row: Record<string, unknown>): GroupRow {
  return {
    group: {
      bucket: toCount(row.bucket_no, 'bucket_no'),
      siteStatus: toStatus(row.site_status, 'site_status'),
      expectedStatus: toCount(row.expected_status, 'expected_status'),
      eventState: toText(row.event_state),
      cause: String(row.cause),
      count: toCount(row.drift_rows, 'drift_rows'),
      maxOpenEvents: toCount(row.max_open_events, 'max_open_events'),
      sampleBlogId: toId(row.sample_blog_id, 'sample_blog_id'),
    },
    causeCount: toCount(row.cause_drift_rows, 'cause_drift_rows'),
    causeRank: toCount(row.cause_rank, 'cause_rank'),
  };
}

function decodeRow(row: Record<string, unknown>): DriftRow {
  return {
    blogId: toId(row.blog_id, 'blog_id'),
    bucket: toCount(row.bucket_no, 'bucket_no'),
    siteStatus: toStatus(row.site_status, 'site_status'),
    expectedStatus: toCount(row.expected_status, 'expected_status'),
    eventId: toOptionalId(row.event_id, 'event_id'),
    openEvents: toCount(row.open_event_count, 'open_event_count'),
    cause: String(row.cause),
    eventState: toText(row.event_state),
  };
}

/** The buckets that hold the first `rowLimit` drifting sites (all of them for 0), from the per-bucket counts. */
function bucketsForRows(groups: readonly SummaryGroup[], rowLimit: number): { bucketMin: number; bucketMax: number; drift: number } {
  const perBucket = new Map<number, number>();
  for (const group of groups) perBucket.set(group.bucket, (perBucket.get(group.bucket) ?? 0) + group.count);
  const buckets = [...perBucket.keys()].sort((a, b) => a - b);
  let drift = 0;
  for (const bucket of buckets) {
    drift += perBucket.get(bucket)!;
    if (rowLimit > 0 && drift >= rowLimit) return { bucketMin: buckets[0]!, bucketMax: bucket, drift };
  }
  return { bucketMin: buckets[0]!, bucketMax: buckets.at(-1)!, drift };
}

/** A drift report being read: the summary, the rows to stream, and the guard once the rows are read. */
export interface DriftReading {
  summary: DriftSummary;
  /** Drifting sites the row statement counted in the buckets it read, versus the summary; null when no rows were asked for. */
  rowsCheck: RowsCheck | null;
  /** The listed rows, in order and in batches; read them once, inside the snapshot. */
  rows: AsyncIterable<DriftRow[]>;
}

/**
 * Reads one range inside an open snapshot: one pass for every summary group (and from them the
 * drift count, cause totals and per-bucket counts), then a row statement over just the buckets
 * that hold the first rows. The row statement has started, and its count is known, on return.
 */
export async function readDrift(session: SnapshotSession, queries: DriftQueries, request: DriftRequest): Promise<DriftReading> {
  const wide = (bucketMin: number, bucketMax: number) => bucketMax - bucketMin + 1 > request.bucketTotal * PER_SITE_LOOKUP_SHARE;
  await session.usePerSiteLookups(!wide(request.bucketMin, request.bucketMax));
  const groupRows = (
    await session.select('drift_groups', bindNamedQuery(queries.groups, { bucket_min: request.bucketMin, bucket_max: request.bucketMax }))
  ).map(decodeGroup);
  const allGroups = groupRows.map((row) => row.group);
  const causes = new Map<number, { cause: string; count: number }>();
  for (const row of groupRows) causes.set(row.causeRank, { cause: row.group.cause, count: row.causeCount });
  const summary: DriftSummary = {
    queryVersion: queries.version,
    bucketMin: request.bucketMin,
    bucketMax: request.bucketMax,
    driftCount: allGroups.reduce((sum, group) => sum + group.count, 0),
    groups: request.summaryLimit === 0 ? allGroups : allGroups.slice(0, request.summaryLimit),
    groupsTotal: allGroups.length,
    causes: [...causes.entries()].sort(([a], [b]) => a - b).map(([, total]) => total),
  };
  if (summary.driftCount === 0) return { summary, rowsCheck: null, rows: (async function* () {})() };

  const span = bucketsForRows(allGroups, request.rowLimit);
  await session.usePerSiteLookups(!wide(span.bucketMin, span.bucketMax));
  const statement = bindNamedQuery(queries.rows, {
    bucket_min: span.bucketMin,
    bucket_max: span.bucketMax,
    row_limit: request.rowLimit === 0 ? NO_LIMIT : request.rowLimit,
  });
  const batches = session.stream('drift_rows', statement)[Symbol.asyncIterator]();
  const first = await batches.next();
  const counted = first.done ? 0 : toCount(first.value[0]?.range_drift_rows, 'range_drift_rows');
  async function* rows(): AsyncGenerator<DriftRow[]> {
    for (let next = first; !next.done; next = await batches.next()) yield next.value.map(decodeRow);
  }
  return {
    summary,
    rowsCheck: { bucketMin: span.bucketMin, bucketMax: span.bucketMax, counted, summarized: span.drift },
    rows: rows(),
  };
}

/** Reads one range in its own snapshot and collects every listed row (for callers that need them all at once). */
export async function queryDrift(config: DbConfig, queries: DriftQueries, request: DriftRequest): Promise<DriftResults> {
  return withReadOnlySnapshot(config, async (session) => {
    const reading = await readDrift(session, queries, request);
    const rows: DriftRow[] = [];
    for await (const batch of reading.rows) rows.push(...batch);
    return { ...reading.summary, rows, rowsCheck: reading.rowsCheck, timings: session.timings };
  });
}

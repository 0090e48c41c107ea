import { bindNamedQuery, loadNamedQuery, type NamedQuery } from './sql_loader.js';
import { withReadOnlySnapshot, type SnapshotSession } from './snapshot.js';
import type { DbConfig } from './db_config.js';
import type { CauseTotal, DriftResults, DriftRow, DriftSummary, SummaryGroup } from './drift_results.js';
import { toCount, toId, toOptionalId, toStatus, toText } from './decode.js';

/** The query version this build runs; it names the folder under sql/ and is printed in every report. */
export const QUERY_VERSION = 'v4';

/**
 * The row limit meaning "every row": 2^63-1, the largest value both a signed and an unsigned BIGINT
 * hold, so the bound parameter keeps its value however the server types it (2^64-1 read as signed
 * is -1, which lists nothing), and no ROW_NUMBER() reaches it.
 */
export const NO_LIMIT = 9223372036854775807n;

/**
 * Up to this share of all buckets, looking the open events up site by site (through
 * idx_blog_id_active) beats building the whole open-event rollup once; measured on the benchmark
 * data (docs/performance.md), the two cross between 8% and 10%.
 */
const PER_SITE_LOOKUP_SHARE = 0.08;

/** What to ask for: an inclusive bucket range of BUCKET_TOTAL buckets and how many groups and rows to return (0 = all). */
export interface DriftRequest {
  bucketMin: number;
  bucketMax: number;
  bucketTotal: number;
  rowLimit: number;
  summaryLimit: number;
}

/** The drift statement of one query version, parsed before any connection is made. */
export interface DriftQueries {
  version: string;
  report: NamedQuery;
}

/** Loads the drift statement of a query version from sql/<version>/. */
export function loadDriftQueries(version: string = QUERY_VERSION): DriftQueries {
  return { version, report: loadNamedQuery(version, 'drift_report') };
}

function decodeGroup(row: Record<string, unknown>): SummaryGroup {
  return {
    bucket: toCount(row.bucket_no, 'bucket_no'),
    siteStatus: toStatus(row.site_status, 'site_status'),
    expectedStatus: toCount(row.expected_status, 'expected_status'),
    eventState: toText(row.event_state),
    cause: String(row.cause),
    count: toCount(row.drift_rows, 'drift_rows'),
    maxOpenEvents: toCount(row.max_open_events, 'max_open_events'),
    sampleBlogId: toId(row.sample_blog_id, 'sample_blog_id'),
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

/**
 * Collects what the report statement says about the whole range while its rows stream by: the
 * groups by rank, the cause totals by rank and the drift count. Only places values at the ranks
 * the SQL computed; it orders, counts and classifies nothing itself.
 */
class SummaryCollector {
  private readonly groups: SummaryGroup[] = [];
  private readonly causes: CauseTotal[] = [];
  private driftCount = 0;

  /** Takes one returned site: its group when it represents one, its cause total, the range count. */
  observe(row: Record<string, unknown>): void {
    if (row.group_rank !== null && row.group_rank !== undefined) {
      this.groups[toCount(row.group_rank, 'group_rank') - 1] = decodeGroup(row);
    }
    this.causes[toCount(row.cause_rank, 'cause_rank') - 1] = { cause: String(row.cause), count: toCount(row.cause_drift_rows, 'cause_drift_rows') };
    this.driftCount = toCount(row.range_drift_rows, 'range_drift_rows');
  }

  /** The summary once every row was observed; a gap in the ranks means the statement is broken. */
  finish(version: string, request: DriftRequest): DriftSummary {
    for (const [what, list] of [['group', this.groups], ['cause', this.causes]] as const) {
      const gap = Array.from(list.keys()).find((index) => list[index] === undefined);
      if (gap !== undefined) throw new Error(`drift_report returned no ${what} of rank ${gap + 1}`);
    }
    return {
      queryVersion: version,
      bucketMin: request.bucketMin,
      bucketMax: request.bucketMax,
      driftCount: this.driftCount,
      summarizedCount: this.groups.reduce((sum, group) => sum + group.count, 0),
      groups: request.summaryLimit === 0 ? this.groups : this.groups.slice(0, request.summaryLimit),
      groupsTotal: this.groups.length,
      causes: this.causes,
    };
  }
}

/** A drift report being read: the listed rows to stream, then the summary of the whole range. */
export interface DriftReading {
  /** The listed rows, in order and in batches; read them once, inside the snapshot. */
  rows: AsyncIterable<DriftRow[]>;
  /** The summary of the whole range; available once `rows` has been read to the end. */
  summary(): DriftSummary;
}

/**
 * Reads one range inside an open snapshot with the single report statement. Narrow ranges look
 * the open events up site by site; wide ones build the open-event rollup once.
 */
export function readDrift(session: SnapshotSession, queries: DriftQueries, request: DriftRequest): DriftReading {
  const collector = new SummaryCollector();
  let summary: DriftSummary | undefined;
  async function* rows(): AsyncGenerator<DriftRow[]> {
    const buckets = request.bucketMax - request.bucketMin + 1;
    await session.usePerSiteLookups(buckets <= request.bucketTotal * PER_SITE_LOOKUP_SHARE);
    const statement = bindNamedQuery(queries.report, {
      bucket_min: request.bucketMin,
      bucket_max: request.bucketMax,
      row_limit: request.rowLimit === 0 ? NO_LIMIT : request.rowLimit,
    });
    for await (const batch of session.stream('drift_report', statement)) {
      const listed: DriftRow[] = [];
      for (const row of batch) {
        collector.observe(row);
        if (toCount(row.listed, 'listed') === 1) listed.push(decodeRow(row));
      }
      if (listed.length > 0) yield listed;
    }
    summary = collector.finish(queries.version, request);
  }
  return {
    rows: rows(),
    summary() {
      if (summary === undefined) throw new Error('the drift summary was read before its rows');
      return summary;
    },
  };
}

/** Reads one range in its own snapshot and collects every listed row (for callers that need them all at once). */
export async function queryDrift(config: DbConfig, queries: DriftQueries, request: DriftRequest): Promise<DriftResults> {
  return withReadOnlySnapshot(config, async (session) => {
    const reading = readDrift(session, queries, request);
    const rows: DriftRow[] = [];
    for await (const batch of reading.rows) rows.push(...batch);
    return { ...reading.summary(), rows, timings: session.timings };
  });
}

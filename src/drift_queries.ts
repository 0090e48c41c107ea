import { bindNamedQuery, loadNamedQuery, type NamedQuery } from './sql_loader.js';
import { withReadOnlySnapshot } from './snapshot.js';
import type { DbConfig } from './db_config.js';
import type { CauseTotal, DriftResults, DriftRow, SummaryGroup } from './drift_results.js';
import { toCount, toId, toOptionalId, toStatus, toText } from './decode.js';

/** The query version this build runs; it names the folder under sql/ and is printed in every report. */
export const QUERY_VERSION = 'v1';

/** LIMIT value meaning "every row" (the largest BIGINT UNSIGNED, sent as an exact integer). */
const NO_LIMIT = 18446744073709551615n;

/** What to ask for: an inclusive bucket range and how many groups and rows to return (0 = all). */
export interface DriftRequest {
  bucketMin: number;
  bucketMax: number;
  rowLimit: number;
  summaryLimit: number;
}

/** The drift statements of one query version, parsed before any connection is made. */
export interface DriftQueries {
  version: string;
  count: NamedQuery;
  summary: NamedQuery;
  causes: NamedQuery;
  rows: NamedQuery;
}

/** Loads the four drift statements of a query version from sql/<version>/. */
export function loadDriftQueries(version: string = QUERY_VERSION): DriftQueries {
  return {
    version,
    count: loadNamedQuery(version, 'drift_count'),
    summary: loadNamedQuery(version, 'drift_summary'),
    causes: loadNamedQuery(version, 'drift_causes'),
    rows: loadNamedQuery(version, 'drift_rows'),
  };
}

const limitValue = (limit: number): number | bigint => (limit === 0 ? NO_LIMIT : limit);

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

function decodeCause(row: Record<string, unknown>): CauseTotal {
  return { cause: String(row.cause), count: toCount(row.drift_rows, 'drift_rows') };
}

/** Runs the count, summary, cause and row statements for one range inside one read-only snapshot. */
export async function queryDrift(config: DbConfig, queries: DriftQueries, request: DriftRequest): Promise<DriftResults> {
  const range = { bucket_min: request.bucketMin, bucket_max: request.bucketMax };
  return withReadOnlySnapshot(config, async (session) => {
    const [countRow] = await session.select('drift_count', bindNamedQuery(queries.count, range));
    const groupRows = await session.select(
      'drift_summary',
      bindNamedQuery(queries.summary, { ...range, summary_limit: limitValue(request.summaryLimit) }),
    );
    const causeRows = await session.select('drift_causes', bindNamedQuery(queries.causes, range));
    const driftRows = await session.select(
      'drift_rows',
      bindNamedQuery(queries.rows, { ...range, row_limit: limitValue(request.rowLimit) }),
    );
    const firstGroup = groupRows[0];
    return {
      queryVersion: queries.version,
      bucketMin: request.bucketMin,
      bucketMax: request.bucketMax,
      driftCount: toCount(countRow?.drift_rows, 'drift_rows'),
      groups: groupRows.map(decodeGroup),
      groupsTotal: firstGroup ? toCount(firstGroup.groups_total, 'groups_total') : 0,
      summarizedDriftRows: firstGroup ? toCount(firstGroup.summarized_drift_rows, 'summarized_drift_rows') : 0,
      causes: causeRows.map(decodeCause),
      rows: driftRows.map(decodeRow),
      timings: session.timings,
    };
  });
}

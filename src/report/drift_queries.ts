import { bindNamedQuery, loadNamedQuery, type NamedQuery } from '../db/sql_loader.js';
import { withReadOnlySnapshot, type SnapshotSession } from '../db/snapshot.js';
import type { DbConfig } from '../config/db_config.js';
import type { CauseTotal, DriftResults, DriftRow, DriftSummary, SummaryGroup } from './drift_results.js';
import { readCount, readId, readOptionalId, readText, type Columns } from '../db/decode.js';
import type { EvidenceQueries } from './evidence.js';

/** The query version this build runs; it names the folder under sql/ and is printed in every report. */
export const QUERY_VERSION = 'v5';

/**
 * The row or summary limit meaning "all": 2^63-1, the largest value both a signed and an unsigned BIGINT
 * hold, so the bound parameter keeps its value however the server types it (2^64-1 read as signed
 * is -1, which lists nothing), and no ROW_NUMBER() or DENSE_RANK() reaches it.
 */
export const NO_LIMIT = 9223372036854775807n;

/**
 * Up to this share of all buckets, looking the open events up site by site (through
 * idx_blog_id_active) beats building the whole open-event rollup once; measured on the benchmark
 * data (docs/performance.md), the two cross between 8% and 10%.
 */
const PER_SITE_LOOKUP_SHARE = 0.08;

/** Whether a range is narrow enough to look the open events up site by site rather than build the whole rollup. */
export function perSiteLookups(request: Pick<DriftRequest, 'bucketMin' | 'bucketMax' | 'bucketTotal'>): boolean {
  return request.bucketMax - request.bucketMin + 1 <= request.bucketTotal * PER_SITE_LOOKUP_SHARE;
}

/** What to ask for: an inclusive bucket range of BUCKET_TOTAL buckets and how many groups and rows to return (0 = all). */
export interface DriftRequest {
  bucketMin: number;
  bucketMax: number;
  bucketTotal: number;
  rowLimit: number;
  summaryLimit: number;
}

/** The statements of one query version, parsed before any connection is made: the report and its evidence. */
export interface DriftQueries {
  version: string;
  report: NamedQuery;
  evidence: EvidenceQueries;
}

/** Loads the statements of a query version from sql/<version>/. */
export function loadDriftQueries(version: string = QUERY_VERSION): DriftQueries {
  return {
    version,
    report: loadNamedQuery(version, 'drift_report'),
    evidence: {
      sites: loadNamedQuery(version, 'drift_evidence'),
      openEvents: loadNamedQuery(version, 'drift_evidence_open_events'),
      transitions: loadNamedQuery(version, 'drift_evidence_transitions'),
    },
  };
}

/** What the statement's one 'range' row says about the whole range. */
type RangeTotals = Pick<DriftSummary, 'driftCount' | 'groupsTotal' | 'summarizedCount' | 'hiddenGroupRows'>;

/**
 * One row of sql/v5/drift_report.sql, by its row_kind; the statement's header lists each kind's
 * columns and their order: sites, groups, causes, then one range row (none when nothing drifts).
 */
type ReportRow =
  | { kind: 'site'; site: DriftRow }
  | { kind: 'group'; group: SummaryGroup }
  | { kind: 'cause'; cause: CauseTotal }
  | { kind: 'range'; totals: RangeTotals };

/** The columns 'site' and 'group' rows share: the summary group's key. */
const groupKey = (row: Columns) => ({
  bucket: readCount(row, 'bucket_no'),
  siteStatus: readCount(row, 'site_status'),
  expectedStatus: readCount(row, 'expected_status'),
  eventState: readText(row, 'event_state'),
  cause: String(row.cause),
});

/** One decoder per row kind, reading only that kind's columns. */
const decoders: { [K in ReportRow['kind']]: (row: Columns) => Extract<ReportRow, { kind: K }> } = {
  site: (row) => ({
    kind: 'site',
    site: { ...groupKey(row), blogId: readId(row, 'blog_id'), eventId: readOptionalId(row, 'event_id'),
      openEvents: readCount(row, 'open_event_count') },
  }),
  group: (row) => ({
    kind: 'group',
    group: { ...groupKey(row), count: readCount(row, 'drift_rows'), maxOpenEvents: readCount(row, 'max_open_events'),
      sampleBlogId: readId(row, 'sample_blog_id') },
  }),
  cause: (row) => ({ kind: 'cause', cause: { cause: String(row.cause), count: readCount(row, 'drift_rows') } }),
  range: (row) => ({
    kind: 'range',
    totals: {
      driftCount: readCount(row, 'drift_rows'),
      groupsTotal: readCount(row, 'groups_total'),
      summarizedCount: readCount(row, 'summarized_drift_rows'),
      hiddenGroupRows: readCount(row, 'hidden_drift_rows'),
    },
  }),
};

/** Decodes one returned row by its kind; an unknown kind means a broken statement. */
function decodeReportRow(row: Columns): ReportRow {
  const kind = String(row.row_kind) as ReportRow['kind'];
  if (!Object.hasOwn(decoders, kind)) throw new Error(`drift_report returned a row of unknown kind ${kind}`);
  return decoders[kind](row);
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
  const groups: SummaryGroup[] = [];
  const causes: CauseTotal[] = [];
  let totals: RangeTotals = { driftCount: 0, groupsTotal: 0, summarizedCount: 0, hiddenGroupRows: 0 };
  let read = false;
  async function* rows(): AsyncGenerator<DriftRow[]> {
    await session.usePerSiteLookups(perSiteLookups(request));
    const statement = bindNamedQuery(queries.report, {
      bucket_min: request.bucketMin,
      bucket_max: request.bucketMax,
      row_limit: request.rowLimit === 0 ? NO_LIMIT : request.rowLimit,
      summary_limit: request.summaryLimit === 0 ? NO_LIMIT : request.summaryLimit,
    });
    for await (const batch of session.stream('drift_report', statement)) {
      const listed: DriftRow[] = [];
      for (const row of batch.map(decodeReportRow)) {
        if (row.kind === 'site') listed.push(row.site);
        else if (row.kind === 'group') groups.push(row.group);
        else if (row.kind === 'cause') causes.push(row.cause);
        else totals = row.totals;
      }
      if (listed.length > 0) yield listed;
    }
    read = true;
  }
  return {
    rows: rows(),
    summary() {
      if (!read) throw new Error('the drift summary was read before its rows');
      return { queryVersion: queries.version, bucketMin: request.bucketMin, bucketMax: request.bucketMax, ...totals, groups, causes };
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

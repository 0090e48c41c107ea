import { bindNamedQuery, loadNamedQuery, type NamedQuery } from '../db/sql_loader.js';
import { withReadOnlySnapshot, type SnapshotSession } from '../db/snapshot.js';
import type { DbConfig } from '../config/db_config.js';
import type { Sql } from 'sql-template-tag';
import type { DriftResults, DriftRow, DriftSummary } from './drift_results.js';
import { readCount, readId, readOptionalId, readText, type Columns } from '../db/decode.js';
import { compareListing, DriftSummaryBuilder, type DriftSite } from './drift_summary.js';
import { mergeSorted } from './merge_sorted.js';
import { RowSpool } from './row_spool.js';
import type { EvidenceQueries } from './evidence.js';

/** The query version this build runs; it names the folder under sql/ and is printed in every report. */
export const QUERY_VERSION = 'v6';

/**
 * Up to this share of all buckets, the report reads the range's sites through the bucket index and
 * looks each one's open events up (drift_per_site); above it, it reads the sites in primary-key
 * slices (drift_probed_sites, or on large tables with a blog_id index drift_open_events and
 * drift_stale_sites; see readDrift). Measured on the benchmark data (docs/performance.md, query v5
 * and v6).
 */
const PER_SITE_SHARE = 0.1;

/**
 * The per-site plan reads at most this share of all buckets per statement (20 of 1000): MariaDB
 * reads 10% of the buckets by a full scan of the table, 2% still through the bucket index, and the
 * chunks, read in bucket order, give the run its progress.
 */
const PER_SITE_CHUNK_SHARE = 0.02;

/**
 * The probed plan reads the sites in slices of this many primary-key values, one statement each
 * inside the same snapshot, so that a long run shows its progress and stops between statements.
 * Each statement rolls every open HTTP event up again before probing its slice, so slices are
 * large: on 10M sites the rollup took 2.1 s a statement against about 0.9 s per million sites
 * probed, and the full range took 36 s in slices of 1M, 11-14 s in two slices of 5M.
 */
const PROBED_SITE_ID_SLICE = 5_000_000;

/**
 * The open-events plan rolls the events up once, so its stale-site statements read smaller slices:
 * each stays short, and the run shows its progress.
 */
const STALE_SITE_ID_SLICE = 1_000_000;

/**
 * Cuts the primary key from site_id_min to site_id_max into equal slices of about `sliceSites`
 * sites each by the server's row estimate (a sparse key gets fewer slices than its span suggests).
 */
function siteIdSlices(span: Columns, sliceSites: number): [bigint, bigint][] {
  const idMin = BigInt(readId(span, 'site_id_min'));
  const idMax = BigInt(readId(span, 'site_id_max'));
  const ids = idMax - idMin + 1n;
  const estimated = span.estimated_rows === null ? 0 : readCount(span, 'estimated_rows');
  const bySpan = (ids + BigInt(sliceSites) - 1n) / BigInt(sliceSites);
  const byRows = BigInt(Math.max(1, Math.ceil(estimated / sliceSites)));
  const count = bySpan < byRows ? bySpan : byRows;
  const width = (ids + count - 1n) / count;
  const slices: [bigint, bigint][] = [];
  for (let from = idMin; from <= idMax; from += width) {
    const to = from + width - 1n;
    slices.push([from, to < idMax ? to : idMax]);
  }
  return slices;
}

/** What to ask for: an inclusive bucket range of BUCKET_TOTAL buckets and how many groups and rows to return (0 = all). */
export interface DriftRequest {
  bucketMin: number;
  bucketMax: number;
  bucketTotal: number;
  rowLimit: number;
  summaryLimit: number;
}

/** The statements of one query version, parsed before any connection is made: the drift plans and the evidence. */
export interface DriftQueries {
  version: string;
  evidence: EvidenceQueries;
  /** Narrow ranges: the range's sites, each with its open events. */
  perSite: NamedQuery;
  /** Wide ranges, slice by primary-key slice: every site of the slice probed in the open-event rollup. */
  probedSites: NamedQuery;
  /** Wide ranges on large tables with a blog_id index: the drifting sites reached from the open HTTP events ... */
  openEvents: NamedQuery;
  /** ... and, slice by primary-key slice, the range's sites with no open HTTP event whose status is not running. */
  staleSites: NamedQuery;
  /** The primary key's smallest and largest value and the row estimate, to slice by, and whether blog_id is indexed. */
  siteIdSpan: NamedQuery;
}

/** Loads the drift statements of a query version from sql/<version>/. */
export function loadDriftQueries(version: string = QUERY_VERSION): DriftQueries {
  return {
    version,
    perSite: loadNamedQuery(version, 'drift_per_site'),
    probedSites: loadNamedQuery(version, 'drift_probed_sites'),
    openEvents: loadNamedQuery(version, 'drift_open_events'),
    staleSites: loadNamedQuery(version, 'drift_stale_sites'),
    siteIdSpan: loadNamedQuery(version, 'site_id_span'),
    evidence: {
      sites: loadNamedQuery(version, 'drift_evidence'),
      openEvents: loadNamedQuery(version, 'drift_evidence_open_events'),
      transitions: loadNamedQuery(version, 'drift_evidence_transitions'),
    },
  };
}

/** One returned row of the drift statements (their headers list the columns, the cause included). */
function decodeDriftSite(row: Columns): DriftSite {
  return {
    siteId: readId(row, 'site_id'),
    blogId: readId(row, 'blog_id'),
    bucket: readCount(row, 'bucket_no'),
    siteStatus: readCount(row, 'site_status'),
    expectedStatus: readCount(row, 'expected_status'),
    eventId: readOptionalId(row, 'event_id'),
    openEvents: readCount(row, 'open_event_count'),
    cause: String(row.cause),
    eventState: readText(row, 'event_state'),
  };
}

/** The listed row of a site: the report's columns only (the site id goes no further than the evidence lookup). */
const listedRow = ({ siteId: _siteId, ...row }: DriftSite): DriftRow => row;

/** How to read: who hears of the progress, and (for tests) the slice size of the wide plan. */
export interface DriftReadOptions {
  /** Told, after each statement, how many buckets (per-site plan) or parts (wide plans) are read of how many. */
  progress?: (done: number, total: number, unit: 'buckets' | 'parts') => void;
  /** Sites per primary-key slice of the wide plans, unless a test makes slices small (and so picks the open-events plan where a blog_id index exists). */
  siteIdSlice?: number;
  /**
   * Handed every drifting site of the range, listed or not, in listing order, before the last rows are
   * yielded (what --recheck records and compares). The wide plan then keeps every site to sort them.
   */
  everySite?: (site: DriftSite) => void;
}

/** A drift report being read: the listed rows to stream, then the summary of the whole range. */
export interface DriftReading {
  /** The listed rows (with each site's primary key), in order and in batches; read them once, inside the snapshot. */
  rows: AsyncIterable<DriftSite[]>;
  /** The summary of the whole range; available once `rows` has been read to the end. */
  summary(): DriftSummary;
}

/** Rows handed on at a time: the driver's batch size. */
const ROW_BATCH = 1000;

/** Rows of one wide-plan statement held in memory before its spool moves to a temporary file. */
const PART_MEMORY_ROWS = 2000;

/**
 * Reads one range inside an open snapshot. Narrow ranges (up to PER_SITE_SHARE of the buckets) run
 * one statement per chunk of buckets that reads the chunk's sites and looks each one's open events
 * up; the rows arrive in listing order and stream on. Wide ranges run one statement per primary-key
 * slice that probes every site of the slice in the open-event rollup (drift_probed_sites). Where
 * that takes more than one slice and an index of the sites starts with blog_id (production's
 * blog_id_monitor_url), they instead run one statement for the sites reached from the open HTTP
 * events (drift_open_events), then one per smaller slice for the sites without any whose status is
 * not running (drift_stale_sites): the rollup is then built once, not once a slice. On production's
 * shape the probed plan was 15-20% faster on 1M sites (one slice) and the other 10-15% faster on
 * 10M (two slices). The first rows of each statement (in listing order) are merged at the end.
 * Every drifting site is folded into its summary group as it arrives, so only listed rows are
 * kept. `progress` hears of each finished statement.
 */
export function readDrift(
  session: SnapshotSession,
  queries: DriftQueries,
  request: DriftRequest,
  { progress, siteIdSlice, everySite }: DriftReadOptions = {},
): DriftReading {
  const builder = new DriftSummaryBuilder();
  const rowLimit = request.rowLimit === 0 ? Infinity : request.rowLimit;
  // The wide plan merges what each statement keeps; to hand every site on in listing order it keeps every one.
  const keepLimit = everySite ? Infinity : rowLimit;
  const range = { bucket_min: request.bucketMin, bucket_max: request.bucketMax };
  let summary: Omit<DriftSummary, 'queryVersion' | 'bucketMin' | 'bucketMax'> | undefined;

  /**
   * Runs one statement, folding every row into the summary; spools its first keepLimit rows (in the
   * statement's own listing order) and adds the spool to `parts`, which the caller discards.
   */
  async function firstRows(name: string, statement: Sql, parts: RowSpool<DriftSite>[]): Promise<void> {
    const kept = new RowSpool<DriftSite>(PART_MEMORY_ROWS);
    parts.push(kept);
    for await (const batch of session.stream(name, statement)) {
      const sites: DriftSite[] = [];
      for (const row of batch) {
        const site = decodeDriftSite(row);
        builder.add(site);
        if (kept.count + sites.length < keepLimit) sites.push(site);
      }
      await kept.push(sites);
    }
  }

  async function* perSite(): AsyncGenerator<DriftSite[]> {
    let listed = 0;
    const buckets = request.bucketMax - request.bucketMin + 1;
    const chunk = Math.max(1, Math.floor(request.bucketTotal * PER_SITE_CHUNK_SHARE));
    progress?.(0, buckets, 'buckets');
    for (let first = request.bucketMin; first <= request.bucketMax; first += chunk) {
      const last = Math.min(first + chunk - 1, request.bucketMax);
      const statement = bindNamedQuery(queries.perSite, { bucket_min: first, bucket_max: last });
      for await (const batch of session.stream('drift_per_site', statement)) {
        const rows: DriftSite[] = [];
        for (const row of batch) {
          const site = decodeDriftSite(row);
          builder.add(site);
          everySite?.(site);
          if (listed < rowLimit) {
            rows.push(site);
            listed++;
          }
        }
        if (rows.length > 0) yield rows;
      }
      progress?.(last - request.bucketMin + 1, buckets, 'buckets');
    }
  }

  async function* wide(): AsyncGenerator<DriftSite[]> {
    let span: Columns | undefined;
    for await (const batch of session.stream('site_id_span', bindNamedQuery(queries.siteIdSpan, {}))) span ??= batch[0];
    const slicesOf = (sliceSites: number) => (span === undefined || span.site_id_min === null ? [] : siteIdSlices(span, sliceSites));
    const probedSlices = slicesOf(siteIdSlice ?? PROBED_SITE_ID_SLICE);
    const reachable = span !== undefined && readCount(span, 'blog_id_indexed') === 1 && probedSlices.length > 1;
    const slices = reachable ? slicesOf(siteIdSlice ?? STALE_SITE_ID_SLICE) : probedSlices;
    const [name, perSlice] = reachable ? (['drift_stale_sites', queries.staleSites] as const) : (['drift_probed_sites', queries.probedSites] as const);
    const steps = slices.length + (reachable ? 1 : 0);
    progress?.(0, steps, 'parts');
    const parts: RowSpool<DriftSite>[] = [];
    try {
      if (reachable) {
        await firstRows('drift_open_events', bindNamedQuery(queries.openEvents, range), parts);
        progress?.(1, steps, 'parts');
      }
      for (const [index, [from, to]] of slices.entries()) {
        const statement = bindNamedQuery(perSlice, { ...range, site_id_min: from.toString(), site_id_max: to.toString() });
        await firstRows(name, statement, parts);
        progress?.(steps - slices.length + index + 1, steps, 'parts');
      }
      // Each part is in listing order: merged, they are the range's drifting sites in listing order.
      let listed: DriftSite[] = [];
      let count = 0;
      for await (const site of mergeSorted(parts.map((part) => part.rows()), compareListing)) {
        everySite?.(site);
        if (count >= rowLimit) {
          if (everySite) continue;
          break;
        }
        listed.push(site);
        count++;
        if (listed.length === ROW_BATCH) {
          yield listed;
          listed = [];
        }
      }
      if (listed.length > 0) yield listed;
    } finally {
      for (const part of parts) await part.discard();
    }
  }

  async function* rows(): AsyncGenerator<DriftSite[]> {
    const buckets = request.bucketMax - request.bucketMin + 1;
    yield* buckets <= request.bucketTotal * PER_SITE_SHARE ? perSite() : wide();
    summary = builder.finish(request.summaryLimit);
  }
  return {
    rows: rows(),
    summary() {
      if (summary === undefined) throw new Error('the drift summary was read before its rows');
      return { queryVersion: queries.version, bucketMin: request.bucketMin, bucketMax: request.bucketMax, ...summary };
    },
  };
}

/** Reads one range in its own snapshot and collects every listed row (for callers that need them all at once). */
export async function queryDrift(
  config: DbConfig,
  queries: DriftQueries,
  request: DriftRequest,
  options: DriftReadOptions = {},
): Promise<DriftResults> {
  return withReadOnlySnapshot(config, async (session) => {
    const reading = readDrift(session, queries, request, options);
    const rows: DriftRow[] = [];
    for await (const batch of reading.rows) for (const site of batch) rows.push(listedRow(site));
    return { ...reading.summary(), rows, timings: session.timings };
  });
}

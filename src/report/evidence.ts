import type { NamedQuery } from '../db/sql_loader.js';
import { bindNamedQuery } from '../db/sql_loader.js';
import type { SnapshotSession } from '../db/snapshot.js';
import { readCount, readId, readOptionalId, readText, type Columns } from '../db/decode.js';
import { CheckError } from '../errors.js';
import type { DriftRow } from './drift_results.js';

/** Open HTTP events listed per site for multiple_open_http_events; the rest are counted ("N more"). */
export const OPEN_EVENT_CAP = 10;

/**
 * Listed sites whose evidence one round of statements reads: each statement costs some 2-5 ms
 * besides its rows (prepared with one placeholder per id), so 300,000 listed sites took 8.9 s of
 * evidence in batches of 500 and 6.0 s in batches of 2,000; 5,000 saved another second but took
 * peak RSS past 200 MB.
 */
export const EVIDENCE_BATCH = 2000;

/** The causes that point at a close or a recovery: their evidence shows the site's latest closed HTTP event. */
const CLOSE_CAUSES: ReadonlySet<string> = new Set(['stale_legacy_down_projection', 'stale_confirmed_down_projection']);

/** The evidence statements of a query version (sql/<version>/drift_evidence*.sql). */
export interface EvidenceQueries {
  sites: NamedQuery;
  openEvents: NamedQuery;
  transitions: NamedQuery;
}

/** One open HTTP event of a site with several. */
export interface OpenEventEvidence {
  id: string;
  state: string;
}

/**
 * What the authoritative tables say about one listed drifting site, read in the report's snapshot.
 * Timestamps are ISO 8601 UTC strings (`2026-05-01T11:58:00.000Z`), ids exact decimal digits,
 * strings exactly as stored; null where the database has nothing (or the part does not apply).
 */
export interface SiteEvidence {
  /** When the legacy projection was last written (jetpack_monitor_sites.last_status_change). */
  lastStatusChange: string | null;
  /** The representative open event the row shows (its event_id); null when the row shows none. */
  event: { id: string; startedAt: string | null; updatedAt: string | null; severity: number | null } | null;
  /** For multiple_open_http_events: the first OPEN_EVENT_CAP open HTTP events by id, and how many more there are; else null. */
  openEvents: { events: OpenEventEvidence[]; more: number } | null;
  /** The latest transition of the site's HTTP events; null when there is none or the table could not be read. */
  transition: {
    eventId: string;
    changedAt: string | null;
    stateBefore: string | null;
    stateAfter: string | null;
    reason: string | null;
    source: string | null;
  } | null;
  /** For the causes that point at a close or recovery: the site's latest closed HTTP event; else null. */
  closedEvent: { id: string; endedAt: string | null; resolutionReason: string | null } | null;
  /** Drifting since, at least: the latest of the writes above (projection, open event update, transition, close). */
  driftingSince: string | null;
  /** Whole seconds from driftingSince to the server's clock (NOW(3) in the same snapshot), rounded down. */
  driftingSinceAgeS: number | null;
}

/** Evidence the report could not read, or was told not to (--no-evidence), said once per report. */
export interface EvidenceGap {
  part: 'transitions' | 'all';
  reason: 'missing_table' | 'no_privilege' | 'not_requested';
  message: string;
}

/** What a report run with --no-evidence says of its evidence. */
export const evidenceNotRequested: EvidenceGap = {
  part: 'all',
  reason: 'not_requested',
  message: 'evidence was not read: the run was started with --no-evidence',
};

/**
 * A DATETIME or TIMESTAMP value as the driver returns it (`YYYY-MM-DD HH:MM:SS[.fff]`, in the session's
 * UTC) as ISO 8601 UTC with at least milliseconds; null for NULL and for the zero date a legacy
 * DATETIME may hold ("never").
 */
export function isoUtc(row: Columns, column: string): string | null {
  const text = readText(row, column);
  if (text === null || /^0000-00-00/.test(text)) return null;
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d+))?$/.exec(text);
  if (!match) throw new TypeError(`column ${column}: expected a date and time, got ${text}`);
  return `${match[1]}T${match[2]}.${(match[3] ?? '').padEnd(3, '0')}Z`;
}

/** Milliseconds since the epoch of an ISO string made by isoUtc. */
const epochMs = (iso: string) => Date.parse(iso.replace(/(\.\d{3})\d*Z$/, '$1Z'));

/** The latest of some timestamps (ISO strings by isoUtc), and its age in whole seconds on the server clock `now`. */
export function driftingSince(candidates: readonly (string | null)[], now: string): { since: string | null; ageS: number | null } {
  let since: string | null = null;
  for (const candidate of candidates) {
    if (candidate !== null && (since === null || epochMs(candidate) > epochMs(since))) since = candidate;
  }
  return { since, ageS: since === null ? null : Math.floor((epochMs(now) - epochMs(since)) / 1000) };
}

/** Why the transitions table could not be read, from the server's error number; undefined when it is another failure. */
function transitionGap(error: unknown): EvidenceGap | undefined {
  if (!(error instanceof CheckError)) return undefined;
  if (error.errno === 1146) {
    return { part: 'transitions', reason: 'missing_table', message: 'table jetmon_event_transitions does not exist (a schema before jetmon2 migration 11)' };
  }
  if (error.errno === 1142 || error.errno === 1143) {
    return {
      part: 'transitions',
      reason: 'no_privilege',
      message: 'the database user may not read jetmon_event_transitions; GRANT SELECT on it to show transitions (README: least privilege)',
    };
  }
  return undefined;
}

/** Runs one statement and collects its rows (a batch's rows are few: at most EVIDENCE_BATCH x OPEN_EVENT_CAP). */
async function collect(session: SnapshotSession, name: string, query: NamedQuery, values: Record<string, unknown>): Promise<Columns[]> {
  const rows: Columns[] = [];
  for await (const batch of session.stream(name, bindNamedQuery(query, values))) rows.push(...batch);
  return rows;
}

/**
 * Reads the evidence of listed drifting sites, batch by batch, on the report's connection inside its
 * snapshot (after the report statement has ended: one statement runs at a time). Every lookup is by
 * index, for the given sites only. A missing or unreadable transitions table is recorded once in
 * `gaps`, and the rest of the evidence is still read; any other failure fails the report.
 */
export class EvidenceReader {
  readonly gaps: EvidenceGap[] = [];
  private transitionsReadable = true;

  constructor(
    private readonly session: SnapshotSession,
    private readonly queries: EvidenceQueries,
  ) {}

  /** The evidence of up to EVIDENCE_BATCH listed rows, by blog id (rows of one blog share it). */
  async read(rows: readonly (DriftRow & { siteId: string })[]): Promise<Map<string, SiteEvidence>> {
    const blogIds = [...new Set(rows.map((row) => row.blogId))];
    const siteIds = rows.map((row) => row.siteId);
    const closeBlogIds = [...new Set(rows.filter((row) => CLOSE_CAUSES.has(row.cause)).map((row) => row.blogId))];
    const eventIds = [...new Set(rows.flatMap((row) => (row.eventId === null ? [] : [row.eventId])))];
    const multiple = [...new Set(rows.filter((row) => row.cause === 'multiple_open_http_events').map((row) => row.blogId))];
    const sites = await collect(this.session, 'drift_evidence', this.queries.sites, { site_ids: siteIds, event_ids: eventIds, close_blog_ids: closeBlogIds });
    const open = new Map<string, { events: OpenEventEvidence[]; total: number }>();
    if (multiple.length > 0) {
      const values = { blog_ids: multiple, open_event_cap: OPEN_EVENT_CAP };
      for (const row of await collect(this.session, 'drift_evidence_open_events', this.queries.openEvents, values)) {
        const blogId = readId(row, 'blog_id');
        const entry = open.get(blogId) ?? { events: [], total: readCount(row, 'open_events') };
        entry.events.push({ id: readId(row, 'event_id'), state: readText(row, 'state') ?? '' });
        open.set(blogId, entry);
      }
    }
    const transitions = new Map<string, NonNullable<SiteEvidence['transition']>>();
    for (const row of await this.readTransitions(blogIds)) {
      transitions.set(readId(row, 'blog_id'), {
        eventId: readId(row, 'event_id'),
        changedAt: isoUtc(row, 'changed_at'),
        stateBefore: readText(row, 'state_before'),
        stateAfter: readText(row, 'state_after'),
        reason: readText(row, 'reason'),
        source: readText(row, 'source'),
      });
    }
    const causes = new Map(rows.map((row) => [row.blogId, row]));
    const evidence = new Map<string, SiteEvidence>();
    for (const row of sites) {
      const blogId = readId(row, 'blog_id');
      const listed = causes.get(blogId)!;
      const eventId = readOptionalId(row, 'event_id');
      const closedId = readOptionalId(row, 'closed_event_id');
      const openEvents = open.get(blogId);
      const found: Omit<SiteEvidence, 'driftingSince' | 'driftingSinceAgeS'> = {
        lastStatusChange: isoUtc(row, 'last_status_change'),
        event:
          eventId === null
            ? null
            : {
                id: eventId,
                startedAt: isoUtc(row, 'event_started_at'),
                updatedAt: isoUtc(row, 'event_updated_at'),
                severity: row.event_severity === null ? null : readCount(row, 'event_severity'),
              },
        openEvents:
          listed.cause !== 'multiple_open_http_events'
            ? null
            : { events: openEvents?.events ?? [], more: Math.max(0, (openEvents?.total ?? 0) - (openEvents?.events.length ?? 0)) },
        transition: transitions.get(blogId) ?? null,
        closedEvent:
          closedId === null || !CLOSE_CAUSES.has(listed.cause)
            ? null
            : { id: closedId, endedAt: isoUtc(row, 'closed_ended_at'), resolutionReason: readText(row, 'closed_resolution_reason') },
      };
      const { since, ageS } = driftingSince(
        [found.lastStatusChange, found.event?.updatedAt ?? null, found.transition?.changedAt ?? null, found.closedEvent?.endedAt ?? null],
        isoUtc(row, 'server_now')!,
      );
      evidence.set(blogId, { ...found, driftingSince: since, driftingSinceAgeS: ageS });
    }
    return evidence;
  }

  /** The latest HTTP transition per blog, or none once the table turned out missing or unreadable. */
  private async readTransitions(blogIds: string[]): Promise<Columns[]> {
    if (!this.transitionsReadable) return [];
    try {
      return await collect(this.session, 'drift_evidence_transitions', this.queries.transitions, { blog_ids: blogIds });
    } catch (error) {
      const gap = transitionGap(error);
      if (!gap) throw error;
      this.transitionsReadable = false;
      this.gaps.push(gap);
      return [];
    }
  }
}

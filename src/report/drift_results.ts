import type { StatementTiming } from '../db/snapshot.js';

/** One summary group: drifting sites sharing bucket, statuses, event state and cause. */
export interface SummaryGroup {
  bucket: number;
  siteStatus: number;
  expectedStatus: number;
  eventState: string | null;
  cause: string;
  count: number;
  maxOpenEvents: number;
  /** Smallest blog_id of the group, as exact decimal digits. */
  sampleBlogId: string;
}

/** A cause and how many drifting sites carry it, over all groups. */
export interface CauseTotal {
  cause: string;
  count: number;
}

/** One drifting site row. Ids are exact decimal digits (BIGINT UNSIGNED never passes through a float). */
export interface DriftRow {
  blogId: string;
  bucket: number;
  siteStatus: number;
  expectedStatus: number;
  eventId: string | null;
  openEvents: number;
  cause: string;
  eventState: string | null;
}

/** What the report statement says about one range as a whole: everything but the listed rows. */
export interface DriftSummary {
  queryVersion: string;
  bucketMin: number;
  bucketMax: number;
  /** Drifting sites in the range, counted on their own (before any limit). */
  driftCount: number;
  /** Drifting sites over all summary groups: the guard, equal to driftCount unless the statement is wrong. */
  summarizedCount: number;
  /** The groups within the summary limit, in report order. */
  groups: SummaryGroup[];
  /** Number of groups over the whole range. */
  groupsTotal: number;
  /** Drifting sites in the groups beyond the summary limit. */
  hiddenGroupRows: number;
  /** Every cause over all groups, highest count first, ties by code. */
  causes: CauseTotal[];
}

/** A summary and its rows read in one snapshot, with the statement timings. */
export interface DriftResults extends DriftSummary {
  /** The first rows, ordered by bucket then blog_id. */
  rows: DriftRow[];
  timings: StatementTiming[];
}

/** One summary group: drifting sites sharing bucket, statuses, event state and cause. */
export interface SummaryGroup {
  bucket: number;
  siteStatus: number | null;
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
  siteStatus: number | null;
  expectedStatus: number;
  eventId: string | null;
  openEvents: number;
  cause: string;
  eventState: string | null;
}

/** How long one statement took and how many rows it returned. */
export interface StatementTiming {
  name: string;
  ms: number;
  rows: number;
}

/** Everything the drift statements returned for one range, read in one snapshot. */
export interface DriftResults {
  queryVersion: string;
  bucketMin: number;
  bucketMax: number;
  /** From the count statement. */
  driftCount: number;
  /** The first groups, in report order. */
  groups: SummaryGroup[];
  /** Number of groups over the whole range. */
  groupsTotal: number;
  /** Drifting sites over all groups (equals driftCount unless drift moved). */
  summarizedDriftRows: number;
  causes: CauseTotal[];
  /** The first rows, ordered by bucket then blog_id. */
  rows: DriftRow[];
  timings: StatementTiming[];
}

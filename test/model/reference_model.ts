/**
 * The reference model of the projection drift report, written over plain arrays from the
 * README's contract: "Reading the report" (what drifts, the rollup, the order of groups, causes
 * and rows, the counts) and its "Causes" section (the rules, and which event EVENT_ID and
 * EVENT_STATE describe). It shares no code with the product: no SQL, no loader, no decoders.
 */
import { compareBigInt, compareNullableUtf8, compareNumber, compareUtf8, smallest } from './ordering.js';

/** A jetpack_monitor_sites row, as far as the report reads it. */
export interface ModelSite {
  siteId: bigint;
  blogId: bigint;
  bucket: number;
  active: boolean;
  siteStatus: number;
}

/** A jetmon_events row, as far as the report reads it. */
export interface ModelEvent {
  id: bigint;
  blogId: bigint;
  checkType: string;
  state: string;
  ended: boolean;
}

/** The inclusive bucket range and the limits (0 = no limit). */
export interface ModelRequest {
  bucketMin: number;
  bucketMax: number;
  rowLimit: number;
  summaryLimit: number;
}

/** One summary group (ids as exact decimal strings). */
export interface ModelGroup {
  bucket: number;
  siteStatus: number;
  expectedStatus: number;
  eventState: string | null;
  cause: string;
  count: number;
  maxOpenEvents: number;
  sampleBlogId: string;
}

/** A cause and how many drifting sites carry it. */
export interface ModelCause {
  cause: string;
  count: number;
}

/** One drifting site row (ids as exact decimal strings). */
export interface ModelRow {
  blogId: string;
  bucket: number;
  siteStatus: number;
  expectedStatus: number;
  eventId: string | null;
  openEvents: number;
  cause: string;
  eventState: string | null;
}

/** Everything the report computes for one request. */
export interface ModelReport {
  driftCount: number;
  groups: ModelGroup[];
  groupsTotal: number;
  /** Drifting sites over all groups (the report checks it against driftCount). */
  summarizedCount: number;
  /** Drifting sites in the groups beyond the summary limit. */
  hiddenGroupRows: number;
  causes: ModelCause[];
  rows: ModelRow[];
}

/** The per-site rollup ("Reading the report" and "Causes" in the README). */
interface Rollup {
  expectedStatus: number;
  eventState: string | null;
  eventId: bigint | null;
  openEventCount: number;
}

/** An active in-range site with its rollup and cause, when it drifts. */
interface DriftSite {
  site: ModelSite;
  rollup: Rollup;
  cause: string;
}

const DOWN = 'Down';
const SEEMS_DOWN = 'Seems Down';

/** Open HTTP events only: ended_at NULL and check_type exactly 'http' (byte for byte). */
const isOpenHttp = (event: ModelEvent): boolean => !event.ended && event.checkType === 'http';

const smallestId = (events: readonly ModelEvent[]): bigint | null =>
  smallest(events.map((e) => e.id), compareBigInt) ?? null;

/** The rollup over one site's open HTTP events; states compare byte for byte. */
function rollup(openEvents: readonly ModelEvent[]): Rollup {
  const down = openEvents.filter((e) => e.state === DOWN);
  const seemsDown = openEvents.filter((e) => e.state === SEEMS_DOWN);
  const base = { openEventCount: openEvents.length };
  if (down.length > 0) return { ...base, expectedStatus: 2, eventState: DOWN, eventId: smallestId(down) };
  if (seemsDown.length > 0) return { ...base, expectedStatus: 0, eventState: SEEMS_DOWN, eventId: smallestId(seemsDown) };
  // The listed state is the state of the listed event, the open event with the smallest id (README, "Causes").
  const firstId = smallestId(openEvents);
  const firstState = openEvents.find((e) => e.id === firstId)?.state ?? null;
  return { ...base, expectedStatus: 1, eventState: firstState, eventId: firstId };
}

const inShape = (status: number): boolean => status === 0 || status === 1 || status === 2;

/** The cause rules of the README's table, in order; the first match wins. */
function cause(siteStatus: number, r: Rollup): string {
  const expected = r.expectedStatus;
  if (!inShape(siteStatus) || !inShape(expected)) return 'unexpected_projection_value';
  if (r.openEventCount > 1) return 'multiple_open_http_events';
  if (expected === 1 && siteStatus !== 1) return 'stale_legacy_down_projection';
  if (expected === 2 && siteStatus === 1) return 'missing_confirmed_down_projection';
  if (expected === 0 && siteStatus === 1) return 'missing_seems_down_projection';
  if (expected === 2 && siteStatus === 0) return 'missing_confirmed_promotion';
  if (expected === 0 && siteStatus === 2) return 'stale_confirmed_down_projection';
  if (r.eventState !== null) return 'unexpected_open_event_projection';
  return 'unexpected_projection_value';
}

/** Active sites of the range whose site_status differs from the expected status, each classified once. */
function driftSites(sites: readonly ModelSite[], events: readonly ModelEvent[], request: ModelRequest): DriftSite[] {
  const openHttp = events.filter(isOpenHttp);
  const result: DriftSite[] = [];
  for (const site of sites) {
    if (!site.active || site.bucket < request.bucketMin || site.bucket > request.bucketMax) continue;
    const r = rollup(openHttp.filter((e) => e.blogId === site.blogId));
    if (site.siteStatus !== r.expectedStatus) result.push({ site, rollup: r, cause: cause(site.siteStatus, r) });
  }
  return result;
}

const limited = <T>(items: T[], limit: number): T[] => (limit === 0 ? items : items.slice(0, limit));

/** Groups by bucket, site_status, expected_status, event_state and cause, in report order. */
function summaryGroups(drift: readonly DriftSite[]): ModelGroup[] {
  const members = new Map<string, DriftSite[]>();
  for (const d of drift) {
    const key = JSON.stringify([d.site.bucket, d.site.siteStatus, d.rollup.expectedStatus, d.rollup.eventState, d.cause]);
    members.set(key, [...(members.get(key) ?? []), d]);
  }
  const groups = [...members.values()].map((sites): ModelGroup => {
    const { site, rollup: r, cause: c } = sites[0]!;
    return {
      bucket: site.bucket,
      siteStatus: site.siteStatus,
      expectedStatus: r.expectedStatus,
      eventState: r.eventState,
      cause: c,
      count: sites.length,
      maxOpenEvents: Math.max(...sites.map((d) => d.rollup.openEventCount)),
      sampleBlogId: String(smallest(sites.map((d) => d.site.blogId), compareBigInt)),
    };
  });
  return groups.sort(
    (a, b) =>
      b.count - a.count ||
      compareNumber(a.bucket, b.bucket) ||
      compareNumber(a.siteStatus, b.siteStatus) ||
      compareNumber(a.expectedStatus, b.expectedStatus) ||
      compareNullableUtf8(a.eventState, b.eventState) ||
      compareUtf8(a.cause, b.cause),
  );
}

/** Totals per cause over all drifting sites, highest count first, ties by cause code. */
function causeTotals(drift: readonly DriftSite[]): ModelCause[] {
  const totals = new Map<string, number>();
  for (const d of drift) totals.set(d.cause, (totals.get(d.cause) ?? 0) + 1);
  return [...totals].map(([c, count]) => ({ cause: c, count })).sort((a, b) => b.count - a.count || compareUtf8(a.cause, b.cause));
}

/** Drifting site rows ordered by bucket, blog_id, then site id. */
function driftRows(drift: readonly DriftSite[]): ModelRow[] {
  return [...drift]
    .sort(
      (a, b) =>
        compareNumber(a.site.bucket, b.site.bucket) ||
        compareBigInt(a.site.blogId, b.site.blogId) ||
        compareBigInt(a.site.siteId, b.site.siteId),
    )
    .map(({ site, rollup: r, cause: c }) => ({
      blogId: site.blogId.toString(),
      bucket: site.bucket,
      siteStatus: site.siteStatus,
      expectedStatus: r.expectedStatus,
      eventId: r.eventId === null ? null : r.eventId.toString(),
      openEvents: r.openEventCount,
      cause: c,
      eventState: r.eventState,
    }));
}

/** Computes the whole report for one request over the given site and event rows. */
export function referenceReport(
  sites: readonly ModelSite[],
  events: readonly ModelEvent[],
  request: ModelRequest,
): ModelReport {
  const drift = driftSites(sites, events, request);
  const groups = summaryGroups(drift);
  const shown = limited(groups, request.summaryLimit);
  const total = (list: readonly ModelGroup[]) => list.reduce((sum, g) => sum + g.count, 0);
  return {
    driftCount: drift.length,
    groups: shown,
    groupsTotal: groups.length,
    summarizedCount: total(groups),
    hiddenGroupRows: total(groups) - total(shown),
    causes: causeTotals(drift),
    rows: limited(driftRows(drift), request.rowLimit),
  };
}

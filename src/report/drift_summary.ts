import type { CauseTotal, DriftRow, DriftSummary, SummaryGroup } from './drift_results.js';

/**
 * A drifting site as the drift statements return it, with its cause: the row the report lists, plus the
 * site's primary key, which orders sites of one blog and bucket.
 */
export interface DriftSite extends DriftRow {
  siteId: string;
}

/** Orders two unsigned integers written as decimal digits without leading zeros. */
export function compareDigits(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Orders texts by their UTF-8 bytes (as the statements compared states, CAST AS BINARY), NULL first. */
function compareBytes(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Listing order: bucket, then blog_id, then the site's primary key. */
export function compareListing(a: DriftSite, b: DriftSite): number {
  return a.bucket - b.bucket || compareDigits(a.blogId, b.blogId) || compareDigits(a.siteId, b.siteId);
}

/** Report order of summary groups: most sites first, then bucket, site_status, expected_status, event_state, cause. */
function compareGroups(a: SummaryGroup, b: SummaryGroup): number {
  return (
    b.count - a.count ||
    a.bucket - b.bucket ||
    a.siteStatus - b.siteStatus ||
    a.expectedStatus - b.expectedStatus ||
    compareBytes(a.eventState, b.eventState) ||
    compareBytes(a.cause, b.cause)
  );
}

/**
 * Folds drifting sites into their summary groups (bucket, site_status, expected_status, event_state,
 * cause), in any order: a group's count, largest open-event count and smallest blog_id merge exactly,
 * so sites read in several statements of one snapshot add up to what one statement would give.
 */
export class DriftSummaryBuilder {
  readonly #groups = new Map<string, SummaryGroup>();
  /** Drifting sites seen, counted on their own (the report checks the groups' total against it). */
  #driftCount = 0;

  add(site: DriftSite): void {
    this.#driftCount++;
    const key = `${site.bucket}|${site.siteStatus}|${site.expectedStatus}|${site.cause}|${site.eventState === null ? 'N' : `S${site.eventState}`}`;
    const group = this.#groups.get(key);
    if (group === undefined) {
      this.#groups.set(key, {
        bucket: site.bucket,
        siteStatus: site.siteStatus,
        expectedStatus: site.expectedStatus,
        eventState: site.eventState,
        cause: site.cause,
        count: 1,
        maxOpenEvents: site.openEvents,
        sampleBlogId: site.blogId,
      });
      return;
    }
    group.count++;
    if (site.openEvents > group.maxOpenEvents) group.maxOpenEvents = site.openEvents;
    if (compareDigits(site.blogId, group.sampleBlogId) < 0) group.sampleBlogId = site.blogId;
  }

  /**
   * The summary of everything added: the first `summaryLimit` groups in report order (0 = all), the
   * sites of the groups beyond them, and every cause (most sites first, ties by cause code).
   */
  finish(summaryLimit: number): Omit<DriftSummary, 'queryVersion' | 'bucketMin' | 'bucketMax'> {
    const groups = [...this.#groups.values()].sort(compareGroups);
    const causeCounts = new Map<string, number>();
    let summarizedCount = 0;
    for (const group of groups) {
      summarizedCount += group.count;
      causeCounts.set(group.cause, (causeCounts.get(group.cause) ?? 0) + group.count);
    }
    const causes: CauseTotal[] = [...causeCounts]
      .map(([cause, count]) => ({ cause, count }))
      .sort((a, b) => b.count - a.count || compareBytes(a.cause, b.cause));
    const shown = summaryLimit === 0 ? groups : groups.slice(0, summaryLimit);
    const shownCount = shown.reduce((sum, group) => sum + group.count, 0);
    return {
      driftCount: this.#driftCount,
      summarizedCount,
      groups: shown,
      groupsTotal: groups.length,
      hiddenGroupRows: summarizedCount - shownCount,
      causes,
    };
  }
}

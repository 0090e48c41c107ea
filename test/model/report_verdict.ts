/**
 * The CLI's JSON report read back into the reference model's shape, so the differential test can
 * compare the whole process's output (counts, groups, causes, rows) with the model.
 */
import { parseExactJson } from '../support/report_checks.js';
import type { ModelCause, ModelGroup, ModelRow } from './reference_model.js';

/** The report format the differential CLI check runs. */
export const VERDICT_FORMAT = 'json';

/** What a JSON report says, in the model's field names, with ids as exact decimal strings. */
export interface ReportVerdict {
  driftCount: number;
  /** The summarized count: count_changed's, or the drift count when it is null (the counts agree). */
  summarizedCount: number;
  groups: ModelGroup[];
  groupsTotal: number;
  hiddenGroupRows: number;
  causes: ModelCause[];
  rows: ModelRow[];
}

const id = (value: unknown): string => String(value);

/** Reads a JSON report (ids parsed without loss) into the model's shape; guidance text is left out. */
export function readVerdict(stdout: string): ReportVerdict {
  const report = parseExactJson(stdout);
  return {
    driftCount: report.drift_count,
    summarizedCount: report.count_changed?.summarized ?? report.drift_count,
    groups: report.summary.groups.map((g: any) => ({
      bucket: g.bucket,
      siteStatus: g.site_status,
      expectedStatus: g.expected_status,
      eventState: g.event_state,
      cause: g.cause,
      count: g.count,
      maxOpenEvents: g.max_open_events,
      sampleBlogId: id(g.sample_blog_id),
    })),
    groupsTotal: report.summary.groups_total,
    hiddenGroupRows: report.summary.rows_hidden,
    causes: report.causes.map((c: any) => ({ cause: c.cause, count: c.count })),
    rows: report.rows.map((r: any) => ({
      blogId: id(r.blog_id),
      bucket: r.bucket,
      siteStatus: r.site_status,
      expectedStatus: r.expected_status,
      eventId: r.event_id === null ? null : id(r.event_id),
      openEvents: r.open_events,
      cause: r.cause,
      eventState: r.event_state,
    })),
  };
}

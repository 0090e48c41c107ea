import type { CauseTotal, DriftResults, DriftRow, StatementTiming, SummaryGroup } from './drift_results.js';
import { countChangedNote, guidanceFor, nextStep, repairGuidance, repairMode } from './guidance.js';

/** The server and database a report read, for the record (host, port and database name only). */
export interface ServerFacts {
  host: string;
  port: number;
  database: string;
}

/** A cause total with its operator guidance. */
export interface CauseView extends CauseTotal {
  action: string;
}

/** The one view every format renders, so text, Markdown and JSON can never disagree. Values are raw (unsanitized). */
export interface ReportView {
  report: 'projection-drift';
  generatedAt: string;
  queryVersion: string;
  range: { bucketMin: number; bucketMax: number; label: string };
  /** Where the data came from; never credentials. */
  server: ServerFacts;
  ok: boolean;
  driftCount: number;
  nextStep: string;
  summary: { groups: SummaryGroup[]; groupsTotal: number; groupsHidden: number; rowsHidden: number };
  causes: CauseView[];
  rows: DriftRow[];
  rowsTruncated: number;
  countChanged: null | { counted: number; summarized: number; note: string };
  repair: string;
  repairGuidance: string;
  failures: string[];
  timings: { dbMs: number; statements: StatementTiming[] };
}

/** Builds the report view from one snapshot's results, the server it came from and the time it was generated. */
export function buildReportView(results: DriftResults, server: ServerFacts, generatedAt: Date): ReportView {
  const label = `${results.bucketMin}-${results.bucketMax}`;
  const shownDrift = results.groups.reduce((sum, group) => sum + group.count, 0);
  const ok = results.driftCount === 0 && results.summarizedDriftRows === 0;
  const dbMs = results.timings.reduce((sum, timing) => sum + timing.ms, 0);
  return {
    report: 'projection-drift',
    generatedAt: generatedAt.toISOString(),
    queryVersion: results.queryVersion,
    range: { bucketMin: results.bucketMin, bucketMax: results.bucketMax, label },
    server,
    ok,
    driftCount: results.driftCount,
    nextStep,
    summary: {
      groups: results.groups,
      groupsTotal: results.groupsTotal,
      groupsHidden: results.groupsTotal - results.groups.length,
      rowsHidden: results.summarizedDriftRows - shownDrift,
    },
    causes: results.causes.map((total) => ({ ...total, action: guidanceFor(total.cause) })),
    rows: results.rows,
    rowsTruncated: Math.max(0, results.driftCount - results.rows.length),
    countChanged:
      results.summarizedDriftRows === results.driftCount
        ? null
        : { counted: results.driftCount, summarized: results.summarizedDriftRows, note: countChangedNote },
    repair: repairMode,
    repairGuidance,
    failures: ok ? [] : [`legacy projection drift=${results.driftCount} in range ${label}`],
    timings: { dbMs: Math.round(dbMs * 10) / 10, statements: results.timings },
  };
}

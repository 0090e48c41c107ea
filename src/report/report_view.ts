import type { StatementTiming } from '../db/snapshot.js';
import type { CauseTotal, DriftSummary, SummaryGroup } from './drift_results.js';
import { countChangedNote, guidanceFor, nextStep, repairGuidance, repairMode } from './guidance.js';
import type { BaselineComparison } from './baseline.js';
import type { EvidenceGap } from './evidence.js';
import type { RecheckResult } from './recheck.js';

/** The server and database a report read, for the record (where it connected and the database name only). */
export interface ServerFacts {
  /** What the run actually connected to: `host:port`, or `socket PATH`. */
  address: string;
  database: string;
}

/** A cause total with its operator guidance, and its change since the --baseline report (null without one). */
export interface CauseView extends CauseTotal {
  action: string;
  delta: number | null;
}

/** The comparison with an earlier report, as the templates print it. */
export type BaselineView = Omit<BaselineComparison, 'causeDeltas'>;

/**
 * The one view every format renders, so text, Markdown and JSON can never disagree. Values are
 * raw (unsanitized). The rows themselves are not in it: they stream through each format's row block.
 */
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
  /** Rows listed so far (all of them once the rows are streamed). */
  rowsListed: number;
  rowsTruncated: number;
  countChanged: null | { counted: number; summarized: number; note: string };
  repair: string;
  repairGuidance: string;
  failures: string[];
  /** Per statement name (the report, then each evidence statement), its time and rows over all its batches. */
  timings: { dbMs: number; statements: StatementTiming[] };
  /** The evidence section: the listed sites it describes (none with --no-evidence), and what could not be read (said once). */
  evidence: { listed: number; gaps: EvidenceGap[] };
  /** What changed since the --baseline report; null without one. */
  baseline: BaselineView | null;
  /** With --recheck: every drifting site of the report's snapshot checked again in a new one; null without it. */
  recheck: RecheckView | null;
}

/** A re-check as the templates print it: `stillDrifting` when any site persisted or changed (exit 1). */
export type RecheckView = RecheckResult & { stillDrifting: boolean };

/** Facts about the run that do not come from the database. */
export interface RunFacts {
  server: ServerFacts;
  generatedAt: Date;
}

/** The comparison as the templates print it: per-cause deltas go on the cause lines instead. */
function baselineView({ causeDeltas: _perCause, ...view }: BaselineComparison): BaselineView {
  return view;
}

/** One timing per statement name, in order of first run: evidence runs once per batch of listed sites. */
function totalsByName(timings: readonly StatementTiming[]): StatementTiming[] {
  const byName = new Map<string, StatementTiming>();
  for (const { name, ms, rows } of timings) {
    const total = byName.get(name);
    if (total) Object.assign(total, { ms: Math.round((total.ms + ms) * 10) / 10, rows: total.rows + rows });
    else byName.set(name, { name, ms, rows });
  }
  return [...byName.values()];
}

/** Builds the report view from the summary, the rows listed so far and the statement timings. */
export function buildReportView(
  summary: DriftSummary,
  run: RunFacts,
  progress: {
    rowsListed: number;
    timings: readonly StatementTiming[];
    baseline?: BaselineComparison | null;
    evidenceGaps?: readonly EvidenceGap[];
    /** False when the run did not read evidence (--no-evidence): the evidence section then describes no site. */
    evidenceRead?: boolean;
    recheck?: RecheckResult | null;
  },
): ReportView {
  const comparison = progress.baseline ?? null;
  const label = `${summary.bucketMin}-${summary.bucketMax}`;
  const ok = summary.driftCount === 0;
  const dbMs = progress.timings.reduce((sum, timing) => sum + timing.ms, 0);
  return {
    report: 'projection-drift',
    generatedAt: run.generatedAt.toISOString(),
    queryVersion: summary.queryVersion,
    range: { bucketMin: summary.bucketMin, bucketMax: summary.bucketMax, label },
    server: run.server,
    ok,
    driftCount: summary.driftCount,
    nextStep,
    summary: {
      groups: summary.groups,
      groupsTotal: summary.groupsTotal,
      groupsHidden: summary.groupsTotal - summary.groups.length,
      rowsHidden: summary.hiddenGroupRows,
    },
    causes: summary.causes.map((total) => ({
      ...total,
      action: guidanceFor(total.cause),
      delta: comparison ? (comparison.causeDeltas.get(total.cause) ?? total.count) : null,
    })),
    rowsListed: progress.rowsListed,
    rowsTruncated: Math.max(0, summary.driftCount - progress.rowsListed),
    countChanged:
      summary.driftCount === summary.summarizedCount
        ? null
        : { counted: summary.driftCount, summarized: summary.summarizedCount, note: countChangedNote },
    repair: repairMode,
    repairGuidance,
    failures: ok ? [] : [`legacy projection drift=${summary.driftCount} in range ${label}`],
    timings: { dbMs: Math.round(dbMs * 10) / 10, statements: totalsByName(progress.timings) },
    evidence: { listed: progress.evidenceRead === false ? 0 : progress.rowsListed, gaps: [...(progress.evidenceGaps ?? [])] },
    baseline: comparison && baselineView(comparison),
    recheck: progress.recheck ? { ...progress.recheck, stillDrifting: progress.recheck.persistent + progress.recheck.changed > 0 } : null,
  };
}

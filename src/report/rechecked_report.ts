import type { DbConfig } from '../config/db_config.js';
import type { Format } from '../config/options.js';
import { withReadOnlySnapshot, type StatementTiming } from '../db/snapshot.js';
import { ExitCode } from '../errors.js';
import { compileReportRenderer } from '../render/render.js';
import { stageReport, type StagedReport } from '../render/report_output.js';
import { BaselineTracker, type Baseline } from './baseline.js';
import { readDrift, type DriftQueries, type DriftRequest } from './drift_queries.js';
import { loadDriftingSitesQuery, readDriftingSites } from './recheck_query.js';
import type { DriftRow } from './drift_results.js';
import { Recheck } from './recheck.js';
import { waitToRecheck, type WaitIo } from './recheck_wait.js';
import { buildReportView, type RunFacts } from './report_view.js';

/** What a re-checked run needs besides the report's own inputs. */
export interface RecheckRun extends WaitIo {
  /** Milliseconds between the report's snapshot and the re-check's (more than 0). */
  afterMs: number;
  /** Called after the wait, just before the re-check's snapshot opens: tests act as a concurrent writer here. */
  beforeRecheck?: (() => Promise<void>) | undefined;
}

/** What a report run reads and where it writes, as the CLI resolved them. */
export interface ReportInputs {
  config: DbConfig;
  queries: DriftQueries;
  request: DriftRequest;
  format: Format;
  run: RunFacts;
  baseline: Baseline | null;
  staged: StagedReport;
}

/** The names of the re-check snapshot's statements in the report's timings: `recheck_` and their own. */
const recheckTiming = (timing: StatementTiming): StatementTiming => ({ ...timing, name: `recheck_${timing.name}` });

/**
 * Listed rows held until the re-check has labelled them, as JSON lines: in memory up to 4 MiB, then in a
 * private temporary file (the staging of src/render/report_output.ts), so memory stays bounded whatever
 * --limit 0 lists. An interim measure until listed rows are spooled for every run.
 */
class RowSpool {
  #consume: (text: string) => Promise<void> = async () => {};
  readonly #staged = stageReport(undefined, (text) => this.#consume(text));

  write(rows: readonly DriftRow[]): Promise<void> {
    return this.#staged.write(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  }

  /** Hands every held row to `each`, in order, then drops them. */
  async replay(each: (rows: DriftRow[]) => Promise<void>): Promise<void> {
    let partial = '';
    this.#consume = async (text) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      if (lines.length > 0) await each(lines.map((line) => JSON.parse(line) as DriftRow));
    };
    await this.#staged.commit('', '');
  }

  discard(): Promise<void> {
    return this.#staged.discard();
  }
}

/**
 * A report with --recheck: the report's snapshot lists its rows (held, not yet rendered) and records every
 * drifting site of the range; after the wait, a new snapshot reads the range's drifting sites again and
 * labels each recorded one; then the rows are rendered with their labels. Resolves to the exit status
 * (1 when any site persisted or changed, else 0) and the head and tail to commit around the rows.
 *
 * The record is the listed rows when the report listed every drifting site; otherwise the report's
 * snapshot also reads every drifting site with sql/v5/drifting_sites.sql, as the re-check's snapshot
 * does. That statement costs about one scan of the range, where the report statement without a row
 * limit costs more the more sites drift (windows over every one of them). Memory: the packed record
 * (16 bytes per drifting site) and one batch of rows.
 */
export async function writeRecheckedReport(report: ReportInputs, recheckRun: RecheckRun): Promise<{ status: number; head: string; tail: string }> {
  const { config, queries, request, format, run, baseline, staged } = report;
  const driftingSites = loadDriftingSitesQuery(); // a broken installation fails before any connection
  let recheck = new Recheck(recheckRun.afterMs);
  const spool = new RowSpool();
  try {
    const first = await withReadOnlySnapshot(
      config,
      async (session) => {
        const reading = readDrift(session, queries, request);
        let listed = 0;
        for await (const batch of reading.rows) {
          for (const row of batch) recheck.observe(row);
          listed += batch.length;
          await spool.write(batch);
        }
        const summary = reading.summary();
        if (listed < summary.driftCount) {
          // Rows were left out: record every drifting site instead, in this same snapshot.
          recheck = new Recheck(recheckRun.afterMs);
          for await (const batch of readDriftingSites(session, driftingSites, request)) for (const row of batch) recheck.observe(row);
        }
        // One snapshot, one classification: the listed rows must be the record's first rows.
        if (recheck.size !== summary.driftCount) {
          throw new Error(`the drifting sites statement found ${recheck.size} drifting sites where the report counted ${summary.driftCount}`);
        }
        return { summary, listed, timings: session.timings };
      },
      recheckRun.interrupt,
    );
    const timings: StatementTiming[] = [...first.timings];
    if (recheck.size === 0) {
      await recheck.match([]); // nothing drifts: nothing to wait for
    } else {
      await waitToRecheck(recheckRun.afterMs, recheckRun);
      await recheckRun.beforeRecheck?.();
      const second = await withReadOnlySnapshot(
        config,
        async (session) => {
          await recheck.match(readDriftingSites(session, driftingSites, request));
          return session.timings;
        },
        recheckRun.interrupt,
      );
      timings.push(...second.map(recheckTiming));
    }
    const renderer = compileReportRenderer(format);
    const tracker = baseline && new BaselineTracker(baseline);
    let index = 0;
    await spool.replay(async (rows) => {
      const text = rows.map((row) => renderer.row({ ...row, isNew: tracker?.observe(row) ?? false, recheck: recheck.label(index) }, index++));
      await staged.write(text.join(''));
    });
    const { summary, listed } = first;
    const comparison = tracker?.finish(listed < summary.driftCount, summary.causes) ?? null;
    const view = buildReportView(summary, run, { rowsListed: listed, timings, baseline: comparison, recheck: recheck.result() });
    const status = view.recheck?.stillDrifting ? ExitCode.drift : ExitCode.clean;
    return { status, head: renderer.head(view), tail: renderer.tail(view) };
  } finally {
    await spool.discard();
  }
}

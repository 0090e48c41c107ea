import type { DbConfig } from '../config/db_config.js';
import { withReadOnlySnapshot, type StatementTiming } from '../db/snapshot.js';
import { progressLine } from '../render/progress_line.js';
import { readDrift, type DriftQueries, type DriftRequest } from './drift_queries.js';
import type { Recheck } from './recheck.js';
import { waitToRecheck, type WaitIo } from './recheck_wait.js';

/** What a re-checked run needs besides the report's own inputs. */
export interface RecheckRun extends WaitIo {
  /** Called after the wait, just before the re-check's snapshot opens: tests act as a concurrent writer here. */
  beforeRecheck?: (() => Promise<void>) | undefined;
  /** What the progress line of a long re-check names (shown on a terminal only, as the report's is). */
  progressLabel: string;
}

/** The names of the re-check snapshot's statements in the report's timings: `recheck_` and their own. */
const recheckTiming = (timing: StatementTiming): StatementTiming => ({ ...timing, name: `recheck_${timing.name}` });

/**
 * After the report's snapshot: waits, then reads the range again in a new snapshot, through the same
 * statements as the report (so a re-check costs one more report), and labels every recorded drifting
 * site against the drifting sites found there; nothing to wait for when nothing drifted. Resolves to
 * the re-check snapshot's statement timings, named `recheck_<statement>`.
 */
export async function recheckAfterWait(
  config: DbConfig,
  queries: DriftQueries,
  recheck: Recheck,
  request: DriftRequest,
  run: RecheckRun,
): Promise<StatementTiming[]> {
  if (recheck.size === 0) {
    await recheck.match([]);
    return [];
  }
  await waitToRecheck(recheck.afterMs, run);
  await run.beforeRecheck?.();
  const progress = run.stderrIsTerminal ? progressLine(run.stderr, run.progressLabel) : null;
  const timings = await withReadOnlySnapshot(
    config,
    async (session) => {
      const matcher = recheck.matcher();
      // Only the summary and every site are wanted: one listed row is the least a limit can ask for.
      const reading = readDrift(session, queries, { ...request, rowLimit: 1 }, { progress: progress?.update, everySite: matcher.push });
      for await (const _ of reading.rows); // drained: the listed row is not wanted
      matcher.end();
      return session.timings;
    },
    run.interrupt,
  ).finally(() => progress?.clear());
  return timings.map(recheckTiming);
}

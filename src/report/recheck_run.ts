import type { DbConfig } from '../config/db_config.js';
import { withReadOnlySnapshot, type SnapshotSession, type StatementTiming } from '../db/snapshot.js';
import type { NamedQuery } from '../db/sql_loader.js';
import type { DriftRequest } from './drift_queries.js';
import { readDriftingSites } from './recheck_query.js';
import type { Recheck } from './recheck.js';
import { waitToRecheck, type WaitIo } from './recheck_wait.js';

/** What a re-checked run needs besides the report's own inputs. */
export interface RecheckRun extends WaitIo {
  /** Called after the wait, just before the re-check's snapshot opens: tests act as a concurrent writer here. */
  beforeRecheck?: (() => Promise<void>) | undefined;
}

/** The names of the re-check snapshot's statements in the report's timings: `recheck_` and their own. */
const recheckTiming = (timing: StatementTiming): StatementTiming => ({ ...timing, name: `recheck_${timing.name}` });

/**
 * Completes the record of the report's snapshot, inside it. The report statement's rows were observed as
 * they streamed; when they were every drifting site, they are the record. When --limit left rows out, the
 * record is read again from sql/v5/drifting_sites.sql in the same snapshot, which costs about one scan of
 * the range where the report statement without a row limit costs more the more sites drift.
 */
export async function completeRecord(
  session: SnapshotSession,
  query: NamedQuery,
  recheck: Recheck,
  request: DriftRequest,
  driftCount: number,
): Promise<Recheck> {
  let record = recheck;
  if (record.size < driftCount) {
    record = recheck.emptyCopy();
    for await (const batch of readDriftingSites(session, query, request)) for (const row of batch) record.observe(row);
  }
  // One snapshot, one classification: the listed rows must be the record's first rows.
  if (record.size !== driftCount) {
    throw new Error(`the drifting sites statement found ${record.size} drifting sites where the report counted ${driftCount}`);
  }
  return record;
}

/**
 * After the report's snapshot: waits, then reads the range's drifting sites in a new snapshot and labels
 * every recorded one (nothing to wait for when nothing drifted). Resolves to the re-check snapshot's
 * statement timings, named `recheck_<statement>`.
 */
export async function recheckAfterWait(
  config: DbConfig,
  query: NamedQuery,
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
  const timings = await withReadOnlySnapshot(
    config,
    async (session) => {
      await recheck.match(readDriftingSites(session, query, request));
      return session.timings;
    },
    run.interrupt,
  );
  return timings.map(recheckTiming);
}

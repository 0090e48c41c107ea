#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolveDbConfig, serverAddress } from './config/db_config.js';
import { loadDriftQueries, readDrift, type DriftQueries, type DriftRequest } from './report/drift_queries.js';
import { CheckError, ExitCode, UsageError } from './errors.js';
import { asksForJsonOnStdout, parseCommand, type Format } from './config/options.js';
import type { BucketRange } from './config/bucket_range.js';
import { compileJsonFailureTemplate, compileReportRenderer, type ListedRow, type SpooledRow } from './render/render.js';
import type { DriftSummary } from './report/drift_results.js';
import type { BaselineComparison, BaselineTracker } from './report/baseline.js';
import { checkOutDestination, removeTemporaryFilesNow, stageReport, type ReportFrame, type StagedReport } from './render/report_output.js';
import { EVIDENCE_BATCH, EvidenceReader, evidenceNotRequested, type EvidenceGap } from './report/evidence.js';
import { RowSpool } from './report/row_spool.js';
import { InterruptedError, throwIfInterrupted, withReadOnlySnapshot, type SnapshotSession, type StatementTiming } from './db/snapshot.js';
import { buildReportView, type RunFacts } from './report/report_view.js';
import { QueryDefinitionError } from './db/sql_loader.js';
import { progressLine, type ProgressLine } from './render/progress_line.js';
import { Recheck, type RecheckLabel } from './report/recheck.js';
import { recheckAfterWait } from './report/recheck_run.js';
import type { DriftSite } from './report/drift_summary.js';

/** Where a run writes, and the clock it reads; tests pass their own. */
interface CliIo {
  /** Writes report text; a returned promise is awaited, so a slow reader slows the writer instead of filling memory. */
  stdout: (text: string) => void | Promise<void>;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal: progress, notices and colour appear only then. */
  stderrIsTerminal: boolean;
  now: () => Date;
  /** Aborted, with the signal's name as its reason, when the run is interrupted (Ctrl-C); the query on the server is then cancelled. */
  interrupt?: AbortSignal;
  /** With --recheck: called after the wait, just before the re-check's snapshot opens (tests write to the database here). */
  beforeRecheck?: () => Promise<void>;
}

/** The prefix of every stderr line; red on a terminal unless NO_COLOR is set. */
function prefix(io: CliIo, env: NodeJS.ProcessEnv): string {
  const colour = io.stderrIsTerminal && (env.NO_COLOR === undefined || env.NO_COLOR === '');
  return colour ? '\u001b[31mprojection-drift:\u001b[0m' : 'projection-drift:';
}

/** The exit status and the one line that explains a failure; stack traces only for defects, and only on request. */
function classifyFailure(error: unknown, env: NodeJS.ProcessEnv): { exitCode: number; message: string; detail: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError) return { exitCode: ExitCode.usage, message, detail: '' };
  if (error instanceof CheckError || error instanceof QueryDefinitionError) {
    return { exitCode: ExitCode.couldNotCheck, message: `could not check: ${message}`, detail: '' };
  }
  const detail = env.PROJECTION_DRIFT_DEBUG && error instanceof Error ? `\n${error.stack}` : '';
  return {
    exitCode: ExitCode.couldNotCheck,
    message: `could not check: internal error: ${message.split('\n')[0]}; please report it`,
    detail,
  };
}

/** Tells stderr what failed; a JSON run also gets one JSON document on stdout, so a script never parses nothing. */
async function reportFailure(error: unknown, argv: string[], io: CliIo, env: NodeJS.ProcessEnv): Promise<number> {
  const { exitCode, message, detail } = classifyFailure(error, env);
  io.stderr(`${prefix(io, env)} ${message}${detail}\n`);
  if (await asksForJsonOnStdout(argv)) {
    const kind = exitCode === ExitCode.usage ? 'usage' : 'could_not_check';
    try {
      await io.stdout(compileJsonFailureTemplate()({ generatedAt: io.now().toISOString(), kind, exitCode, message }));
    } catch {
      /* a broken failure template must not hide the error already on stderr */
    }
  }
  return exitCode;
}

/** What one snapshot read: the listed rows with their extras (spooled, in listing order) and what the view needs. */
export interface ReportReading {
  rows: RowSpool<ListedRow>;
  summary: DriftSummary;
  comparison: BaselineComparison | null;
  gaps: EvidenceGap[];
  /** Whether the listed rows carry their evidence (false with --no-evidence). */
  evidenceRead: boolean;
  timings: StatementTiming[];
  /** With --recheck: every drifting site of this snapshot, to be matched against the re-check's; else null. */
  recheck: Recheck | null;
}

/**
 * Reads one report inside an open snapshot: the report statement's listed rows are spooled as they
 * stream (its result occupies the connection until the last row), then read back in batches, and
 * each batch's evidence is read on the same connection and snapshot and spooled with the rows as
 * their extras; without evidence (--no-evidence) the rows are spooled once, as they stream. With
 * --recheck, `record` takes every drifting site of the snapshot. Nothing is rendered here, so the
 * snapshot ends as soon as the database is read.
 */
async function readReport(
  session: SnapshotSession,
  queries: DriftQueries,
  request: DriftRequest,
  tracker: BaselineTracker | null,
  record: Recheck | null,
  progress: ProgressLine | null,
  withEvidence: boolean,
): Promise<ReportReading> {
  const everySite = record ? (site: DriftSite) => record.observe(site) : undefined;
  const reading = readDrift(session, queries, request, { progress: progress?.update, everySite });
  const streamed = new RowSpool<SpooledRow & Pick<DriftSite, 'siteId'>>();
  const listed = new RowSpool<ListedRow>();
  const evidence = new EvidenceReader(session, queries.evidence);
  const noExtras = { evidence: null, recheck: null };
  try {
    for await (const batch of reading.rows) {
      const observed = batch.map((row) => ({ ...row, isNew: tracker?.observe(row) ?? false }));
      await (withEvidence ? streamed.push(observed) : listed.push(observed.map((row) => ({ ...row, extras: noExtras }))));
    }
    for await (const batch of streamed.batches(EVIDENCE_BATCH)) {
      const found = await evidence.read(batch);
      await listed.push(batch.map((row) => ({ ...row, extras: { ...noExtras, evidence: found.get(row.blogId) ?? null } })));
    }
    const summary = reading.summary();
    // One snapshot, one reading: the record holds every drifting site the summary counts.
    if (record && record.size !== summary.driftCount) {
      throw new Error(`the re-check recorded ${record.size} drifting sites where the report counted ${summary.driftCount}`);
    }
    const comparison = tracker?.finish(listed.count < summary.driftCount, summary.causes) ?? null;
    const gaps = withEvidence ? evidence.gaps : [evidenceNotRequested];
    return { rows: listed, summary, comparison, gaps, evidenceRead: withEvidence, timings: [...session.timings], recheck: record };
  } catch (error) {
    await listed.discard();
    throw error;
  } finally {
    await streamed.discard();
  }
}

/**
 * Renders a report that was read into `staged`, after its snapshots ended: each listed row with its
 * extras (its --recheck label added here), as a row and as a line of the evidence section; resolves
 * to the exit status (0 clean, 1 drift; with --recheck, 1 only when a site persisted or changed)
 * and the frame to commit around them. An aborted `interrupt` stops it with an
 * InterruptedError. Exported for its test.
 */
export async function renderReport(
  read: ReportReading,
  format: Format,
  run: RunFacts,
  staged: StagedReport,
  interrupt?: AbortSignal,
): Promise<{ status: number; frame: ReportFrame }> {
  const renderer = compileReportRenderer(format);
  let index = 0;
  for await (const spooled of read.rows.batches(RENDER_BATCH)) {
    throwIfInterrupted(interrupt); // a long listing stays stoppable by Ctrl-C after the snapshot ended
    const batch = read.recheck ? spooled.map((row, i) => labelled(row, read.recheck!.label(index + i))) : spooled;
    await staged.write(batch.map((row, i) => renderer.row(row, index + i)).join(''));
    if (read.evidenceRead) await staged.writeAppendix(batch.map((row, i) => renderer.evidenceRow(row, index + i)).join(''));
    index += batch.length;
  }
  const view = buildReportView(read.summary, run, {
    rowsListed: read.rows.count,
    timings: read.timings,
    baseline: read.comparison,
    evidenceGaps: read.gaps,
    evidenceRead: read.evidenceRead,
    recheck: read.recheck?.result() ?? null,
  });
  const drifts = view.recheck ? view.recheck.stillDrifting : !view.ok;
  return {
    status: drifts ? ExitCode.drift : ExitCode.clean,
    frame: { head: renderer.head(view), tail: renderer.tail(view), appendixHead: renderer.evidenceHead(view) },
  };
}

/** A listed row with what --recheck found for it. */
const labelled = (row: ListedRow, recheck: RecheckLabel): ListedRow => ({ ...row, extras: { ...row.extras, recheck } });

/** Listed rows rendered at a time. */
const RENDER_BATCH = 1000;

/** Reads the --baseline report of `range`, and returns what compares the rows of this run with it. */
async function compareWith(path: string, range: BucketRange): Promise<BaselineTracker> {
  const { BaselineTracker, loadBaseline } = await import('./report/baseline.js');
  return new BaselineTracker(await loadBaseline(path, range));
}

/** Runs one report from a command line; resolves to the exit status (0 clean, 1 drift, 2 usage, 3 could not check). */
export async function main(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  try {
    const command = await parseCommand(argv, env);
    if (command.kind === 'done') {
      await io.stdout(`${command.output}\n`);
      return ExitCode.clean;
    }
    const { options } = command;
    if (options.out !== undefined) checkOutDestination(options.out); // exit 2 before anything is queried
    const config = resolveDbConfig(options.connection, env, options.limits);
    const queries = loadDriftQueries(); // a broken installation fails here, before any connection
    if (io.stderrIsTerminal) {
      for (const notice of options.notices) io.stderr(`projection-drift: ${notice}\n`);
      io.stderr(`projection-drift: checking buckets ${options.range.bucketMin}-${options.range.bucketMax} of ${config.database} on ${serverAddress(config)}\n`);
    }
    const request = { ...options.range, bucketTotal: options.bucketTotal, rowLimit: options.rowLimit, summaryLimit: options.summaryLimit };
    const run = { server: { address: serverAddress(config), database: config.database }, generatedAt: io.now() };
    // The baseline reader (a streaming JSON parser, the schema validator) loads only for runs that compare.
    const tracker = options.baseline === undefined ? null : await compareWith(options.baseline, options.range);
    const record = options.recheckMs > 0 ? new Recheck(options.recheckMs) : null;
    let reading: ReportReading | undefined;
    // On a terminal, a long reading shows how far it got (stderr only; nothing when piped).
    const progress = io.stderrIsTerminal ? progressLine(io.stderr, `buckets ${options.range.bucketMin}-${options.range.bucketMax}`) : null;
    try {
      await withReadOnlySnapshot(
        config,
        async (session) => void (reading = await readReport(session, queries, request, tracker, record, progress, options.evidence)),
        io.interrupt,
      ).finally(() => progress?.clear());
      if (reading?.recheck) {
        const recheckRun = {
          stderr: io.stderr,
          stderrIsTerminal: io.stderrIsTerminal,
          interrupt: io.interrupt,
          beforeRecheck: io.beforeRecheck,
          progressLabel: `the re-check of buckets ${options.range.bucketMin}-${options.range.bucketMax}`,
        };
        reading.timings.push(...(await recheckAfterWait(config, queries, reading.recheck, request, recheckRun)));
      }
    } catch (error) {
      await reading?.rows.discard(); // read, then interrupted before the snapshot closed
      throw error;
    }
    const read = reading!;
    const staged = stageReport(options.out, io.stdout);
    try {
      // Rendered and delivered once the snapshots are closed: a slow or FIFO destination holds no transaction open.
      const report = await renderReport(read, options.format, run, staged, io.interrupt);
      throwIfInterrupted(io.interrupt);
      await staged.commit(report.frame);
      return report.status;
    } catch (error) {
      await staged.discard();
      throw error;
    } finally {
      await read.rows.discard();
    }
  } catch (error) {
    // An interrupted run prints nothing but this line: the user stopped it, nothing failed.
    if (error instanceof InterruptedError) {
      io.stderr(`${prefix(io, env)} ${error.message}\n`);
      return error.exitCode;
    }
    return reportFailure(error, argv, io, env);
  }
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  // The first SIGINT or SIGTERM cancels the run (and its query on the server) and exits 130 or 143;
  // a second one while that cleanup waits on the server exits at once.
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!interrupt.signal.aborted) return interrupt.abort(signal);
    process.stderr.write('projection-drift: interrupted again; stopped without waiting for the server, where the query may still run\n');
    removeTemporaryFilesNow(); // the staged rows and a half-written --out file; --out itself stays as it was
    process.exit(new InterruptedError(signal, '').exitCode);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // No top-level await: the build bundles this file as a script (scripts/build_cli.ts) to cache its compiled code.
  void main(process.argv.slice(2), process.env, {
    stdout: (text) => new Promise<void>((resolve) => process.stdout.write(text, () => resolve())),
    stderr: (text) => process.stderr.write(text),
    stderrIsTerminal: process.stderr.isTTY === true,
    now: () => new Date(),
    interrupt: interrupt.signal,
  }).then((status) => {
    process.exitCode = status;
  });
}

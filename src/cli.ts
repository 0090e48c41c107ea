#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolveDbConfig, serverAddress } from './config/db_config.js';
import { loadDriftQueries, readDrift, type DriftQueries, type DriftRequest } from './report/drift_queries.js';
import { CheckError, ExitCode, UsageError } from './errors.js';
import { asksForJsonOnStdout, parseCommand, type Format } from './config/options.js';
import { BaselineTracker, loadBaseline, type Baseline } from './report/baseline.js';
import { compileJsonFailureTemplate, compileReportRenderer } from './render/render.js';
import { checkOutDestination, removeTemporaryFilesNow, stageReport, type StagedReport } from './render/report_output.js';
import { InterruptedError, withReadOnlySnapshot, type SnapshotSession } from './db/snapshot.js';
import { buildReportView, type RunFacts } from './report/report_view.js';
import { QueryDefinitionError } from './db/sql_loader.js';
import { progressLine, type ProgressLine } from './render/progress_line.js';

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
  if (asksForJsonOnStdout(argv)) {
    const kind = exitCode === ExitCode.usage ? 'usage' : 'could_not_check';
    try {
      await io.stdout(compileJsonFailureTemplate()({ generatedAt: io.now().toISOString(), kind, exitCode, message }));
    } catch {
      /* a broken failure template must not hide the error already on stderr */
    }
  }
  return exitCode;
}

/**
 * Renders one report's rows into `staged` as they stream from an open snapshot; resolves to the exit
 * status (0 clean, 1 drift) and the head and tail to commit around the rows.
 */
async function writeReport(
  session: SnapshotSession,
  queries: DriftQueries,
  request: DriftRequest,
  format: Format,
  run: RunFacts,
  baseline: Baseline | null,
  staged: StagedReport,
  progress: ProgressLine | null,
): Promise<{ status: number; head: string; tail: string }> {
  const renderer = compileReportRenderer(format);
  const reading = readDrift(session, queries, request, { progress: progress?.update });
  const tracker = baseline && new BaselineTracker(baseline);
  let listed = 0;
  for await (const batch of reading.rows) {
    await staged.write(batch.map((row) => renderer.row({ ...row, isNew: tracker?.observe(row) ?? false }, listed++)).join(''));
  }
  const summary = reading.summary();
  const comparison = tracker?.finish(listed < summary.driftCount, summary.causes) ?? null;
  const view = buildReportView(summary, run, { rowsListed: listed, timings: session.timings, baseline: comparison });
  return { status: view.ok ? ExitCode.clean : ExitCode.drift, head: renderer.head(view), tail: renderer.tail(view) };
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
    const baseline = options.baseline === undefined ? null : await loadBaseline(options.baseline, options.range);
    const staged = stageReport(options.out, io.stdout);
    // On a terminal, a long run shows how far it got (stderr only; nothing when piped).
    const label = `buckets ${options.range.bucketMin}-${options.range.bucketMax}`;
    const progress = io.stderrIsTerminal ? progressLine(io.stderr, label) : null;
    try {
      const report = await withReadOnlySnapshot(
        config,
        (session) => writeReport(session, queries, request, options.format, run, baseline, staged, progress),
        io.interrupt,
      ).finally(() => progress?.clear());
      // Delivered once the snapshot is closed: a FIFO waiting for its reader holds no transaction open.
      await staged.commit(report.head, report.tail);
      return report.status;
    } catch (error) {
      await staged.discard();
      throw error;
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
  const status = await main(process.argv.slice(2), process.env, {
    stdout: (text) => new Promise<void>((resolve) => process.stdout.write(text, () => resolve())),
    stderr: (text) => process.stderr.write(text),
    stderrIsTerminal: process.stderr.isTTY === true,
    now: () => new Date(),
    interrupt: interrupt.signal,
  });
  process.exitCode = status;
}

#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolveDbConfig } from './db_config.js';
import { loadDriftQueries, queryDrift } from './drift_queries.js';
import { CheckError, ExitCode, UsageError } from './errors.js';
import { asksForJson, parseCommand } from './options.js';
import { compileJsonFailureTemplate, compileReportTemplate } from './render.js';
import { writeReportFile } from './report_output.js';
import { buildReportView } from './report_view.js';
import { QueryDefinitionError } from './sql_loader.js';

/** Where a run writes, and the clock it reads; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal: progress, notices and colour appear only then. */
  stderrIsTerminal: boolean;
  now: () => Date;
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
function reportFailure(error: unknown, argv: string[], io: CliIo, env: NodeJS.ProcessEnv): number {
  const { exitCode, message, detail } = classifyFailure(error, env);
  io.stderr(`${prefix(io, env)} ${message}${detail}\n`);
  if (asksForJson(argv) && !argv.some((arg) => arg === '--out' || arg.startsWith('--out='))) {
    const kind = exitCode === ExitCode.usage ? 'usage' : 'could_not_check';
    try {
      io.stdout(compileJsonFailureTemplate()({ generatedAt: io.now().toISOString(), kind, exitCode, message }));
    } catch {
      /* a broken failure template must not hide the error already on stderr */
    }
  }
  return exitCode;
}

/** Runs one report from a command line; resolves to the exit status (0 clean, 1 drift, 2 usage, 3 could not check). */
export async function main(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  try {
    const command = await parseCommand(argv, env);
    if (command.kind === 'done') {
      io.stdout(`${command.output}\n`);
      return ExitCode.clean;
    }
    const { options } = command;
    const config = resolveDbConfig(options.connection, env, options.limits);
    const queries = loadDriftQueries();
    const render = compileReportTemplate(options.format);
    if (io.stderrIsTerminal) {
      for (const notice of options.notices) io.stderr(`projection-drift: ${notice}\n`);
      const where = config.socket ? `socket ${config.socket}` : `${config.host}:${config.port}`;
      io.stderr(`projection-drift: checking buckets ${options.range.bucketMin}-${options.range.bucketMax} of ${config.database} on ${where}\n`);
    }
    const results = await queryDrift(config, queries, {
      ...options.range,
      rowLimit: options.rowLimit,
      summaryLimit: options.summaryLimit,
    });
    const server = { host: config.host, port: config.port, database: config.database };
    const view = buildReportView(results, server, io.now());
    const report = render(view);
    if (options.out === undefined) io.stdout(report);
    else writeReportFile(options.out, report);
    return view.ok ? ExitCode.clean : ExitCode.drift;
  } catch (error) {
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
  const status = await main(process.argv.slice(2), process.env, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTerminal: process.stderr.isTTY === true,
    now: () => new Date(),
  });
  process.exitCode = status;
}

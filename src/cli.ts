#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { dbConfigFromEnv } from './db_config.js';
import { loadDriftQueries, queryDrift } from './drift_queries.js';
import { CheckError, ExitCode, UsageError } from './errors.js';
import { parseCommand } from './options.js';
import { compileReportTemplate } from './render.js';
import { buildReportView } from './report_view.js';
import { QueryDefinitionError } from './sql_loader.js';

/** Where a run writes, and the clock it reads; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now: () => Date;
}

/** The exit status and the one stderr line for an error; stack traces only for defects, and only on request. */
function reportFailure(error: unknown, io: CliIo, env: NodeJS.ProcessEnv): number {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError) {
    io.stderr(`projection-drift: ${message}\n`);
    return ExitCode.usage;
  }
  if (error instanceof CheckError || error instanceof QueryDefinitionError) {
    io.stderr(`projection-drift: could not check: ${message}\n`);
    return ExitCode.couldNotCheck;
  }
  const detail = env.PROJECTION_DRIFT_DEBUG && error instanceof Error ? `\n${error.stack}` : '';
  io.stderr(`projection-drift: could not check: internal error: ${message.split('\n')[0]}; please report it${detail}\n`);
  return ExitCode.couldNotCheck;
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
    const config = dbConfigFromEnv(env);
    const queries = loadDriftQueries();
    const render = compileReportTemplate(options.format);
    const results = await queryDrift(config, queries, {
      ...options.range,
      rowLimit: options.rowLimit,
      summaryLimit: options.summaryLimit,
    });
    const view = buildReportView(results, io.now());
    io.stdout(render(view));
    return view.ok ? ExitCode.clean : ExitCode.drift;
  } catch (error) {
    return reportFailure(error, io, env);
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
    now: () => new Date(),
  });
  process.exitCode = status;
}

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

/** Where GNU time is expected (Debian package `time`). */
export const GNU_TIME = '/usr/bin/time';

/** The compiled CLI the benchmark spawns. */
export const CLI_PATH = join(packageRoot, 'dist', 'cli.js');

/** One whole process: wall time, exit status, peak RSS (null when GNU time is missing) and its output. */
export interface ProcessRun {
  ms: number;
  status: number | null;
  peakRssKb: number | null;
  stdout: string;
  stderr: string;
}

/** One statement's time as the report gives it (`timings.statements` of the JSON format). */
export interface ReportTiming {
  name: string;
  ms: number;
}

/** One whole CLI run: a process run, the drift count and the statement timings its JSON report gave (null when none). */
export interface CliRun extends ProcessRun {
  driftCount: number | null;
  timings: ReportTiming[] | null;
}

/** True when /usr/bin/time is GNU time, which can report a child's peak RSS (`-f %M`). */
export function hasGnuTime(): boolean {
  const probe = spawnSync(GNU_TIME, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 && /GNU/.test(`${probe.stdout}${probe.stderr}`);
}

/** The last line of GNU time's output file that is a plain number: %M, the peak RSS in KiB. */
function readPeakRss(file: string): number | null {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const last = lines.at(-1)?.trim() ?? '';
  return /^\d+$/.test(last) ? Number(last) : null;
}

/** Runs `node <args>` as a whole process (under GNU time when `withTime`) and measures it. */
export async function runNode(args: readonly string[], env: NodeJS.ProcessEnv, withTime: boolean): Promise<ProcessRun> {
  const dir = mkdtempSync(join(tmpdir(), 'pd-bench-'));
  const timeFile = join(dir, 'time.txt');
  const [command, commandArgs] = withTime
    ? [GNU_TIME, ['-o', timeFile, '-f', '%M', process.execPath, ...args]]
    : [process.execPath, [...args]];
  try {
    const started = performance.now();
    const { status, stdout, stderr } = await new Promise<{ status: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(command, commandArgs, { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
        child.on('error', reject);
        child.on('close', (code) => resolve({ status: code, stdout: out, stderr: err }));
      },
    );
    const ms = performance.now() - started;
    return { ms, status, peakRssKb: withTime ? readPeakRss(timeFile) : null, stdout, stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The statement timings at the end of a JSON report (`"timings": {"db_ms": .., "statements": [..]}`,
 * the report's last member), read from its tail so a report of any size costs nothing to read;
 * null when the text holds none (another format, a failed run).
 */
export function reportTimings(json: string): ReportTiming[] | null {
  const start = json.lastIndexOf('"timings":');
  const end = json.lastIndexOf('}');
  if (start < 0 || end < start) return null;
  try {
    const timings = JSON.parse(json.slice(start + '"timings":'.length, end)) as { statements?: unknown };
    if (!Array.isArray(timings.statements)) return null;
    return timings.statements.map((statement: { name?: unknown; ms?: unknown }) => ({ name: String(statement.name), ms: Number(statement.ms) }));
  } catch {
    return null;
  }
}

/** The drift count of a JSON report (`"drift_count": N`) or of a text one (`INFO legacy_projection_drift=N`). */
export function reportDriftCount(output: string): number | null {
  const found = /^ {2}"drift_count": (\d+),$/m.exec(output) ?? /^INFO legacy_projection_drift=(\d+)$/m.exec(output);
  return found ? Number(found[1]) : null;
}

/** The last `bytes` of a file, where a JSON report keeps its timings. */
function fileTail(file: string, bytes = 1 << 16): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(bytes, size));
    readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs `node dist/cli.js <args>` as a whole process and reads the statement timings of its JSON
 * report (from stdout, or from the file of `--out`). Exit statuses 0 and 1 (clean, drift) are a
 * report; any other status is returned too (3 when a statement hits its time limit), for the
 * caller to record: at 10M sites a report that cannot finish is a result, not a crash.
 */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv, withTime: boolean): Promise<CliRun> {
  const run = await runNode([CLI_PATH, ...args], env, withTime);
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 && reported(run) ? fileTail(args[outAt + 1]!) : run.stdout;
  return { ...run, driftCount: reportDriftCount(run.stdout), timings: reportTimings(out) };
}

/** True for the exit statuses of a report that finished: 0 (no drift) and 1 (drift). */
export const reported = (run: ProcessRun) => run.status === 0 || run.status === 1;

/** The one line a failed run printed, for an error message. */
export function failureOf(run: ProcessRun): string {
  const line = run.stderr.trim().split('\n').at(-1) || run.stdout.slice(0, 200);
  return `exit ${run.status}: ${line}`;
}

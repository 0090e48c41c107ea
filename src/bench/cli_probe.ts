import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

/** Where GNU time is expected (Debian package `time`). */
export const GNU_TIME = '/usr/bin/time';

/** The compiled CLI the benchmark spawns. */
export const CLI_PATH = join(packageRoot, 'dist', 'cli.js');

/** One whole CLI run: wall time, peak RSS (null when GNU time is missing) and the drift count it printed. */
export interface CliRun {
  ms: number;
  peakRssKb: number | null;
  driftCount: number;
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

/** Spawns `node dist/cli.js --range A-B --limit 50` (under GNU time when `withTime`) and measures the whole process. */
export async function runCli(range: string, env: NodeJS.ProcessEnv, withTime: boolean): Promise<CliRun> {
  const dir = mkdtempSync(join(tmpdir(), 'pd-bench-'));
  const timeFile = join(dir, 'time.txt');
  const nodeArgs = [CLI_PATH, '--range', range, '--limit', '50'];
  const [command, args] = withTime
    ? [GNU_TIME, ['-o', timeFile, '-f', '%M', process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  try {
    const started = performance.now();
    const { status, stdout, stderr } = await new Promise<{ status: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
        child.on('error', reject);
        child.on('close', (code) => resolve({ status: code, stdout: out, stderr: err }));
      },
    );
    const ms = performance.now() - started;
    const drift = /^INFO legacy_projection_drift=(\d+)$/m.exec(stdout);
    if ((status !== 0 && status !== 1) || !drift) {
      throw new Error(`CLI --range ${range} exited ${status}: ${stderr.trim() || stdout.slice(0, 200)}`);
    }
    return { ms, peakRssKb: withTime ? readPeakRss(timeFile) : null, driftCount: Number(drift[1]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

import { randomBytes } from 'node:crypto';
import { rmSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './errors.js';

/**
 * Writes a finished report to `path` atomically: a temporary file beside it, then a rename, so readers
 * see the previous report or the new one, never half of one.
 */
export function writeReportFile(path: string, report: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, report, { mode: 0o644 });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new UsageError(`cannot write --out ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; check the path and permissions`);
  }
}

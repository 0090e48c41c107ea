import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './errors.js';

/** Where a report goes while it is written: nothing reaches its destination until the whole report is there. */
export interface ReportSink {
  write(text: string): Promise<void>;
  /** Delivers the finished report: renames it over --out, or copies it to stdout. */
  commit(): Promise<void>;
  /** Drops a failed report; the destination is left as it was. */
  discard(): Promise<void>;
}

/** Reports up to this size stay in memory on their way to stdout; larger ones spill to a temporary file. */
const MEMORY_LIMIT = 4 * 1024 * 1024;

/** Once in a file, text is written in batches of about this size rather than row by row. */
const FILE_BATCH = 256 * 1024;

/** A fresh, hidden file name beside `path`. */
const temporaryName = (path: string) => join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);

function cannotWrite(path: string, error: unknown): UsageError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new UsageError(`cannot write the report to ${path} (${reason}); check the path, permissions and free space`);
}

/**
 * Stages a report. With `out`, it is written to a temporary file beside `out` and renamed over it on
 * commit (atomic: readers see the old report or the new one). Without, it is held in memory, spilling
 * to a temporary file past 4 MiB, and copied to `stdout` on commit, so a failed run prints nothing
 * and memory stays bounded however many rows stream through.
 */
export function stageReport(out: string | undefined, stdout: (text: string) => void | Promise<void>): ReportSink {
  const chunks: string[] = [];
  let held = 0;
  let file: { path: string; handle: FileHandle } | undefined;
  const openFile = async (path: string) => {
    try {
      file = { path, handle: await open(path, 'wx', 0o644) };
    } catch (error) {
      throw cannotWrite(out ?? path, error);
    }
  };
  /** Moves what is held in memory to the file, in one write. */
  const flush = async () => {
    if (!file || chunks.length === 0) return;
    const text = chunks.splice(0).join('');
    held = 0;
    try {
      await file.handle.write(text);
    } catch (error) {
      throw cannotWrite(out ?? file.path, error);
    }
  };
  return {
    async write(text) {
      chunks.push(text);
      held += text.length;
      if (file) {
        if (held >= FILE_BATCH) await flush();
      } else if (out !== undefined) {
        await openFile(temporaryName(out));
      } else if (held > MEMORY_LIMIT) {
        await openFile(temporaryName(join(tmpdir(), 'projection-drift')));
        await flush();
      }
    },
    async commit() {
      if (out !== undefined) {
        if (!file) await openFile(temporaryName(out));
        await flush();
        try {
          await file!.handle.close();
          await rename(file!.path, out);
        } catch (error) {
          await rm(file!.path, { force: true });
          throw cannotWrite(out, error);
        }
        return;
      }
      if (!file) return void (await stdout(chunks.splice(0).join('')));
      await flush();
      await file.handle.close();
      try {
        for await (const chunk of createReadStream(file.path, { encoding: 'utf8' })) await stdout(chunk as string);
      } finally {
        await rm(file.path, { force: true });
      }
    },
    async discard() {
      chunks.length = 0;
      if (!file) return;
      await file.handle.close().catch(() => {});
      await rm(file.path, { force: true });
    },
  };
}

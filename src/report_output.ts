import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, createReadStream, openSync, readlinkSync, realpathSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from './errors.js';

/** Where a report goes while it is written: nothing reaches its destination until the whole report is there. */
export interface ReportSink {
  write(text: string): Promise<void>;
  /** Delivers the finished report: renames it over --out, writes it into a device or FIFO, or copies it to stdout. */
  commit(): Promise<void>;
  /** Drops a failed report; the destination is left as it was. */
  discard(): Promise<void>;
}

/**
 * What --out names once symbolic links are followed: a regular file, existing or not, that the report
 * replaces by renaming a temporary file over `path` (its real path); or a device, FIFO or already open
 * file (`/dev/stdout`, `/proc/self/fd/N`) that the report is written into, since renaming over it would
 * put a file in its place. An open file is appended to, so `--out /dev/stdout >> log` keeps the log.
 */
export type OutTarget =
  | { kind: 'file'; path: string; existing: Stats | undefined }
  | { kind: 'special'; path: string; append: boolean };

/** Reports up to this size stay in memory on their way to stdout; larger ones spill to a temporary file. */
const MEMORY_LIMIT = 4 * 1024 * 1024;

/** Once in a file, text is written in batches of about this size rather than row by row. */
const FILE_BATCH = 256 * 1024;

/** Symbolic links followed in a row before giving up, as Linux does (ELOOP). */
const MAX_LINKS = 40;

/** A fresh, hidden file name beside `path`. */
const temporaryName = (path: string) => join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code;

function cannotWrite(path: string, error: unknown): UsageError {
  const reason = codeOf(error) ?? (error as Error).message;
  return new UsageError(`cannot write the report to ${path} (${reason}); check the path, permissions and free space`);
}

/** An --out path refused before anything is queried: the path as given, and why. */
const invalidOut = (path: string, reason: string) => new UsageError(`invalid --out "${path}": ${reason}`);

/** The folders of open file descriptors (`/dev/fd`, `/proc/self/fd` resolve to one), whose links name open files, not paths. */
const descriptorFolder = /^\/proc\/\d+\/(task\/\d+\/)?fd$/;

/**
 * Follows the symbolic links of `out` as the OS does: a chain of links to its end, relative targets
 * from the link's real folder, `..` after links; a dangling link leads to the file it would create.
 * Stops early at an open-file link of /proc, which names a descriptor rather than a path.
 */
function followLinks(out: string): { path: string; descriptor: boolean } {
  let current = out;
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    let folder: string;
    try {
      folder = realpathSync.native(dirname(current));
    } catch (error) {
      throw Object.assign(error as Error, { folder: resolve(dirname(current)) }); // say which folder, when a link led elsewhere
    }
    const here = join(folder, basename(current));
    if (descriptorFolder.test(folder)) return { path: here, descriptor: true };
    let link: string;
    try {
      link = readlinkSync(here);
    } catch (error) {
      if (codeOf(error) === 'ENOENT' || codeOf(error) === 'EINVAL') return { path: here, descriptor: false };
      throw Object.assign(error as Error, { folder });
    }
    // Left unnormalized: the next round's realpath resolves `..` after links, as the OS does.
    current = isAbsolute(link) ? link : `${folder}/${link}`;
  }
  throw Object.assign(new Error('too many symbolic links'), { code: 'ELOOP' });
}

/** Follows --out like the OS does and says what is there (throws the file system's error when it cannot be written). */
export function locateOut(out: string): OutTarget {
  const { path, descriptor } = followLinks(out);
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    if (codeOf(error) !== 'ENOENT') throw error;
    if (descriptor) throw Object.assign(new Error('names a file descriptor that is not open'), { code: 'EBADF' });
    return { kind: 'file', path, existing: undefined };
  }
  if (stats.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
  if (stats.isSocket()) throw Object.assign(new Error('is a socket'), { code: 'ESOCKET' });
  if (descriptor) return { kind: 'special', path, append: true };
  if (stats.isFile()) return { kind: 'file', path, existing: stats };
  return { kind: 'special', path, append: false };
}

/** One line on why `out` cannot take a report, from the file system's error. */
function whyNot(out: string, error: unknown): string {
  const folder = (error as { folder?: string }).folder ?? dirname(resolve(out));
  switch (codeOf(error)) {
    case 'ENOENT':
      return `folder ${folder} does not exist`;
    case 'ENOTDIR':
      return `${folder} is not a folder`;
    case 'EISDIR':
      return 'it is a folder; give a file path';
    case 'ESOCKET':
      return 'it is a socket, which cannot be written as a file; give a file path';
    case 'EROFS':
      return `it is on a read-only file system (EROFS)`;
    case 'EACCES':
    case 'EPERM':
      return `no permission to write there (${codeOf(error)})`;
    case 'EBADF':
      return 'it names a file descriptor that is not open';
    case 'ELOOP':
      return 'too many symbolic links (ELOOP)';
    default:
      return `cannot write there (${codeOf(error) ?? (error as Error).message})`;
  }
}

/**
 * Proves, before anything is queried, that the report can be written to `out` (throws UsageError,
 * exit 2, if not): creates and removes a temporary file beside the file it will replace or create,
 * opens a device for writing, or checks write permission on a FIFO (opening one would need a reader).
 */
export function checkOutDestination(out: string): void {
  if (out.trim() === '') throw invalidOut(out, 'give a file path');
  if (out.endsWith('/')) throw invalidOut(out, 'it names a folder; give a file path');
  try {
    const target = locateOut(out);
    if (target.kind === 'file') {
      const probe = temporaryName(target.path);
      closeSync(openSync(probe, 'wx', 0o600));
      unlinkSync(probe);
    } else if (statSync(target.path).isFIFO()) {
      accessSync(target.path, constants.W_OK);
    } else {
      closeSync(openSync(target.path, inPlaceFlags(target) | constants.O_NONBLOCK));
    }
  } catch (error) {
    throw invalidOut(out, whyNot(out, error));
  }
}

/** Writes all of `text`, however many writes the handle needs. */
async function writeAll(handle: FileHandle, text: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  for (let offset = 0; offset < bytes.length; ) offset += (await handle.write(bytes, offset, bytes.length - offset)).bytesWritten;
}

/** Where a staged report is delivered once complete. */
interface Delivery {
  write(text: string): void | Promise<void>;
  close(): Promise<void>;
}

/**
 * Holds a report in memory, spilling to a private temporary file past 4 MiB, and hands it to the
 * delivery opened on commit, so a failed run delivers nothing and memory stays bounded.
 */
function spooledSink(openDelivery: () => Promise<Delivery>, describe: string): ReportSink {
  const chunks: string[] = [];
  let held = 0;
  let spill: { path: string; handle: FileHandle } | undefined;
  const flush = async () => {
    if (!spill || chunks.length === 0) return;
    const text = chunks.splice(0).join('');
    held = 0;
    try {
      await writeAll(spill.handle, text);
    } catch (error) {
      throw cannotWrite(spill.path, error);
    }
  };
  return {
    async write(text) {
      chunks.push(text);
      held += text.length;
      if (spill ? held >= FILE_BATCH : held > MEMORY_LIMIT) {
        if (!spill) {
          const path = temporaryName(join(tmpdir(), 'projection-drift'));
          try {
            spill = { path, handle: await open(path, 'wx', 0o600) };
          } catch (error) {
            throw cannotWrite(path, error);
          }
        }
        await flush();
      }
    },
    async commit() {
      if (spill) {
        await flush();
        await spill.handle.close();
      }
      let delivery: Delivery;
      try {
        delivery = await openDelivery();
      } catch (error) {
        throw cannotWrite(describe, error);
      }
      try {
        if (!spill) return void (await delivery.write(chunks.splice(0).join('')));
        for await (const chunk of createReadStream(spill.path, { encoding: 'utf8' })) await delivery.write(chunk as string);
      } finally {
        await delivery.close();
        if (spill) await rm(spill.path, { force: true });
      }
    },
    async discard() {
      chunks.length = 0;
      if (!spill) return;
      await spill.handle.close().catch(() => {});
      await rm(spill.path, { force: true });
    },
  };
}

/** Gives a new file the owner and mode of the file it replaces: the owner where the process may, the mode always. */
async function keepOwnerAndMode(handle: FileHandle, existing: Stats): Promise<void> {
  const own = await handle.stat();
  if (own.uid !== existing.uid || own.gid !== existing.gid) {
    try {
      await handle.chown(existing.uid, existing.gid);
    } catch {
      await handle.chown(own.uid, existing.gid).catch(() => {}); // without privilege, a group the user is in may still be kept
    }
  }
  await handle.chmod(existing.mode & 0o7777);
}

/**
 * Writes a report to a temporary file beside the regular file `target` and renames it over `target` on
 * commit (atomic: readers see the old report or the new one). The new file keeps the replaced file's mode
 * and owner; a new one gets 0666 less the umask, as files made by the shell do.
 */
function replacingSink(out: string, target: string, existing: Stats | undefined): ReportSink {
  const chunks: string[] = [];
  let held = 0;
  let file: { path: string; handle: FileHandle } | undefined;
  const openFile = async () => {
    const path = temporaryName(target);
    try {
      file = { path, handle: await open(path, 'wx', 0o666) };
      if (existing) await keepOwnerAndMode(file.handle, existing);
    } catch (error) {
      if (file) await file.handle.close().catch(() => {});
      await rm(path, { force: true });
      file = undefined;
      throw cannotWrite(out, error);
    }
    return file;
  };
  /** Moves what is held in memory to the file, in one write. */
  const flush = async () => {
    if (!file || chunks.length === 0) return;
    const text = chunks.splice(0).join('');
    held = 0;
    try {
      await writeAll(file.handle, text);
    } catch (error) {
      throw cannotWrite(out, error);
    }
  };
  return {
    async write(text) {
      chunks.push(text);
      held += text.length;
      if (!file) await openFile();
      if (held >= FILE_BATCH) await flush();
    },
    async commit() {
      const staged = file ?? (await openFile());
      await flush();
      try {
        await staged.handle.close();
        await rename(staged.path, target);
      } catch (error) {
        await rm(staged.path, { force: true });
        throw cannotWrite(out, error);
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

/** How a device, FIFO or open file is opened to write into it: never created, never truncated, never made the terminal of the process. */
const inPlaceFlags = (target: { append: boolean }) => constants.O_WRONLY | constants.O_NOCTTY | (target.append ? constants.O_APPEND : 0);

/** Opens a device, FIFO or open file for writing in place; a FIFO waits here for its reader, as a shell redirection does. */
async function inPlaceDelivery(target: { path: string; append: boolean }): Promise<Delivery> {
  const { path } = target;
  const handle = await open(path, inPlaceFlags(target));
  return {
    async write(text) {
      try {
        await writeAll(handle, text);
      } catch (error) {
        throw cannotWrite(path, error);
      }
    },
    close: () => handle.close(),
  };
}

/** The sink for `--out`: chosen when the first text arrives, from what the path leads to then. */
function outSink(out: string): ReportSink {
  let sink: ReportSink | undefined;
  const chosen = () => {
    if (sink) return sink;
    let target: OutTarget;
    try {
      target = locateOut(out);
    } catch (error) {
      throw cannotWrite(out, error);
    }
    sink = target.kind === 'file' ? replacingSink(out, target.path, target.existing) : spooledSink(() => inPlaceDelivery(target), out);
    return sink;
  };
  return {
    write: async (text) => chosen().write(text),
    commit: async () => chosen().commit(),
    discard: async () => sink?.discard(),
  };
}

/**
 * Stages a report. With `out`, a regular file (or a new one) is replaced atomically by renaming a
 * temporary file written beside its real path, following symbolic links; a device or FIFO is written
 * in place once the report is complete. Without, the report is held in memory, spilling to a temporary
 * file past 4 MiB, and copied to `stdout` on commit. Either way a failed run delivers nothing.
 */
export function stageReport(out: string | undefined, stdout: (text: string) => void | Promise<void>): ReportSink {
  if (out !== undefined) return outSink(out);
  return spooledSink(async () => ({ write: stdout, close: async () => {} }), 'stdout');
}

import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, createReadStream, openSync, readlinkSync, realpathSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * What --out names once symbolic links are followed: a regular file, existing or not, that the report
 * replaces by renaming a temporary file over `path` (its real path); or a device, FIFO or already open
 * file (`/dev/stdout`, `/proc/self/fd/N`) that the report is written into, since renaming over it would
 * put a file in its place. An open file is appended to, so `--out /dev/stdout >> log` keeps the log.
 */
type OutTarget =
  | { kind: 'file'; path: string; existing: Stats | undefined }
  | { kind: 'special'; path: string; append: boolean };

/** Rendered rows up to this size stay in memory; past it they all go to a temporary file, and so does every later write. */
const MEMORY_LIMIT = 4 * 1024 * 1024;

/** Symbolic links followed in a row before giving up, as Linux does (ELOOP). */
const MAX_LINKS = 40;

/** Temporary files this process made and has not yet removed or renamed into place. */
const liveTemporaryFiles = new Set<string>();

/**
 * Removes every temporary file still in use, at once and synchronously: for an exit that cannot wait
 * for the run to clean up after itself (a second Ctrl-C). The destination is left as it was.
 */
export function removeTemporaryFilesNow(): void {
  for (const path of liveTemporaryFiles) {
    try {
      unlinkSync(path);
    } catch {
      /* already gone */
    }
  }
  liveTemporaryFiles.clear();
}

/** Creates a temporary file with `mode`, recorded until `forgetTemporary` so an abrupt exit can still remove it. */
async function openTemporary(path: string, mode: number): Promise<FileHandle> {
  const handle = await open(path, 'wx', mode);
  liveTemporaryFiles.add(path);
  return handle;
}

/** A temporary file that was removed or renamed into place. */
const forgetTemporary = (path: string) => void liveTemporaryFiles.delete(path);

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
function locateOut(out: string): OutTarget {
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

/** Writes all of `text`, however many writes the handle needs; a failure is exit 2 naming `name`. */
export async function writeAll(handle: FileHandle, text: string, name: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  try {
    for (let offset = 0; offset < bytes.length; ) offset += (await handle.write(bytes, offset, bytes.length - offset)).bytesWritten;
  } catch (error) {
    throw cannotWrite(name, error);
  }
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

/** An open destination, written in order, then finished (the report is complete) or abandoned (it is not). */
interface Destination {
  write(text: string): void | Promise<void>;
  finish(): Promise<void>;
  abandon(): Promise<void>;
}

/**
 * A temporary file beside the regular file `target`, renamed over it when finished (atomic: readers see the
 * old report or the new one). It keeps the replaced file's mode and owner; a new file gets 0666 less the
 * umask, as files made by the shell do.
 */
async function replaceFile(out: string, target: string, existing: Stats | undefined): Promise<Destination> {
  const path = temporaryName(target);
  let handle: FileHandle | undefined;
  const abandon = async () => {
    await handle?.close().catch(() => {});
    await rm(path, { force: true });
    forgetTemporary(path);
  };
  try {
    handle = await openTemporary(path, 0o666);
    if (existing) await keepOwnerAndMode(handle, existing);
  } catch (error) {
    await abandon();
    throw cannotWrite(out, error);
  }
  const file = handle;
  return {
    write: (text) => writeAll(file, text, out),
    async finish() {
      try {
        await file.close();
        await rename(path, target);
        forgetTemporary(path);
      } catch (error) {
        throw cannotWrite(out, error);
      }
    },
    abandon,
  };
}

/** How a device, FIFO or open file is opened to write into it: never created, never truncated, never made the terminal of the process. */
const inPlaceFlags = (target: { append: boolean }) => constants.O_WRONLY | constants.O_NOCTTY | (target.append ? constants.O_APPEND : 0);

/** Opens --out where its links lead: a file to replace, or a device, FIFO or open file to write into (a FIFO waits here for its reader). */
async function openOut(out: string): Promise<Destination> {
  let target: OutTarget;
  try {
    target = locateOut(out);
  } catch (error) {
    throw cannotWrite(out, error);
  }
  if (target.kind === 'file') return replaceFile(out, target.path, target.existing);
  const { path } = target;
  const handle = await open(path, inPlaceFlags(target)).catch((error: unknown) => {
    throw cannotWrite(out, error);
  });
  return { write: (text) => writeAll(handle, text, path), finish: () => handle.close(), abandon: () => handle.close().catch(() => {}) };
}

/** A private temporary file (mode 0600 in the OS's temporary folder), registered so an abrupt exit still removes it. */
export interface TemporaryFile {
  readonly path: string;
  readonly handle: FileHandle;
  /** Closes and removes the file; safe to call more than once. */
  remove(): Promise<void>;
}

/** Creates a private temporary file, `.projection-drift.<pid>.<random>.tmp`; removeTemporaryFilesNow removes it too. */
export async function createTemporaryFile(): Promise<TemporaryFile> {
  const path = temporaryName(join(tmpdir(), 'projection-drift'));
  let handle: FileHandle;
  try {
    handle = await openTemporary(path, 0o600);
  } catch (error) {
    throw cannotWrite(path, error);
  }
  let removed = false;
  return {
    path,
    handle,
    async remove() {
      if (removed) return;
      removed = true;
      await handle.close().catch(() => {});
      await rm(path, { force: true });
      forgetTemporary(path);
    },
  };
}

/** Text appended in order and read back once: in memory up to 4 MiB, then all of it in a private temporary file. */
class TextSpool {
  private held: string[] = [];
  private heldLength = 0;
  private spill: TemporaryFile | undefined;

  async write(text: string): Promise<void> {
    this.held.push(text);
    this.heldLength += text.length;
    if (this.spill || this.heldLength > MEMORY_LIMIT) {
      this.spill ??= await createTemporaryFile();
      const chunk = this.held.splice(0).join('');
      this.heldLength = 0;
      await writeAll(this.spill.handle, chunk, this.spill.path);
    }
  }

  /** Writes everything spooled, in order, to `destination`. */
  async copyTo(destination: Destination): Promise<void> {
    if (!this.spill) return void (await destination.write(this.held.join('')));
    for await (const chunk of createReadStream(this.spill.path, { encoding: 'utf8' })) await destination.write(chunk as string);
  }

  async discard(): Promise<void> {
    this.held = [];
    this.heldLength = 0;
    const spill = this.spill;
    this.spill = undefined;
    await spill?.remove();
  }
}

/** The parts of a report around its staged rows and appendix, rendered once every row was seen. */
export interface ReportFrame {
  head: string;
  tail: string;
  /** The heading of the appendix (the evidence section), written after the tail and before the appendix lines; '' for none. */
  appendixHead: string;
}

/** A report's rendered rows (and appendix lines) waiting for its head and tail; nothing reaches the destination before `commit`. */
export interface StagedReport {
  /** Appends rendered rows. */
  write(rows: string): Promise<void>;
  /** Appends rendered lines of the appendix, the section after the tail (the evidence of each listed site). */
  writeAppendix(lines: string): Promise<void>;
  /** Writes head, the rows, tail, appendix head and the appendix lines to the destination and finishes it; the staged text is removed either way. */
  commit(frame: ReportFrame): Promise<void>;
  /** Drops the staged text; the destination is left as it was. */
  discard(): Promise<void>;
}

/**
 * Stages a report for `out` (stdout when undefined), in this order:
 * 1. `write` and `writeAppendix`: the rows and the appendix lines (the evidence section), each held in
 *    memory and past 4 MiB spilled to one private temporary file, so memory stays bounded whatever
 *    --limit 0 lists;
 * 2. the head (summary, baseline comparison), the tail and the appendix head are rendered: the head needs
 *    every row seen;
 * 3. `commit(frame)` opens the destination and writes head, rows, tail, appendix head, appendix: stdout as
 *    the spooled text is read back; --out where locateOut leads, a regular file replaced atomically
 *    (replaceFile), a device, FIFO or open file written in place.
 * A failed run calls `discard` instead of `commit`, and nothing reaches the destination.
 */
export function stageReport(out: string | undefined, stdout: (text: string) => void | Promise<void>): StagedReport {
  const toStdout: Destination = { write: stdout, finish: async () => {}, abandon: async () => {} };
  const openDestination = out === undefined ? async () => toStdout : () => openOut(out);
  const rows = new TextSpool();
  const appendix = new TextSpool();
  const discard = async () => {
    await rows.discard();
    await appendix.discard();
  };
  return {
    write: (text) => rows.write(text),
    writeAppendix: (text) => appendix.write(text),
    async commit({ head, tail, appendixHead }) {
      try {
        const destination = await openDestination();
        try {
          await destination.write(head);
          await rows.copyTo(destination);
          await destination.write(tail);
          await destination.write(appendixHead);
          await appendix.copyTo(destination);
          await destination.finish();
        } catch (error) {
          await destination.abandon();
          throw error;
        }
      } finally {
        await discard();
      }
    },
    discard,
  };
}

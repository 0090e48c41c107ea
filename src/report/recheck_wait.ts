import { interruption } from '../db/snapshot.js';

/** Where the wait before a re-check shows its countdown: stderr, only when it is a terminal. */
export interface WaitIo {
  stderr: (text: string) => void;
  stderrIsTerminal: boolean;
  /** Aborted (with the signal's name as its reason) when the run is interrupted. */
  interrupt?: AbortSignal | undefined;
}

/** The line a run interrupted during the wait prints: no connection is open then. */
export const INTERRUPTED_WAITING = 'interrupted while waiting to re-check; no query was left running on the server';

/** Seconds left, as a countdown shows them: whole seconds, or tenths below ten. */
const shown = (ms: number) => (ms >= 10_000 ? String(Math.ceil(ms / 1000)) : (Math.ceil(ms / 100) / 10).toFixed(1));

/**
 * Waits `ms` milliseconds between the report's snapshot and the re-check's. On a terminal, stderr shows
 * a countdown rewritten in place (carriage return, erase to the end of the line), erased when the wait
 * ends; piped, nothing is written. An interruption ends the wait at once with an InterruptedError.
 */
export function waitToRecheck(ms: number, io: WaitIo): Promise<void> {
  return new Promise((resolve, reject) => {
    const { interrupt } = io;
    if (interrupt?.aborted) return reject(interruption(interrupt, INTERRUPTED_WAITING));
    const until = performance.now() + ms;
    let timer: NodeJS.Timeout | undefined;
    const show = (left: number) => {
      if (io.stderrIsTerminal) io.stderr(`\rprojection-drift: re-checking every drifting site in ${shown(left)} s\u001b[K`);
    };
    const erase = () => {
      if (io.stderrIsTerminal) io.stderr('\r\u001b[K');
    };
    const finish = (error?: Error) => {
      clearTimeout(timer);
      interrupt?.removeEventListener('abort', onInterrupt);
      erase();
      if (error) reject(error);
      else resolve();
    };
    const onInterrupt = () => finish(interruption(interrupt!, INTERRUPTED_WAITING));
    const tick = () => {
      const left = until - performance.now();
      if (left <= 0) return finish();
      show(left);
      // Wake at the next change of the shown figure (tenths below ten seconds), or at the end.
      const step = left >= 10_000 ? left - (Math.ceil(left / 1000) - 1) * 1000 : left - (Math.ceil(left / 100) - 1) * 100;
      timer = setTimeout(tick, io.stderrIsTerminal ? Math.max(1, step) : left);
    };
    interrupt?.addEventListener('abort', onInterrupt, { once: true });
    tick();
  });
}

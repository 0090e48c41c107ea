/** How long a run goes before its progress line appears: shorter runs print none. */
const SHOW_AFTER_MS = 1500;

/** A progress line on a terminal's stderr, rewritten in place and erased at the end. */
export interface ProgressLine {
  /** Records `done` of `total` units read; shown once the run has lasted SHOW_AFTER_MS. */
  update(done: number, total: number, unit: string): void;
  /** Erases the line if it was shown; later updates are ignored. */
  clear(): void;
}

/**
 * A progress line for the report of `label` written with `write` (stderr on a terminal). It stays
 * silent for the first SHOW_AFTER_MS, then shows the latest count and rewrites it at each update.
 */
export function progressLine(write: (text: string) => void, label: string, showAfterMs = SHOW_AFTER_MS): ProgressLine {
  let state = 'starting';
  let shown = false;
  let ended = false;
  const show = () => {
    if (ended) return;
    shown = true;
    write(`\r\u001b[Kprojection-drift: checking ${label}: ${state}`);
  };
  const timer = setTimeout(show, showAfterMs);
  timer.unref();
  return {
    update(count, total, unit) {
      state = `${count}/${total} ${unit} read`;
      if (shown) show();
    },
    clear() {
      clearTimeout(timer);
      if (shown && !ended) write('\r\u001b[K');
      ended = true;
    },
  };
}

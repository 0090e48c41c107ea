import type { DriftRow } from '../../src/report/drift_results.js';
import type { ReportRenderer } from '../../src/render/render.js';
import type { ReportView } from '../../src/report/report_view.js';

/** Renders a whole report at once, rows included, as the CLI streams it: head, each row, tail. */
export function renderReport(renderer: ReportRenderer, view: ReportView, rows: readonly DriftRow[]): string {
  return renderer.head(view) + rows.map((row, index) => renderer.row({ ...row, isNew: false, extras: { evidence: null, recheck: null } }, index)).join('') + renderer.tail(view);
}

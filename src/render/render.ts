import type { Format } from '../config/options.js';
import type { HelperDelegate, TemplateDelegate } from 'handlebars';
import { loadTemplate, templateEnvironment } from './template_files.js';
import type { DriftRow } from '../report/drift_results.js';
import type { ReportView } from '../report/report_view.js';
import type { SiteEvidence } from '../report/evidence.js';
import type { RecheckLabel } from '../report/recheck.js';
import { textHelpers } from './text_helpers.js';
import { markdownHelpers } from './markdown_helpers.js';
import { jsonHelpers } from './json_helpers.js';

/** What a JSON consumer gets when no report could be produced (exit 2 or 3). */
export interface FailureView {
  generatedAt: string;
  kind: 'usage' | 'could_not_check';
  exitCode: number;
  message: string;
}

/**
 * What a run adds to one listed row beyond the report statement's columns, read after the rows (on
 * the same snapshot) and rendered with the row: the site's evidence (null when none was found), and
 * what --recheck found for it (null without --recheck). Every field is always present (the
 * templates are strict), null when it does not apply.
 */
export interface RowExtras {
  evidence: SiteEvidence | null;
  recheck: RecheckLabel | null;
}

/** A listed row as spooled before its extras are known: `isNew` marks a site missing from the --baseline report. */
export type SpooledRow = DriftRow & { isNew: boolean };

/** A listed row as the templates see it. */
export type ListedRow = SpooledRow & { extras: RowExtras };

/** A report rendered in parts (head, rows, tail, evidence heading, evidence lines), so its rows can be staged between them without being held in memory. */
export interface ReportRenderer {
  /** Everything before the first row: `templates/<format>/head.hbs`, with the final view. */
  head(view: ReportView): string;
  /** One row, the `index`-th (0-based): `templates/<format>/row.hbs`, with `@first` and `@index`. */
  row(row: ListedRow, index: number): string;
  /** Everything after the last row: `templates/<format>/tail.hbs`, with the final view. */
  tail(view: ReportView): string;
  /** The heading of the evidence section, after the tail: `templates/<format>/evidence_head.hbs`; empty without listed rows. */
  evidenceHead(view: ReportView): string;
  /** One listed site's evidence line, the `index`-th: `templates/<format>/evidence_row.hbs` (empty in JSON, whose rows carry it). */
  evidenceRow(row: ListedRow, index: number): string;
}

const helpersByFormat: Record<Format, Record<string, HelperDelegate>> = {
  text: textHelpers,
  markdown: markdownHelpers,
  json: jsonHelpers,
};

/** `templates/<format>/<part>.hbs` with the format's helpers (strict, no HTML escaping; precompiled in the built CLI). */
function compile<View>(format: Format, part: string): TemplateDelegate<View> {
  const handlebars = templateEnvironment();
  handlebars.registerHelper(helpersByFormat[format]);
  return loadTemplate<View>(handlebars, `${format}/${part}`);
}

/**
 * Compiles a format's head, row and tail templates, once each. A report is the head, then one row
 * per listed row as the rows stream, then the tail; head and tail take the final view, which is
 * complete (summary, rows listed, baseline comparison) only once every row was seen.
 */
export function compileReportRenderer(format: Format): ReportRenderer {
  const head = compile<ReportView>(format, 'head');
  const row = compile<ListedRow>(format, 'row');
  const tail = compile<ReportView>(format, 'tail');
  const evidenceHead = compile<ReportView>(format, 'evidence_head');
  const evidenceRow = compile<ListedRow>(format, 'evidence_row');
  return {
    head: (view) => head(view),
    row: (listed, index) => row(listed, { data: { first: index === 0, index } }),
    tail: (view) => tail(view),
    evidenceHead: (view) => evidenceHead(view),
    evidenceRow: (listed, index) => evidenceRow(listed, { data: { first: index === 0, index } }),
  };
}

/** The renderer of the JSON failure document, `templates/json/failure.hbs`. */
export function compileJsonFailureTemplate(): (view: FailureView) => string {
  return compile<FailureView>('json', 'failure');
}

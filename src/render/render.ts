import type { Format } from '../config/options.js';
import type { HelperDelegate, TemplateDelegate } from 'handlebars';
import { loadTemplate, templateEnvironment } from './template_files.js';
import type { DriftRow } from '../report/drift_results.js';
import type { ReportView } from '../report/report_view.js';
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

/** A listed row as the templates see it: `isNew` marks a site missing from the --baseline report. */
export type ListedRow = DriftRow & { isNew: boolean };

/** A report rendered in three parts, so its rows can stream between them without being held in memory. */
export interface ReportRenderer {
  /** Everything before the first row: `templates/<format>/head.hbs`, with the final view. */
  head(view: ReportView): string;
  /** One row, the `index`-th (0-based): `templates/<format>/row.hbs`, with `@first` and `@index`. */
  row(row: ListedRow, index: number): string;
  /** Everything after the last row: `templates/<format>/tail.hbs`, with the final view. */
  tail(view: ReportView): string;
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
  return {
    head: (view) => head(view),
    row: (listed, index) => row(listed, { data: { first: index === 0, index } }),
    tail: (view) => tail(view),
  };
}

/** The renderer of the JSON failure document, `templates/json/failure.hbs`. */
export function compileJsonFailureTemplate(): (view: FailureView) => string {
  return compile<FailureView>('json', 'failure');
}

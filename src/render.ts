import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import type { HelperDelegate } from 'handlebars';
import { templatesRoot } from './paths.js';
import type { DriftRow } from './drift_results.js';
import type { ReportView } from './report_view.js';
import { textHelpers } from './formats/text_helpers.js';
import { markdownHelpers } from './formats/markdown_helpers.js';
import { jsonHelpers } from './formats/json_helpers.js';

/** The report formats, each one template under templates/. */
export const formats = ['text', 'markdown', 'json'] as const;

/** A report format name. */
export type Format = (typeof formats)[number];

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
  /** Everything before the first row. */
  head(view: ReportView): string;
  /** One row, the `index`-th (0-based), rendered by the format's `<format>_row` partial. */
  row(row: ListedRow, index: number): string;
  /** Everything after the last row; render it with the final view (rows listed, timings). */
  tail(view: ReportView): string;
}

const helpersByFormat: Record<Format, Record<string, HelperDelegate>> = {
  text: textHelpers,
  markdown: markdownHelpers,
  json: jsonHelpers,
};

/** Marks where the rows go; a NUL never survives any format's escaping, so it cannot collide with data. */
const ROWS_SLOT = '\u0000rows\u0000';

/** A Handlebars environment with one format's helpers and the shared partials (strict, no HTML escaping). */
function environment(format: Format): typeof Handlebars {
  const handlebars = Handlebars.create();
  handlebars.registerHelper(helpersByFormat[format]);
  const partialsDir = join(templatesRoot, 'partials');
  for (const file of readdirSync(partialsDir).filter((entry) => entry.endsWith('.hbs'))) {
    handlebars.registerPartial(basename(file, '.hbs'), readFileSync(join(partialsDir, file), 'utf8'));
  }
  return handlebars;
}

function compile<View>(handlebars: typeof Handlebars, name: string): Handlebars.TemplateDelegate<View> {
  const source = readFileSync(join(templatesRoot, `${name}.hbs`), 'utf8');
  return handlebars.compile<View>(source, { noEscape: true, strict: true });
}

/**
 * Compiles a format's template. Its `{{#eachRow}}{{> <format>_row}}{{/eachRow}}` block marks where the
 * rows go: the text around it is the head and the tail, and each streamed row is rendered by the
 * `<format>_row` partial on its own (with `@first` and `@index`).
 */
export function compileReportRenderer(format: Format): ReportRenderer {
  const handlebars = environment(format);
  handlebars.registerHelper('eachRow', () => ROWS_SLOT);
  const template = compile<ReportView>(handlebars, format);
  // The row partial environment() registered, compiled on its own so each streamed row renders alone.
  const rowSource: unknown = handlebars.partials[`${format}_row`];
  if (typeof rowSource !== 'string') throw new Error(`templates/partials/${format}_row.hbs is missing`);
  const rowTemplate = handlebars.compile<ListedRow>(rowSource, { noEscape: true, strict: true });
  // A report without drift may leave the row block out entirely; then it is all head.
  const parts = (view: ReportView): [string, string] => {
    const [head, tail = '', ...more] = template(view).split(ROWS_SLOT);
    if (more.length > 0) throw new Error(`templates/${format}.hbs renders its {{#eachRow}} block more than once`);
    return [head!, tail];
  };
  return {
    head: (view) => parts(view)[0],
    tail: (view) => parts(view)[1],
    row: (row, index) => rowTemplate(row, { data: { first: index === 0, index } }),
  };
}

/** The renderer of the JSON failure document. */
export function compileJsonFailureTemplate(): (view: FailureView) => string {
  return compile<FailureView>(environment('json'), 'json_failure');
}

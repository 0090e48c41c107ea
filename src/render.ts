import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import type { HelperDelegate } from 'handlebars';
import { templatesRoot } from './paths.js';
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

const helpersByFormat: Record<Format, Record<string, HelperDelegate>> = {
  text: textHelpers,
  markdown: markdownHelpers,
  json: jsonHelpers,
};

/** Compiles templates/<name>.hbs with one format's helpers and the shared partials (strict, no HTML escaping). */
function compileTemplate<View>(name: string, format: Format): (view: View) => string {
  const handlebars = Handlebars.create();
  handlebars.registerHelper(helpersByFormat[format]);
  const partialsDir = join(templatesRoot, 'partials');
  for (const file of readdirSync(partialsDir).filter((entry) => entry.endsWith('.hbs'))) {
    handlebars.registerPartial(basename(file, '.hbs'), readFileSync(join(partialsDir, file), 'utf8'));
  }
  const source = readFileSync(join(templatesRoot, `${name}.hbs`), 'utf8');
  const template = handlebars.compile<View>(source, { noEscape: true, strict: true });
  return (view) => template(view);
}

/** The renderer of one report format. */
export function compileReportTemplate(format: Format): (view: ReportView) => string {
  return compileTemplate<ReportView>(format, format);
}

/** The renderer of the JSON failure document. */
export function compileJsonFailureTemplate(): (view: FailureView) => string {
  return compileTemplate<FailureView>('json_failure', 'json');
}

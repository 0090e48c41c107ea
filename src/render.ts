import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import type { HelperDelegate } from 'handlebars';
import { templatesRoot } from './paths.js';
import type { ReportView } from './report_view.js';
import { textHelpers } from './formats/text_helpers.js';

/** The report formats, each one template under templates/. */
export const formats = ['text'] as const;

/** A report format name. */
export type Format = (typeof formats)[number];

const helpersByFormat: Record<Format, Record<string, HelperDelegate>> = {
  text: textHelpers,
};

/** Compiles the template of one format with its own helpers and the shared partials (strict, no HTML escaping). */
export function compileReportTemplate(format: Format): (view: ReportView) => string {
  const handlebars = Handlebars.create();
  handlebars.registerHelper(helpersByFormat[format]);
  const partialsDir = join(templatesRoot, 'partials');
  for (const file of readdirSync(partialsDir).filter((name) => name.endsWith('.hbs'))) {
    handlebars.registerPartial(basename(file, '.hbs'), readFileSync(join(partialsDir, file), 'utf8'));
  }
  const source = readFileSync(join(templatesRoot, `${format}.hbs`), 'utf8');
  const template = handlebars.compile<ReportView>(source, { noEscape: true, strict: true });
  return (view) => template(view);
}

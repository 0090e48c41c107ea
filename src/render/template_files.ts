import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { templatesRoot } from '../paths.js';

/**
 * Where report templates come from when src/ runs as it is (tsx, the tests): each `templates/<name>.hbs`
 * is read and compiled by the full Handlebars compiler on first use. The built CLI never loads this
 * file: `make build` (scripts/build_cli.ts) swaps in a module of the same shape holding every
 * template of templates/ precompiled with `templateCompileOptions`, so a run loads only the
 * Handlebars runtime and compiles nothing.
 */

/** How every template is compiled, here and by the build: no HTML escaping, and a missing field is an error. */
export const templateCompileOptions = { noEscape: true, strict: true } as const;

/** A Handlebars environment of its own, to register one format's helpers (and partials) on. */
export function templateEnvironment(): typeof Handlebars {
  return Handlebars.create();
}

/** `templates/<name>.hbs` (name such as `text/head`) as a template function of `environment`. */
export function loadTemplate<View>(environment: typeof Handlebars, name: string): Handlebars.TemplateDelegate<View> {
  const source = readFileSync(join(templatesRoot, `${name}.hbs`), 'utf8');
  return environment.compile<View>(source, templateCompileOptions);
}

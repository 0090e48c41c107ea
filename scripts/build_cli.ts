/**
 * Bundles the CLI into one file, dist/cli.js, with every report template precompiled (`make build`,
 * after `tsc` has compiled src/ to dist/ for the benchmark and the demo loader).
 *
 * A run of the CLI then reads one file instead of resolving and compiling some two hundred modules,
 * loads the Handlebars runtime instead of its compiler, and compiles no template: together about
 * half of what a one-bucket report used to cost (docs/performance.md, "Start-up").
 *
 * - templates/: every `.hbs` file below it, whatever its folder, is precompiled with the options the
 *   source path compiles with (src/render/template_files.ts) into a module that replaces that file in
 *   the bundle. templates/ stays the source of truth; the precompiled form exists only in dist/cli.js.
 * - Dependencies are bundled, so dist/cli.js still needs node_modules only for yargs' message
 *   catalogues (its locales/ folder), which the bundle finds where Node resolves yargs from
 *   dist/cli.js, as the unbundled yargs found them itself.
 * - The build fails if the Handlebars compiler or a module the bundle must not hold ends up in it.
 *
 * Run: node --import tsx scripts/build_cli.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import Handlebars from 'handlebars';
import { templateCompileOptions } from '../src/render/template_files.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const templatesRoot = join(root, 'templates');
const outfile = join(root, 'dist', 'cli.js');

/** Every `.hbs` file below `folder`, by its name relative to templates/ without the extension (`text/head`). */
function templateFiles(folder: string): { name: string; path: string }[] {
  return readdirSync(folder, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return templateFiles(path);
      if (!entry.isFile() || !entry.name.endsWith('.hbs')) return [];
      return [{ name: relative(templatesRoot, path).slice(0, -'.hbs'.length).split(sep).join('/'), path }];
    });
}

/** The precompiled twin of src/render/template_files.ts: the same exports, over the Handlebars runtime. */
function precompiledTemplatesModule(): string {
  const specs = templateFiles(templatesRoot).map(({ name, path }) => {
    try {
      return `  ${JSON.stringify(name)}: ${Handlebars.precompile(readFileSync(path, 'utf8'), templateCompileOptions)},`;
    } catch (error) {
      throw new Error(`${relative(root, path)}: ${(error as Error).message}`);
    }
  });
  return [
    "import Handlebars from 'handlebars/runtime.js';",
    '',
    '// Every templates/.../*.hbs, precompiled by scripts/build_cli.ts.',
    'const specs = {',
    ...specs,
    '};',
    '',
    'export const templateCompileOptions = ' + JSON.stringify(templateCompileOptions) + ';',
    '',
    'export function templateEnvironment() {',
    '  return Handlebars.create();',
    '}',
    '',
    'export function loadTemplate(environment, name) {',
    '  if (!Object.hasOwn(specs, name)) throw new Error(`no template templates/${name}.hbs in this build; run make build`);',
    '  return environment.template(specs[name]);',
    '}',
    '',
  ].join('\n');
}

/** Serves the precompiled templates wherever src/ imports template_files.js. */
const precompiledTemplates: Plugin = {
  name: 'precompiled-templates',
  setup(bundle) {
    bundle.onResolve({ filter: /(^|\/)template_files\.js$/ }, (args) =>
      args.importer.startsWith(join(root, 'src')) ? { path: 'precompiled-templates', namespace: 'precompiled-templates' } : undefined,
    );
    bundle.onLoad({ filter: /.*/, namespace: 'precompiled-templates' }, () => ({
      contents: precompiledTemplatesModule(),
      loader: 'js',
      resolveDir: root,
      watchFiles: templateFiles(templatesRoot).map(({ path }) => path),
    }));
  },
};

/**
 * yargs finds its message catalogues (and, for --version, the package.json above node_modules) from
 * its own file's location, which inside the bundle would be dist/cli.js: point it at the file Node
 * resolves from dist/cli.js instead, so --help, --version and every parse error read as before.
 */
const yargsLocation: Plugin = {
  name: 'yargs-location',
  setup(bundle) {
    bundle.onLoad({ filter: /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const own = 'fileURLToPath(import.meta.url)';
      if (text.split(own).length !== 2) throw new Error(`${args.path}: expected one "${own}"; check the yargs upgrade`);
      const resolved = "require('node:path').join(require('node:path').dirname(require.resolve('yargs/package.json')), 'lib', 'platform-shims', 'esm.mjs')";
      return { contents: text.replace(own, resolved), loader: 'js' };
    });
  },
};

/** Modules that must never be in the bundle: the template compiler (and its source maps) and the old template path. */
const forbidden = [/node_modules\/handlebars\/dist\/cjs\/handlebars\/compiler\//, /node_modules\/source-map\//, /src\/render\/template_files\.ts$/];

const result = await build({
  entryPoints: [join(root, 'src', 'cli.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Bundled CommonJS dependencies (mysql2, yargs' helpers) call require() for Node's own modules.
  banner: { js: "import { createRequire as createRequireOfBundle } from 'node:module';\nconst require = createRequireOfBundle(import.meta.url);" },
  plugins: [precompiledTemplates, yargsLocation],
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
});
const included = Object.keys(result.metafile.inputs).filter((input) => forbidden.some((pattern) => pattern.test(input)));
if (included.length > 0) throw new Error(`dist/cli.js must not hold ${included.join(', ')}`);
if (process.env.BUNDLE_META) (await import('node:fs')).writeFileSync(process.env.BUNDLE_META, JSON.stringify(result.metafile));

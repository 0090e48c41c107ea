import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The package root: the folder holding sql/, templates/ and package.json (one level above src/, build/ or dist/). */
export const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** Folder of the versioned drift queries. */
export const sqlRoot = join(packageRoot, 'sql');

/** Folder of the Handlebars report templates. */
export const templatesRoot = join(packageRoot, 'templates');

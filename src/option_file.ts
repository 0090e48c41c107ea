import { readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from './errors.js';

/** Option groups a MySQL or MariaDB client reads, in the order they apply (later wins). */
export const clientGroups = ['client', 'client-mariadb'] as const;

const MAX_INCLUDE_DEPTH = 10;

/** An option name in one canonical form: lower case, dashes for underscores (`ssl_ca` is `ssl-ca`). */
export function canonicalOptionName(name: string): string {
  return name.trim().toLowerCase().replace(/_/g, '-');
}

/** Undoes a value's quotes and the escape sequences MySQL allows (\b \t \n \r \\ \s). */
function optionValue(raw: string): string {
  let text = raw.trim();
  const quote = text[0];
  if ((quote === '"' || quote === "'") && text.length >= 2) {
    const end = text.indexOf(quote, 1);
    text = end === -1 ? text.slice(1) : text.slice(1, end);
  } else {
    const comment = text.indexOf('#');
    if (comment !== -1) text = text.slice(0, comment).trimEnd();
  }
  const escapes: Record<string, string> = { b: '\b', t: '\t', n: '\n', r: '\r', '\\': '\\', s: ' ' };
  return text.replace(/\\(.)/g, (match, c: string) => escapes[c] ?? match);
}

/**
 * Reads the options of `groups` from a MySQL option file (my.cnf syntax): `[group]` sections,
 * `name=value` or bare `name`, `#` and `;` comments, quoted values, `!include FILE` and
 * `!includedir DIR` (its `.cnf` files, sorted). Later values win. Names are canonical (dashes).
 */
export function readOptionFile(path: string, groups: readonly string[] = clientGroups): Map<string, string> {
  const wanted = new Set(groups.map((g) => g.toLowerCase()));
  const options = new Map<string, string>();
  const visit = (file: string, depth: number) => {
    if (depth > MAX_INCLUDE_DEPTH) throw new UsageError(`option file ${file}: includes nest deeper than ${MAX_INCLUDE_DEPTH}; check for a loop`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read option file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path and its permissions`);
    }
    let inWanted = false;
    text.split(/\r?\n/).forEach((rawLine, index) => {
      const line = rawLine.trim();
      if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
      const include = /^!(include|includedir)\s+(.+)$/.exec(line);
      if (include) {
        const target = include[2]!.trim();
        const full = isAbsolute(target) ? target : resolve(dirname(file), target);
        if (include[1] === 'include') visit(full, depth + 1);
        else for (const entry of listCnfFiles(full)) visit(entry, depth + 1);
        return;
      }
      const group = /^\[([^\]]+)\]/.exec(line);
      if (group) {
        inWanted = wanted.has(group[1]!.trim().toLowerCase());
        return;
      }
      if (!inWanted) return;
      const equals = line.indexOf('=');
      const name = canonicalOptionName(equals === -1 ? line.replace(/\s+#.*$/, '') : line.slice(0, equals));
      if (!/^[a-z0-9-]+$/.test(name)) throw new UsageError(`option file ${file}:${index + 1}: cannot read "${rawLine.trim()}"`);
      options.set(name, equals === -1 ? '' : optionValue(line.slice(equals + 1)));
    });
  };
  visit(path, 0);
  return options;
}

/** The `.cnf` files of an `!includedir` folder, in name order. */
function listCnfFiles(folder: string): string[] {
  try {
    return readdirSync(folder)
      .filter((name) => name.endsWith('.cnf'))
      .sort()
      .map((name) => join(folder, name));
  } catch (error) {
    throw new UsageError(`cannot read option folder ${folder} (${(error as NodeJS.ErrnoException).code ?? 'error'}); check !includedir`);
  }
}

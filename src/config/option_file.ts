import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/** Option groups a MySQL or MariaDB client reads, in the order they apply (later wins). */
const clientGroups = ['client', 'client-mariadb'] as const;

/** An option name in one canonical form: lower case, dashes for underscores (`ssl_ca` is `ssl-ca`). */
export function canonicalOptionName(name: string): string {
  return name.trim().toLowerCase().replace(/_/g, '-');
}

// The rules below are the MySQL/MariaDB clients' (mysys my_default.c), checked against my_print_defaults
// in test/option_file.test.ts. Files are handled as bytes (Latin-1 text) as the clients handle them, and
// names and values are decoded as UTF-8 at the end.

/** `!include` and `!includedir` in a file this deep are skipped, as the clients skip them. */
const MAX_INCLUDE_DEPTH = 10;

/** The clients read a file in pieces of at most this many bytes, so a longer line is read as several lines. */
const MAX_LINE_BYTES = 4094;

/** Blank bytes in the clients' sense (Latin-1): tab, line feed, vertical tab, form feed, carriage return, space, no-break space. */
const isBlank = (char: string | undefined) => char !== undefined && '\t\n\v\f\r \xa0'.includes(char);

const skipBlanks = (text: string) => {
  let start = 0;
  while (isBlank(text[start])) start++;
  return text.slice(start);
};

const trimEndBlanks = (text: string) => {
  let end = text.length;
  while (end > 0 && isBlank(text[end - 1])) end--;
  return text.slice(0, end);
};

const fromBytes = (text: string) => Buffer.from(text, 'latin1').toString('utf8');

/** A file's lines as the clients see them: each with its line feed, split every 4094 bytes, cut at a NUL byte. */
function linesOf(text: string): string[] {
  const lines: string[] = [];
  for (let start = 0; start < text.length; ) {
    const feed = text.indexOf('\n', start);
    const end = Math.min(feed === -1 ? text.length : feed + 1, start + MAX_LINE_BYTES);
    const line = text.slice(start, end);
    const nul = line.indexOf('\0');
    lines.push(nul === -1 ? line : line.slice(0, nul));
    start = end;
  }
  return lines;
}

/** The line up to its comment: the first `#` outside quotes (a backslash escapes a quote only inside quotes). */
function withoutComment(line: string): string {
  let quote = '';
  let escaped = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if ((char === '"' || char === "'") && !escaped) {
      if (quote === '') quote = char;
      else if (quote === char) quote = '';
    }
    if (quote === '' && char === '#') return line.slice(0, i);
    escaped = quote !== '' && char === '\\' && !escaped;
  }
  return line;
}

const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', s: ' ', '"': '"', "'": "'", '\\': '\\' };

/**
 * A value as the clients read it: blanks around it dropped, then one pair of matching quotes around
 * all of it, then the escapes \n \t \r \b \s \" \' \\ (anywhere; an unknown one and a last backslash stay as written).
 */
function optionValue(raw: string): string {
  let text = trimEndBlanks(skipBlanks(raw));
  if (text.length >= 2 && (text[0] === '"' || text[0] === "'") && text.at(-1) === text[0]) text = text.slice(1, -1);
  let value = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && i < text.length - 1) {
      const next = text[++i]!;
      value += escapes[next] ?? `\\${next}`;
    } else {
      value += char;
    }
  }
  return value;
}

/**
 * The path of an `!include` or `!includedir`, from the text after the keyword; undefined when there is none.
 * Like the clients, this drops the line's last character before trimming, assuming it is the line feed: on a
 * last line without one, the path loses its own last character.
 */
function directivePath(rest: string): string | undefined {
  const path = trimEndBlanks(skipBlanks(rest).slice(0, -1));
  return path === '' ? undefined : path;
}

/** An `!include` path: `~/` is the home folder, and a relative path is from the current folder (not the file's). */
function includePath(path: string): string {
  return resolve(path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path);
}

/** The `.cnf` files of an `!includedir` folder (relative to the current folder), in byte order of their names. */
function cnfFilesIn(folder: string): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (error) {
    throw new UsageError(`cannot read option folder ${folder} (${(error as NodeJS.ErrnoException).code ?? 'error'}); check !includedir`);
  }
  return names
    .filter((name) => name.endsWith('.cnf'))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((name) => join(folder, name));
}

/** A file's text as bytes, refusing one that anyone may write to (the clients skip such a file). */
function readBytes(file: string): string {
  try {
    const stats = statSync(file);
    if (stats.isFile() && (stats.mode & 0o002) !== 0) {
      throw new UsageError(`option file ${file} is writable by everyone, so the MySQL clients ignore it; run chmod o-w ${file}`);
    }
    return readFileSync(file, 'latin1');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read option file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path and its permissions`);
  }
}

/**
 * Reads the options of `groups` from a MySQL option file as the MySQL and MariaDB clients read it:
 * `[group]` headers (any case), `name = value` or a bare `name`, `#` comments outside quotes and `;` or
 * `#` comment lines, quoted values, the escapes \b \t \n \r \\ \s \" \', `!include FILE` (a missing or
 * broken one is skipped, as by the clients) and `!includedir DIR` (its `.cnf` files in name order).
 * Later values win. Names are canonical (dashes); names this tool does not use are read and kept.
 * Throws a UsageError when the clients would refuse the file.
 */
export function readOptionFile(path: string, groups: readonly string[] = clientGroups): Map<string, string> {
  const wanted = new Set(groups.map((group) => group.toLowerCase()));
  const options = new Map<string, string>();
  /** Reads one file; an included file that cannot be read or is broken ends there and is otherwise ignored. */
  const visit = (file: string, depth: number) => {
    const include = (target: string) => {
      try {
        visit(target, depth + 1);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
      }
    };
    let group: string | undefined;
    linesOf(readBytes(file)).forEach((rawLine, index) => {
      const where = `option file ${file}:${index + 1}`;
      const line = skipBlanks(rawLine);
      if (line === '' || line[0] === '#' || line[0] === ';') return;
      if (line[0] === '!') {
        if (depth >= MAX_INCLUDE_DEPTH) return;
        const directive = skipBlanks(line.slice(1));
        const keyword = ['includedir', 'include'].find((word) => directive.startsWith(word) && isBlank(directive[word.length]));
        if (keyword === undefined) return; // other directives are ignored, as by the clients
        const target = directivePath(directive.slice(keyword.length));
        if (target === undefined) throw new UsageError(`${where}: !${keyword} needs a ${keyword === 'include' ? 'file' : 'folder'}`);
        if (keyword === 'include') include(includePath(fromBytes(target)));
        else for (const entry of cnfFilesIn(resolve(fromBytes(target)))) include(entry);
        return;
      }
      if (line[0] === '[') {
        const end = line.indexOf(']');
        if (end === -1) throw new UsageError(`${where}: a group header needs a closing ]`);
        group = trimEndBlanks(line.slice(1, end)).toLowerCase();
        return;
      }
      if (group === undefined) throw new UsageError(`${where}: an option before any [group]; put it under [client]`);
      if (!wanted.has(group)) return;
      const text = withoutComment(line);
      const equals = text.indexOf('=');
      const name = trimEndBlanks(equals === -1 ? text : text.slice(0, equals));
      options.set(canonicalOptionName(fromBytes(name)), equals === -1 ? '' : fromBytes(optionValue(text.slice(equals + 1))));
    });
  };
  visit(path, 0);
  return options;
}

import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import yargs from 'yargs';
import { parseBucketRange, parseCount, parseSeconds, type BucketRange } from './bucket_range.js';
import type { ConnectionLimits } from './db_config.js';
import { UsageError } from './errors.js';
import { formats, type Format } from './render.js';

/** Everything a report run needs from the command line and environment, validated. */
export interface ReportOptions {
  range: BucketRange;
  bucketTotal: number;
  rowLimit: number;
  summaryLimit: number;
  format: Format;
  /** Write the report to this file (atomically) instead of stdout. */
  out: string | undefined;
  limits: ConnectionLimits;
}

/** What the command line asked for: a report, or help/version text already handled by yargs. */
export type ParsedCommand = { kind: 'report'; options: ReportOptions } | { kind: 'done'; output: string };

const DEFAULT_BUCKET_TOTAL = 1000;
/** bucket_no is a SMALLINT UNSIGNED, so at most 65536 buckets exist. */
const MAX_BUCKET_TOTAL = 65536;

function buildParser(argv: string[], env: NodeJS.ProcessEnv) {
  return yargs(argv)
    .scriptName('projection-drift')
    .usage(
      [
        'Usage: $0 [--range A-B] [--limit N] [--summary-limit N] [--format text|markdown|json] [--out PATH]',
        '',
        'Reports active sites whose legacy site_status projection disagrees with their open',
        'v2 HTTP events, grouped by cause, with what to inspect before any repair.',
        'Read-only: it never writes.',
      ].join('\n'),
    )
    .option('range', {
      type: 'string',
      describe: 'Inclusive bucket range A-B, or one bucket A [default: 0..BUCKET_TOTAL-1]',
    })
    .option('limit', { type: 'string', default: '50', describe: 'Drift rows to list; 0 lists every row' })
    .option('summary-limit', { type: 'string', default: '20', describe: 'Summary groups to show; 0 shows all' })
    .option('bucket-total', {
      type: 'string',
      describe: `Number of buckets [default: $BUCKET_TOTAL or ${DEFAULT_BUCKET_TOTAL}]`,
    })
    .option('format', { type: 'string', default: 'text', describe: `Report format: ${formats.join(', ')}` })
    .option('connect-timeout', { type: 'string', default: '10', describe: 'Seconds to wait for the server to answer' })
    .option('statement-timeout', {
      type: 'string',
      default: '60',
      describe: 'Per-statement time limit on the server, in seconds (decimals allowed; 0 = none)',
    })
    .option('out', { type: 'string', describe: 'Write the report to this file, atomically, instead of stdout' })
    .example('$0 --range 0-99', 'Report buckets 0 to 99')
    .example('$0 --range 7 --limit 0', 'Report bucket 7 and list every drifting site')
    .example('$0 --range 0-99 --format json > drift.json || [ $? -eq 1 ]', 'Gate a script: JSON on stdout, exit 1 on drift')
    .example('$0 --range 0-99 --format markdown --out drift.md', 'Write a Markdown report for a rollout document')
    .epilog(
      [
        'Environment: DB_HOST (localhost), DB_PORT (3306), DB_USER (root), DB_PASSWORD (empty),',
        'DB_NAME (jetmon_db), BUCKET_TOTAL (1000).',
        'Exit status: 0 no drift, 1 drift found, 2 bad usage, 3 could not check.',
      ].join('\n'),
    )
    .strict()
    .parserConfiguration({ 'duplicate-arguments-array': false, 'parse-numbers': false, 'parse-positional-numbers': false })
    .exitProcess(false)
    .wrap(null)
    .help()
    .version()
    .fail((message, error) => {
      const text = message ?? error?.message ?? 'invalid command line';
      throw new UsageError(`${text.charAt(0).toLowerCase()}${text.slice(1)}; see --help`);
    });
}

/** Parses and validates the command line; throws UsageError (exit 2) before anything is queried. */
export async function parseCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<ParsedCommand> {
  let output = '';
  const parser = buildParser(argv, env);
  const args = await parser.parseAsync(argv, {}, (error, _argv, text) => {
    if (error) throw new UsageError(error.message);
    output = text;
  });
  if (args.help || args.version) return { kind: 'done', output };
  if (args._.length > 0) {
    throw new UsageError(`unexpected argument "${String(args._[0])}"; options start with --, see --help`);
  }
  const totalText = args['bucket-total'] ?? env.BUCKET_TOTAL ?? String(DEFAULT_BUCKET_TOTAL);
  const bucketTotal = parseCount(totalText, args['bucket-total'] === undefined ? 'BUCKET_TOTAL' : '--bucket-total', {
    min: 1,
    max: MAX_BUCKET_TOTAL,
  });
  const range =
    args.range === undefined ? { bucketMin: 0, bucketMax: bucketTotal - 1 } : parseBucketRange(args.range, bucketTotal);
  const format = args.format as Format;
  if (!formats.includes(format)) {
    throw new UsageError(`invalid --format "${args.format}": use one of ${formats.join(', ')}`);
  }
  const out = args.out === undefined ? undefined : checkedOutPath(args.out);
  return {
    kind: 'report',
    options: {
      range,
      bucketTotal,
      rowLimit: parseCount(args.limit, '--limit'),
      summaryLimit: parseCount(args['summary-limit'], '--summary-limit'),
      format,
      out,
      limits: {
        connectTimeoutMs: Math.ceil(parseSeconds(args['connect-timeout'], '--connect-timeout') * 1000),
        statementTimeoutSeconds: parseSeconds(args['statement-timeout'], '--statement-timeout', { allowZero: true }),
      },
    },
  };
}

/** The --out path, refused up front (exit 2, nothing queried) when its folder does not exist. */
function checkedOutPath(path: string): string {
  if (path.trim() === '') throw new UsageError('invalid --out "": give a file path');
  const folder = dirname(resolve(path));
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    isFolder = false;
  }
  if (!isFolder) throw new UsageError(`invalid --out "${path}": folder ${folder} does not exist`);
  return path;
}

/** Whether a command line asks for JSON, read without validating it, so even a usage error can answer in JSON. */
export function asksForJson(argv: readonly string[]): boolean {
  return argv.some(
    (arg, i) => arg === '--format=json' || (arg === '--format' && argv[i + 1] === 'json'),
  );
}

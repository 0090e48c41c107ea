import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import yargs from 'yargs';
import { parseBucketRange, parseCount, parseSeconds, type BucketRange } from './bucket_range.js';
import { sslModes, type ConnectionFlags, type ConnectionLimits } from './db_config.js';
import { UsageError } from './errors.js';
import { readMonitorConfig } from './monitor_config.js';
import { formats, type Format } from './render.js';

/** Everything a report run needs from the command line, the environment and the monitor's config, validated. */
export interface ReportOptions {
  range: BucketRange;
  bucketTotal: number;
  rowLimit: number;
  summaryLimit: number;
  format: Format;
  /** Write the report to this file (atomically) instead of stdout. */
  out: string | undefined;
  /** An earlier JSON report of the same range to compare with. */
  baseline: string | undefined;
  limits: ConnectionLimits;
  connection: ConnectionFlags;
  /** Facts worth telling an operator at a terminal, such as where the range came from. */
  notices: string[];
}

/** What the command line asked for: a report, or help/version text already produced by yargs. */
export type ParsedCommand = { kind: 'report'; options: ReportOptions } | { kind: 'done'; output: string };

const DEFAULT_BUCKET_TOTAL = 1000;
/** bucket_no is a SMALLINT UNSIGNED, so at most 65536 buckets exist. */
const MAX_BUCKET_TOTAL = 65536;

const connectionOptionNames = ['host', 'port', 'user', 'database', 'socket', 'ssl-ca', 'ssl-cert', 'ssl-key', 'ssl-mode', 'defaults-file'] as const;

function buildParser(argv: string[]) {
  const text = <Extra extends object = object>(describe: string, extra?: Extra) => ({ type: 'string' as const, describe, ...(extra as Extra) });
  return yargs(argv)
    .scriptName('projection-drift')
    .usage(
      [
        'Usage: $0 [--range A-B | --bucket-min N --bucket-max N] [--limit N] [--format text|markdown|json] [--out PATH]',
        '',
        'Reports active sites whose legacy site_status projection disagrees with their open',
        'v2 HTTP events, grouped by cause, with what to inspect before any repair.',
        'Read-only: it never writes.',
      ].join('\n'),
    )
    .group(['range', 'bucket-min', 'bucket-max', 'bucket-total', 'limit', 'summary-limit', 'format', 'out', 'baseline'], 'Report:')
    .option('range', text('Inclusive bucket range A-B, or one bucket A [default: the pinned range, else 0..BUCKET_TOTAL-1]'))
    .option('bucket-min', text('First bucket (the monitor\'s flag; set with --bucket-max)'))
    .option('bucket-max', text('Last bucket (the monitor\'s flag; set with --bucket-min)'))
    .option('bucket-total', text(`Number of buckets [default: $BUCKET_TOTAL, else the config's BUCKET_TOTAL, else ${DEFAULT_BUCKET_TOTAL}]`))
    .option('limit', text('Drift rows to list; 0 lists every row', { default: '50' }))
    .option('summary-limit', text('Summary groups to show; 0 shows all', { default: '20' }))
    .option('format', text(`Report format: ${formats.join(', ')}`, { default: 'text', alias: 'output' }))
    .option('out', text('Write the report to this file, atomically, instead of stdout'))
    .option('baseline', text('An earlier JSON report of the same range: say what is new, resolved and persisting (save it with --limit 0 for an exact comparison)'))
    .group([...connectionOptionNames, 'connect-timeout', 'statement-timeout'], 'Connection (above DB_* variables and ~/.my.cnf):')
    .option('host', text('Server host [default: $DB_HOST, else localhost]'))
    .option('port', text('Server port [default: $DB_PORT, else 3306]'))
    .option('user', text('Database user [default: $DB_USER, else root]; the password comes from DB_PASSWORD or an option file'))
    .option('database', text('Database [default: $DB_NAME, else jetmon_db]'))
    .option('socket', text('Unix socket to connect through instead of host and port'))
    .option('defaults-file', text('Read [client] and [client-mariadb] from this MySQL option file instead of ~/.my.cnf'))
    .option('ssl-mode', text(`TLS: ${sslModes.join(', ')} [default: preferred]`))
    .option('ssl-ca', text('CA certificate file (PEM)'))
    .option('ssl-cert', text('Client certificate file (PEM)'))
    .option('ssl-key', text('Client key file (PEM)'))
    .option('connect-timeout', text('Seconds to wait for the server to answer', { default: '10' }))
    .option('statement-timeout', text('Per-statement time limit on the server, in seconds (decimals allowed; 0 = none)', { default: '60' }))
    .example('make drift-report RANGE=0-99', 'Report buckets 0 to 99 from the project folder')
    .example('$0 --range 7 --limit 0', 'Report bucket 7 and list every drifting site')
    .example('$0 --range 0-99 --format json > drift.json; [ $? -le 1 ] && jq .drift_count drift.json', 'Gate a script on the JSON report and its exit status')
    .example('JETMON_CONFIG=/etc/jetmon/config.json $0 --output=json', 'On a pinned host: report its pinned bucket range, as the monitor would')
    .example('$0 --range 0-99 --limit 0 --format json --out before.json; $0 --range 0-99 --baseline before.json', 'Compare with an earlier report after a repair')
    .example('$0 --defaults-file ~/.replica.cnf --range 0-99 --format markdown --out drift.md', 'Read credentials from an option file and write Markdown')
    .epilog(
      [
        'Environment: DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, DB_NAME (below the connection options,',
        'above ~/.my.cnf); BUCKET_TOTAL; JETMON_CONFIG (the monitor\'s JSON config, default config/config.json);',
        'NO_COLOR (no colour on stderr).',
        'Exit status: 0 no drift, 1 drift found, 2 bad usage or configuration (nothing queried),',
        '3 could not check (connection, authentication, missing table, query error or timeout),',
        '130 interrupted by Ctrl-C (SIGINT) or 143 by SIGTERM (the query on the server is cancelled, no report written).',
      ].join('\n'),
    )
    .strict()
    .parserConfiguration({ 'duplicate-arguments-array': false, 'parse-numbers': false, 'parse-positional-numbers': false })
    .exitProcess(false)
    .wrap(null)
    .help()
    .version()
    .fail((message, error) => {
      const reason = message ?? error?.message ?? 'invalid command line';
      throw new UsageError(`${reason.charAt(0).toLowerCase()}${reason.slice(1)}; see --help`);
    });
}

/** The bucket total: --bucket-total, else $BUCKET_TOTAL, else the config's BUCKET_TOTAL, else 1000. */
function bucketTotalOf(flag: string | undefined, env: NodeJS.ProcessEnv, fromConfig: number | undefined): number {
  const [text, source] =
    flag !== undefined
      ? [flag, '--bucket-total']
      : env.BUCKET_TOTAL !== undefined && env.BUCKET_TOTAL !== ''
        ? [env.BUCKET_TOTAL, 'BUCKET_TOTAL']
        : [String(fromConfig ?? DEFAULT_BUCKET_TOTAL), "the config's BUCKET_TOTAL"];
  return parseCount(text, source, { min: 1, max: MAX_BUCKET_TOTAL });
}

/** The range: --range, else --bucket-min/--bucket-max, else the pinned range, else every bucket. */
function rangeOf(
  args: { range?: string | undefined; 'bucket-min'?: string | undefined; 'bucket-max'?: string | undefined },
  bucketTotal: number,
  pinned: BucketRange | undefined,
  configPath: string | null,
): BucketRange {
  const min = args['bucket-min'];
  const max = args['bucket-max'];
  if (args.range !== undefined && (min !== undefined || max !== undefined)) {
    throw new UsageError('give either --range or --bucket-min/--bucket-max, not both');
  }
  if (args.range !== undefined) return parseBucketRange(args.range, bucketTotal);
  if (min !== undefined || max !== undefined) {
    if (min === undefined || max === undefined) throw new UsageError('--bucket-min and --bucket-max must be set together');
    const bucketMin = parseCount(min, '--bucket-min');
    const bucketMax = parseCount(max, '--bucket-max');
    return parseBucketRange(`${bucketMin}-${bucketMax}`, bucketTotal);
  }
  if (pinned) {
    if (pinned.bucketMax >= bucketTotal) {
      throw new UsageError(
        `config ${configPath}: the pinned range ${pinned.bucketMin}-${pinned.bucketMax} reaches past BUCKET_TOTAL=${bucketTotal}; fix the config or give --range`,
      );
    }
    return pinned;
  }
  return { bucketMin: 0, bucketMax: bucketTotal - 1 };
}

/** Parses and validates the command line; throws UsageError (exit 2) before anything is queried. */
export async function parseCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<ParsedCommand> {
  let output = '';
  const args = await buildParser(argv).parseAsync(argv, {}, (error, _argv, text) => {
    if (error) throw new UsageError(error.message);
    output = text;
  });
  if (args.help || args.version) return { kind: 'done', output };
  const format = args.format as Format;
  if (!formats.includes(format)) {
    throw new UsageError(`invalid --format "${args.format}": use one of ${formats.join(', ')}`);
  }
  const config = readMonitorConfig(env);
  const bucketTotal = bucketTotalOf(args['bucket-total'], env, config.bucketTotal);
  const connection: ConnectionFlags = {};
  for (const name of connectionOptionNames) connection[name] = args[name];
  const range = rangeOf(args, bucketTotal, config.pinned, config.path);
  const fromConfig = config.pinned === range;
  return {
    kind: 'report',
    options: {
      range,
      bucketTotal,
      rowLimit: parseCount(args.limit, '--limit'),
      summaryLimit: parseCount(args['summary-limit'], '--summary-limit'),
      format,
      out: args.out === undefined ? undefined : checkedOutPath(args.out),
      baseline: args.baseline,
      limits: {
        connectTimeoutMs: Math.ceil(parseSeconds(args['connect-timeout'], '--connect-timeout') * 1000),
        statementTimeoutSeconds: parseSeconds(args['statement-timeout'], '--statement-timeout', { allowZero: true }),
      },
      connection,
      notices: fromConfig ? [`using the pinned range ${range.bucketMin}-${range.bucketMax} from ${config.path}`] : [],
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
    (arg, i) =>
      arg === '--format=json' || arg === '--output=json' || ((arg === '--format' || arg === '--output') && argv[i + 1] === 'json'),
  );
}

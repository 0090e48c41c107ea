import type { Argv } from 'yargs';
import { checkBucketRange, parseBucketRange, parseCount, parseDurationMs, type BucketRange } from './bucket_range.js';
import { sslModes, type ConnectionFlags, type ConnectionLimits } from './db_config.js';
import { UsageError } from '../errors.js';
import { readMonitorConfig } from './monitor_config.js';

/** The report formats, each a folder of templates under templates/. */
export const formats = ['text', 'markdown', 'json'] as const;

/** A report format name. */
export type Format = (typeof formats)[number];

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
  /** With --recheck: milliseconds to wait after the report's snapshot before re-checking every drifting site; 0 for no re-check. */
  recheckMs: number;
  /** Whether to read the evidence of the listed sites (false with --no-evidence). */
  evidence: boolean;
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

/** How yargs reads values: every value a string, the last of a repeated option wins. */
const parserConfiguration = { 'duplicate-arguments-array': false, 'parse-numbers': false, 'parse-positional-numbers': false } as const;

/**
 * Defaults of the options that have one, applied after parsing: yargs would hand a bare `--format`
 * its default, where it must be refused as an empty value.
 */
const optionDefaults = { limit: '50', 'summary-limit': '20', format: 'text', 'connect-timeout': '10', 'statement-timeout': '60' } as const;

const connectionOptionNames = ['host', 'port', 'user', 'database', 'socket', 'ssl-ca', 'ssl-cert', 'ssl-key', 'ssl-mode', 'defaults-file'] as const;

/** Every option that takes a value, by the name yargs gives its value (`--output` is an alias of --format). */
export const valueOptionNames = [
  'range',
  'bucket-min',
  'bucket-max',
  'bucket-total',
  'limit',
  'summary-limit',
  'format',
  'out',
  'baseline',
  'recheck',
  ...connectionOptionNames,
  'connect-timeout',
  'statement-timeout',
] as const;

/** The option values of a command line, as yargs parses them: each a string, or undefined when not given. */
type OptionValues = { [name in (typeof valueOptionNames)[number]]?: string | undefined };

/** A parsed command line: the option values, the words that are not options, and whether help or the version was asked for. */
interface ParsedArguments extends OptionValues {
  _: (string | number)[];
  evidence?: boolean;
  help?: unknown;
  version?: unknown;
}

/** yargs, loaded when a command line is first parsed (the bundle evaluates it only then). */
let yargsModule: Promise<typeof import('yargs')> | undefined;
const loadYargs = async (): Promise<typeof import('yargs').default> => (await (yargsModule ??= import('yargs'))).default;

function buildParser(yargs: typeof import('yargs').default, argv: string[]): Argv<OptionValues> {
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
    .group(['range', 'bucket-min', 'bucket-max', 'bucket-total', 'limit', 'summary-limit', 'format', 'out', 'baseline', 'recheck', 'evidence'], 'Report:')
    .option('range', text('Inclusive bucket range A-B, or one bucket A [default: the pinned range, else 0..BUCKET_TOTAL-1]'))
    .option('bucket-min', text('First bucket (the monitor\'s flag; set with --bucket-max)'))
    .option('bucket-max', text('Last bucket (the monitor\'s flag; set with --bucket-min)'))
    .option('bucket-total', text(`Number of buckets [default: $BUCKET_TOTAL, else the config's BUCKET_TOTAL, else ${DEFAULT_BUCKET_TOTAL}]`))
    .option('limit', text('Drift rows to list; 0 lists every row', { defaultDescription: optionDefaults.limit }))
    .option('summary-limit', text('Summary groups to show; 0 shows all', { defaultDescription: optionDefaults['summary-limit'] }))
    .option('format', text(`Report format: ${formats.join(', ')}`, { defaultDescription: optionDefaults.format, alias: 'output' }))
    .option('out', text('Write the report here instead of stdout: a file is replaced atomically (links followed), a device or FIFO written in place'))
    .option('baseline', text('An earlier JSON report of the same range: say what is new, resolved and persisting (save it with --limit 0 for an exact comparison)'))
    .option(
      'recheck',
      text('Seconds to wait after the report\'s snapshot, then re-check every drifting site in a new one and label it persistent, changed or cleared; exit 0 when all cleared (decimals allowed; 0 = no re-check)'),
    )
    .option('evidence', {
      type: 'boolean',
      default: true,
      describe: 'Read the evidence of every listed site; --no-evidence leaves it out (a complete listing saved for --baseline needs none, and reads much faster)',
    })
    .group([...connectionOptionNames, 'connect-timeout', 'statement-timeout'], 'Connection (above DB_* variables and ~/.my.cnf):')
    .option('host', text('Server host [default: $DB_HOST, else localhost]'))
    .option('port', text('Server port [default: $DB_PORT, else 3306]'))
    .option('user', text('Database user [default: $DB_USER, else root]; the password comes from DB_PASSWORD or an option file'))
    .option('database', text('Database [default: $DB_NAME, else jetmon_db]'))
    .option('socket', text('Unix socket to connect through (a --host other than localhost means TCP instead, as with the mysql client)'))
    .option('defaults-file', text('Read [client] and [client-mariadb] from this MySQL option file instead of ~/.my.cnf'))
    .option('ssl-mode', text(`TLS: ${sslModes.join(', ')} [default: preferred]`))
    .option('ssl-ca', text('CA certificate file (PEM)'))
    .option('ssl-cert', text('Client certificate file (PEM)'))
    .option('ssl-key', text('Client key file (PEM)'))
    .option('connect-timeout', text('Seconds to wait for the server to answer', { defaultDescription: optionDefaults['connect-timeout'] }))
    .option(
      'statement-timeout',
      text('Per-statement time limit on the server, in seconds (decimals allowed; 0 = none)', { defaultDescription: optionDefaults['statement-timeout'] }),
    )
    .example('make drift-report RANGE=0-99', 'Report buckets 0 to 99 from the project folder')
    .example('$0 --range 7 --limit 0', 'Report bucket 7 and list every drifting site')
    .example('$0 --range 0-99 --format json > drift.json; [ $? -le 1 ] && jq .drift_count drift.json', 'Gate a script on the JSON report and its exit status')
    .example('JETMON_CONFIG=/etc/jetmon/config.json $0 --output=json', 'On a pinned host: report its pinned bucket range, as the monitor would')
    .example('$0 --range 0-99 --limit 0 --no-evidence --format json --out before.json; $0 --range 0-99 --baseline before.json', 'Compare with an earlier report after a repair')
    .example('$0 --range 0-99 --recheck 30', 'Tell transient drift from persistent drift: re-check 30 seconds later, exit 1 only if some persists')
    .example('$0 --defaults-file ~/.replica.cnf --range 0-99 --format markdown --out drift.md', 'Read credentials from an option file and write Markdown')
    .epilog(
      [
        'Environment: DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, DB_NAME (below the connection options,',
        'above ~/.my.cnf); BUCKET_TOTAL; JETMON_CONFIG (the monitor\'s JSON config, default config/config.json);',
        'NO_COLOR (no colour on stderr).',
        'Exit status: 0 no drift, 1 drift found, 2 bad usage or configuration (nothing queried),',
        '3 could not check (connection, authentication, missing table, query error or timeout),',
        '130 interrupted by Ctrl-C (SIGINT) or 143 by SIGTERM (the query on the server is cancelled, no report written).',
        'With --recheck: 0 also when every drifting site cleared on the re-check, 1 only when some persisted or changed.',
      ].join('\n'),
    )
    .strict()
    .parserConfiguration(parserConfiguration)
    .exitProcess(false)
    .wrap(null)
    .help()
    .version()
    .fail((message, error) => {
      const reason = message ?? error?.message ?? 'invalid command line';
      throw new UsageError(`${reason.charAt(0).toLowerCase()}${reason.slice(1)}; see --help`);
    }) as Argv<OptionValues>;
}

/** The command line as yargs reads it; help and version text end up in `output`. */
async function yargsArguments(argv: string[]): Promise<{ args: ParsedArguments; output: string }> {
  let output = '';
  const parser = buildParser(await loadYargs(), argv);
  const args = await parser.parseAsync(argv, {}, (error, _argv, text) => {
    if (error) throw new UsageError(error.message);
    output = text;
  });
  return { args, output };
}

/** The bucket total: --bucket-total, else $BUCKET_TOTAL, else the config's BUCKET_TOTAL, else 1000. */
function bucketTotalOf(flag: string | undefined, env: NodeJS.ProcessEnv, fromConfig: { bucketTotal: number; path: string } | undefined): number {
  const [text, source] =
    flag !== undefined
      ? [flag, '--bucket-total']
      : env.BUCKET_TOTAL !== undefined && env.BUCKET_TOTAL !== ''
        ? [env.BUCKET_TOTAL, 'BUCKET_TOTAL']
        : fromConfig !== undefined
          ? [String(fromConfig.bucketTotal), `BUCKET_TOTAL in ${fromConfig.path}`]
          : [String(DEFAULT_BUCKET_TOTAL), 'the default BUCKET_TOTAL'];
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
    const range = { bucketMin: parseCount(min, '--bucket-min'), bucketMax: parseCount(max, '--bucket-max') };
    return checkBucketRange(range, bucketTotal, `--bucket-min ${min} --bucket-max ${max}`);
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
  const { args, output } = await yargsArguments(argv);
  if (args.help || args.version) return { kind: 'done', output };
  if (args._.length > 0) {
    throw new UsageError(`unexpected argument "${String(args._[0])}": options only, nothing after "--" is read; see --help`);
  }
  const spelled = optionSpellings(argv);
  // yargs reads any value but `true` given to a boolean flag as false: --evidence=yes must not turn the evidence off.
  const evidenceValue = argv.find((arg) => /^--evidence=(?!(true|false)$)/.test(arg));
  if (evidenceValue !== undefined) throw new UsageError(`invalid ${evidenceValue}: use --evidence or --no-evidence (or --evidence=true|false)`);
  for (const [name, value] of Object.entries(args)) {
    if (value === '' && spelled[name] !== undefined) throw new UsageError(`${spelled[name]} needs a value; see --help`);
  }
  const given = { ...optionDefaults, ...Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined)) };
  const format = given.format as Format;
  if (!formats.includes(format)) {
    throw new UsageError(`invalid --format "${given.format}": use one of ${formats.join(', ')}`);
  }
  const config = await readMonitorConfig(env);
  const bucketTotal = bucketTotalOf(
    args['bucket-total'],
    env,
    config.bucketTotal === undefined || config.path === null ? undefined : { bucketTotal: config.bucketTotal, path: config.path },
  );
  const connection: ConnectionFlags = {};
  for (const name of connectionOptionNames) connection[name] = args[name];
  const range = rangeOf(args, bucketTotal, config.pinned, config.path);
  const fromConfig = config.pinned === range;
  return {
    kind: 'report',
    options: {
      range,
      bucketTotal,
      rowLimit: parseCount(given.limit, '--limit'),
      summaryLimit: parseCount(given['summary-limit'], '--summary-limit'),
      format,
      out: args.out,
      baseline: args.baseline,
      recheckMs: args.recheck === undefined ? 0 : parseDurationMs(args.recheck, '--recheck', { allowZero: true, zeroMeans: 'no re-check' }),
      evidence: args.evidence !== false,
      limits: {
        connectTimeoutMs: parseDurationMs(given['connect-timeout'], '--connect-timeout'),
        statementTimeoutMs: parseDurationMs(given['statement-timeout'], '--statement-timeout', { allowZero: true }),
      },
      connection,
      notices: fromConfig ? [`using the pinned range ${range.bucketMin}-${range.bucketMax} from ${config.path}`] : [],
    },
  };
}

/** The options a command line spells out, by name: `--output` when that is how the format was given. */
function optionSpellings(argv: readonly string[]): Record<string, string> {
  const spelled: Record<string, string> = {};
  for (const arg of argv) {
    const flag = /^--([a-z][a-z-]*)(?:=|$)/.exec(arg)?.[1];
    if (flag !== undefined) spelled[flag === 'output' ? 'format' : flag] = `--${flag}`;
  }
  return spelled;
}

/**
 * What a failed run's command line asked for, read without validating it (the same parser, so the
 * last of `--format`/`--output` wins as in a report): a JSON failure document goes to stdout when
 * the format is json and no --out file was named.
 */
export async function asksForJsonOnStdout(argv: readonly string[]): Promise<boolean> {
  try {
    const yargs = await loadYargs();
    const args = yargs([...argv])
      .help(false)
      .version(false)
      .option('format', { type: 'string', alias: 'output' })
      .option('out', { type: 'string' })
      .parserConfiguration(parserConfiguration)
      .exitProcess(false)
      .parseSync();
    return args.format === 'json' && (args.out === undefined || args.out === '');
  } catch {
    return false;
  }
}

import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { BucketRange } from './bucket_range.js';

/** The parts of the monitor's JSON config this tool honours. */
export interface MonitorConfig {
  /** The file it came from, or null when the default file does not exist. */
  path: string | null;
  bucketTotal: number | undefined;
  /** The range a pinned host owns during the migration, if any. */
  pinned: BucketRange | undefined;
}

/** The monitor's default config path, relative to the working directory. */
const DEFAULT_CONFIG_PATH = 'config/config.json';

/** The parts of lossless-json the config reader uses; loaded only when a config file exists. */
type LosslessJson = Pick<typeof import('lossless-json'), 'isLosslessNumber' | 'parse' | 'stringify'>;

/** A whole-number setting, checked on the number as written (so `1e400` is named as such, not as Infinity). */
function bucketNumber(json: LosslessJson, document: Record<string, unknown>, key: string, path: string): number | undefined {
  const value = document[key];
  if (value === undefined || value === null) return undefined;
  const written = json.isLosslessNumber(value) ? value.value : undefined;
  if (written === undefined || !/^\d+$/.test(written) || !Number.isSafeInteger(Number(written))) {
    throw new UsageError(`config ${path}: ${key} must be a non-negative whole number, not ${written ?? json.stringify(value)}`);
  }
  return Number(written);
}

/** One pair of range keys, validated as the monitor does: both or neither, min <= max. */
function pinnedPair(json: LosslessJson, document: Record<string, unknown>, minKey: string, maxKey: string, path: string): BucketRange | undefined {
  const bucketMin = bucketNumber(json, document, minKey, path);
  const bucketMax = bucketNumber(json, document, maxKey, path);
  if (bucketMin === undefined && bucketMax === undefined) return undefined;
  if (bucketMin === undefined || bucketMax === undefined) {
    throw new UsageError(`config ${path}: ${minKey} and ${maxKey} must be set together`);
  }
  if (bucketMin > bucketMax) throw new UsageError(`config ${path}: ${minKey} (${bucketMin}) is greater than ${maxKey} (${bucketMax})`);
  return { bucketMin, bucketMax };
}

/**
 * Reads the monitor's config named by JETMON_CONFIG (default config/config.json): BUCKET_TOTAL and the
 * pinned range (PINNED_BUCKET_MIN/MAX, or the older BUCKET_NO_MIN/MAX; both pairs must agree).
 * A missing default file is fine; a named file that is missing or unreadable, or invalid JSON, is exit 2.
 */
export async function readMonitorConfig(env: NodeJS.ProcessEnv): Promise<MonitorConfig> {
  const named = env.JETMON_CONFIG !== undefined && env.JETMON_CONFIG !== '';
  const path = named ? env.JETMON_CONFIG! : DEFAULT_CONFIG_PATH;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!named && code === 'ENOENT') return { path: null, bucketTotal: undefined, pinned: undefined };
    throw new UsageError(`cannot read monitor config ${path} (${code ?? 'error'}); check JETMON_CONFIG`);
  }
  const json: LosslessJson = await import('lossless-json');
  let document: unknown;
  try {
    document = json.parse(text); // numbers keep their digits as written
  } catch (error) {
    throw new UsageError(`monitor config ${path} is not valid JSON (${(error as Error).message}); fix the file or JETMON_CONFIG`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new UsageError(`monitor config ${path} must hold a JSON object`);
  }
  const fields = document as Record<string, unknown>;
  const bucketTotal = bucketNumber(json, fields, 'BUCKET_TOTAL', path);
  if (bucketTotal === 0) throw new UsageError(`config ${path}: BUCKET_TOTAL must be at least 1`);
  const pinned = pinnedPair(json, fields, 'PINNED_BUCKET_MIN', 'PINNED_BUCKET_MAX', path);
  const legacy = pinnedPair(json, fields, 'BUCKET_NO_MIN', 'BUCKET_NO_MAX', path);
  if (pinned && legacy && (pinned.bucketMin !== legacy.bucketMin || pinned.bucketMax !== legacy.bucketMax)) {
    throw new UsageError(
      `config ${path}: PINNED_BUCKET_MIN/MAX (${pinned.bucketMin}-${pinned.bucketMax}) and BUCKET_NO_MIN/MAX (${legacy.bucketMin}-${legacy.bucketMax}) disagree; keep one pair`,
    );
  }
  return { path, bucketTotal, pinned: pinned ?? legacy };
}

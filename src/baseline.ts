import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseLossless } from 'lossless-json';
import { UsageError } from './errors.js';
import { packageRoot } from './paths.js';
import type { DriftRow } from './drift_results.js';

/** A row's place in the report order: bucket, then blog_id (exact). */
interface RowKey {
  bucket: number;
  blogId: bigint;
}

const before = (a: RowKey, b: RowKey) => a.bucket < b.bucket || (a.bucket === b.bucket && a.blogId < b.blogId);
const atOrBefore = (a: RowKey, bound: RowKey | null) => bound === null || !before(bound, a);

/** An earlier JSON report of the same range: its listed rows by blog_id, and how far its listing reached. */
export interface Baseline {
  path: string;
  generatedAt: string;
  /** blog_id -> the place and cause of its first listed row. */
  rows: Map<string, { key: RowKey; cause: string }>;
  /** The last listed row when the listing was truncated; null when it listed every drifting site. */
  bound: RowKey | null;
  /** Cause totals over all groups (complete even when rows were truncated). */
  causeCounts: Map<string, number>;
}

/** What changed since the baseline, over the rows both reports listed. */
export interface BaselineComparison {
  generatedAt: string;
  new: number;
  resolved: number;
  persisting: number;
  causeChanged: number;
  /** True when either report left rows out, so only what both listed was compared. */
  partial: boolean;
  newBlogIds: string[];
  resolvedBlogIds: string[];
  /** Per cause: current count minus the baseline's. */
  causeDeltas: Map<string, number>;
}

let reportSchema: ((document: unknown) => boolean) | undefined;

/** Compiles docs/report.schema.json once, on first use, so only runs with --baseline pay for it. */
async function validReport(document: unknown): Promise<boolean> {
  if (!reportSchema) {
    const { default: Ajv2020 } = await import('ajv/dist/2020.js');
    const schema = JSON.parse(readFileSync(join(packageRoot, 'docs', 'report.schema.json'), 'utf8'));
    reportSchema = new Ajv2020.default({ strict: true }).compile(schema);
  }
  return reportSchema(document);
}

/**
 * Reads an earlier JSON report (schema version 1) of the same range: exit 2 with a clear line when it is
 * unreadable, not a report, another schema version, a failure document or another range.
 */
export async function loadBaseline(path: string, range: { bucketMin: number; bucketMax: number }): Promise<Baseline> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --baseline ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path`);
  }
  let shape: any;
  try {
    shape = JSON.parse(text);
  } catch {
    throw new UsageError(`--baseline ${path} is not JSON; give a report saved with --format json`);
  }
  if (shape?.report !== 'projection-drift') {
    throw new UsageError(`--baseline ${path} is not a projection-drift report; give a report saved with --format json`);
  }
  if (shape.schema_version !== 1) {
    throw new UsageError(`--baseline ${path} has schema version ${JSON.stringify(shape.schema_version)}; this tool reads version 1`);
  }
  if (shape.error !== undefined) {
    throw new UsageError(`--baseline ${path} records a run that failed (${String(shape.error?.message ?? 'no report')}); use a completed report`);
  }
  if (!(await validReport(shape))) throw new UsageError(`--baseline ${path} does not match the report schema (docs/report.schema.json); it may be damaged`);
  if (shape.range.bucket_min !== range.bucketMin || shape.range.bucket_max !== range.bucketMax) {
    throw new UsageError(
      `--baseline ${path} covers buckets ${shape.range.bucket_min}-${shape.range.bucket_max}, this report ${range.bucketMin}-${range.bucketMax}; compare reports of the same range`,
    );
  }
  // A second, lossless read for the ids: JSON.parse rounds those past 2^53.
  const exact = parseLossless(text, null, (digits) => digits) as { rows: { blog_id: string; bucket: string; cause: string }[] };
  const rows = new Map<string, { key: RowKey; cause: string }>();
  let last: RowKey | null = null;
  for (const row of exact.rows) {
    const key = { bucket: Number(row.bucket), blogId: BigInt(row.blog_id) };
    if (!rows.has(row.blog_id)) rows.set(row.blog_id, { key, cause: row.cause });
    last = key;
  }
  return {
    path,
    generatedAt: shape.generated_at,
    rows,
    bound: shape.rows_truncated > 0 ? last : null,
    causeCounts: new Map(shape.causes.map((c: { cause: string; count: number }) => [c.cause, c.count])),
  };
}

/** Follows the current rows as they stream and compares them with the baseline, keyed by blog_id. */
export class BaselineTracker {
  #seen = new Set<string>();
  #newIds: string[] = [];
  #persisting = 0;
  #causeChanged = 0;
  #last: RowKey | null = null;

  constructor(private readonly baseline: Baseline) {}

  /** Records one current row; true when it is new since the baseline (within what the baseline listed). */
  observe(row: DriftRow): boolean {
    const key = { bucket: row.bucket, blogId: BigInt(row.blogId) };
    this.#last = key;
    if (!atOrBefore(key, this.baseline.bound) || this.#seen.has(row.blogId)) return false;
    this.#seen.add(row.blogId);
    const earlier = this.baseline.rows.get(row.blogId);
    if (earlier === undefined) {
      this.#newIds.push(row.blogId);
      return true;
    }
    this.#persisting++;
    if (earlier.cause !== row.cause) this.#causeChanged++;
    return false;
  }

  /** The comparison, once every current row was observed; `truncated` says whether the current listing left rows out. */
  finish(truncated: boolean, causes: readonly { cause: string; count: number }[]): BaselineComparison {
    const currentBound = truncated ? this.#last : null;
    const resolvedIds = [...this.baseline.rows.entries()]
      .filter(([blogId, { key }]) => !this.#seen.has(blogId) && atOrBefore(key, currentBound))
      .map(([blogId]) => blogId);
    const ascending = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
    return {
      generatedAt: this.baseline.generatedAt,
      new: this.#newIds.length,
      resolved: resolvedIds.length,
      persisting: this.#persisting,
      causeChanged: this.#causeChanged,
      partial: truncated || this.baseline.bound !== null,
      newBlogIds: [...this.#newIds].sort(ascending),
      resolvedBlogIds: resolvedIds.sort(ascending),
      causeDeltas: new Map(causes.map(({ cause, count }) => [cause, count - (this.baseline.causeCounts.get(cause) ?? 0)])),
    };
  }
}

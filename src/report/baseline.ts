import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseJson } from 'lossless-json';
import { UsageError } from '../errors.js';
import { packageRoot } from '../paths.js';
import type { DriftRow } from './drift_results.js';

/** A row's place in the report order: bucket, then blog_id (exact). */
interface RowKey {
  bucket: number;
  blogId: bigint;
}

const before = (a: RowKey, b: RowKey) => a.bucket < b.bucket || (a.bucket === b.bucket && a.blogId < b.blogId);
const atOrBefore = (a: RowKey, bound: RowKey | null) => bound === null || !before(bound, a);

/** What a baseline listed for one blog: where its first row stood, and the causes of its rows. */
interface ListedBlog {
  /** The bucket of its first listed row (the listing is in bucket order). */
  bucket: number;
  /** The distinct causes of its listed rows: one for almost every blog. */
  causes: string[];
}

/** An earlier JSON report of the same range: its listed blogs (a blog may have several site rows), and how far it listed. */
export interface Baseline {
  path: string;
  generatedAt: string;
  /** blog_id (exact decimal digits) -> what the baseline listed for that blog. */
  blogs: Map<string, ListedBlog>;
  /** The last listed row when the listing was truncated; null when it listed every drifting site. */
  bound: RowKey | null;
  /** Cause totals over all groups (complete even when rows were truncated). */
  causeCounts: Map<string, number>;
}

/** What changed since the baseline, in blogs, over the part of the listing both reports cover. */
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

/**
 * A JSON number as JSON.parse reads it, except an integer past 2^53, which stays exact as a bigint
 * (only ids go that far: BIGINT UNSIGNED reaches 18446744073709551615).
 */
function exactNumber(text: string): number | bigint {
  const value = Number(text);
  return Number.isSafeInteger(value) || !/^-?\d+$/.test(text) ? value : BigInt(text);
}

/** A parsed JSON value as it reads in a message (bigints included, which JSON.stringify refuses). */
const shown = (value: unknown) => (typeof value === 'bigint' ? String(value) : JSON.stringify(value));

let reportSchema: ((document: unknown) => boolean) | undefined;

/**
 * Checks a parsed report against docs/report.schema.json, compiled on first use. JSON Schema has no
 * bigint type: where the schema asks for an id a non-negative bigint passes; anywhere else it fails.
 */
async function validReport(document: unknown): Promise<boolean> {
  if (!reportSchema) {
    const { default: Ajv2020 } = await import('ajv/dist/2020.js');
    const schema = JSON.parse(readFileSync(join(packageRoot, 'docs', 'report.schema.json'), 'utf8'));
    schema.$defs.id = { anyOf: [schema.$defs.id, { exactId: true }] };
    const ajv = new Ajv2020.default({ strict: true });
    ajv.addKeyword({ keyword: 'exactId', schemaType: 'boolean', errors: false, validate: (_: boolean, data: unknown) => typeof data === 'bigint' && data >= 0n });
    reportSchema = ajv.compile(schema);
  }
  return reportSchema(document);
}

/** The fields of a schema-checked report that the comparison reads. */
interface ReportDocument {
  generated_at: string;
  range: { bucket_min: number; bucket_max: number };
  causes: { cause: string; count: number }[];
  rows: { blog_id: number | bigint; bucket: number; cause: string }[];
  rows_truncated: number;
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
    shape = parseJson(text, null, exactNumber);
  } catch {
    throw new UsageError(`--baseline ${path} is not JSON; give a report saved with --format json`);
  }
  if (shape?.report !== 'projection-drift') {
    throw new UsageError(`--baseline ${path} is not a projection-drift report; give a report saved with --format json`);
  }
  if (shape.schema_version !== 1) {
    throw new UsageError(`--baseline ${path} has schema version ${shown(shape.schema_version)}; this tool reads version 1`);
  }
  if (shape.error !== undefined) {
    throw new UsageError(`--baseline ${path} records a run that failed (${String(shape.error?.message ?? 'no report')}); use a completed report`);
  }
  if (!(await validReport(shape))) throw new UsageError(`--baseline ${path} does not match the report schema (docs/report.schema.json); it may be damaged`);
  const report = shape as ReportDocument;
  if (report.range.bucket_min !== range.bucketMin || report.range.bucket_max !== range.bucketMax) {
    throw new UsageError(
      `--baseline ${path} covers buckets ${report.range.bucket_min}-${report.range.bucket_max}, this report ${range.bucketMin}-${range.bucketMax}; compare reports of the same range`,
    );
  }
  const blogs = new Map<string, ListedBlog>();
  // The parser builds strings piece by piece (about 1 KB a cause): keep one copy of each cause.
  const knownCauses = new Map<string, string>();
  for (const row of report.rows) {
    const blogId = String(row.blog_id);
    let cause = knownCauses.get(row.cause);
    if (cause === undefined) knownCauses.set(row.cause, (cause = row.cause));
    const listed = blogs.get(blogId);
    if (listed === undefined) blogs.set(blogId, { bucket: row.bucket, causes: [cause] });
    else if (!listed.causes.includes(cause)) listed.causes.push(cause);
  }
  const last = report.rows.at(-1);
  return {
    path,
    generatedAt: report.generated_at,
    blogs,
    bound: report.rows_truncated > 0 && last !== undefined ? { bucket: last.bucket, blogId: BigInt(last.blog_id) } : null,
    causeCounts: new Map(report.causes.map((c) => [c.cause, c.count])),
  };
}

/**
 * Compares the current rows, as they stream, with the baseline by blog_id; a blog counts once however
 * many of its rows drift (README, "Comparing with an earlier report"). When either listing was
 * truncated, only the rows up to where it stopped take part.
 */
export class BaselineTracker {
  /** Blogs seen so far: listed in both, listed in both with a cause none of their rows had, listed only now. */
  #persisting = new Set<string>();
  #causeChanged = new Set<string>();
  #new = new Set<string>();
  #last: RowKey | null = null;

  constructor(private readonly baseline: Baseline) {}

  /** Records one current row; true when its blog is new since the baseline (within what the baseline listed). */
  observe(row: DriftRow): boolean {
    const key = { bucket: row.bucket, blogId: BigInt(row.blogId) };
    this.#last = key;
    if (!atOrBefore(key, this.baseline.bound)) return false;
    const earlier = this.baseline.blogs.get(row.blogId);
    if (earlier === undefined) {
      this.#new.add(row.blogId);
      return true;
    }
    this.#persisting.add(row.blogId);
    if (!earlier.causes.includes(row.cause)) this.#causeChanged.add(row.blogId);
    return false;
  }

  /** The comparison, once every current row was observed; `truncated` says whether the current listing left rows out. */
  finish(truncated: boolean, causes: readonly { cause: string; count: number }[]): BaselineComparison {
    const currentBound = truncated ? this.#last : null;
    const resolvedIds: string[] = [];
    for (const [blogId, { bucket }] of this.baseline.blogs) {
      if (!this.#persisting.has(blogId) && atOrBefore({ bucket, blogId: BigInt(blogId) }, currentBound)) resolvedIds.push(blogId);
    }
    const ascending = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
    return {
      generatedAt: this.baseline.generatedAt,
      new: this.#new.size,
      resolved: resolvedIds.length,
      persisting: this.#persisting.size,
      causeChanged: this.#causeChanged.size,
      partial: truncated || this.baseline.bound !== null,
      newBlogIds: [...this.#new].sort(ascending),
      resolvedBlogIds: resolvedIds.sort(ascending),
      causeDeltas: new Map(causes.map(({ cause, count }) => [cause, count - (this.baseline.causeCounts.get(cause) ?? 0)])),
    };
  }
}

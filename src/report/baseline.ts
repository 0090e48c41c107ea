import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { packageRoot } from '../paths.js';
import type { DriftRow } from './drift_results.js';
import { JsonReadError, JsonSyntaxError, readJsonWithRows } from './json_stream.js';
import { FIRST_CAUSE_CHANGE, FIRST_SEEN, ListedBlogs, UNLISTED } from './listed_blogs.js';

/** A row's place in the report order: bucket, then blog_id (exact). */
interface RowKey {
  bucket: number;
  blogId: bigint;
}

const before = (a: RowKey, b: RowKey) => a.bucket < b.bucket || (a.bucket === b.bucket && a.blogId < b.blogId);
const atOrBefore = (a: RowKey, bound: RowKey | null) => bound === null || !before(bound, a);

/** An earlier JSON report of the same range: its listed blogs (a blog may have several site rows), and how far it listed. */
export interface Baseline {
  path: string;
  generatedAt: string;
  /** The listed blogs: each one's first bucket and causes (the comparison marks the ones it sees again). */
  blogs: ListedBlogs;
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

/** The report schema's checks: the whole document, and one element of its rows. */
interface ReportChecks {
  document: (document: unknown) => boolean;
  row: (row: unknown) => boolean;
}

let reportChecks: ReportChecks | undefined;

/**
 * Compiles docs/report.schema.json on first use. JSON Schema has no bigint type: where the schema asks
 * for an id a non-negative bigint passes; anywhere else it fails.
 */
async function schemaChecks(): Promise<ReportChecks> {
  if (!reportChecks) {
    const { default: Ajv2020 } = await import('ajv/dist/2020.js');
    const schema = JSON.parse(readFileSync(join(packageRoot, 'docs', 'report.schema.json'), 'utf8'));
    schema.$defs.id = { anyOf: [schema.$defs.id, { exactId: true }] };
    const ajv = new Ajv2020.default({ strict: true });
    ajv.addKeyword({ keyword: 'exactId', schemaType: 'boolean', errors: false, validate: (_: boolean, data: unknown) => typeof data === 'bigint' && data >= 0n });
    ajv.addSchema(schema);
    reportChecks = { document: ajv.compile({ $ref: schema.$id }), row: ajv.compile({ $ref: `${schema.$id}#/$defs/row` }) };
  }
  return reportChecks;
}

/** The fields of a schema-checked report that the comparison reads (its rows were read as they streamed). */
interface ReportDocument {
  generated_at: string;
  range: { bucket_min: number; bucket_max: number };
  causes: { cause: string; count: number }[];
  rows_truncated: number;
}

/** A schema-checked row's fields that the comparison reads. */
interface ReportRow {
  blog_id: number | bigint;
  bucket: number;
  cause: string;
}

/**
 * Reads an earlier JSON report (schema version 1) of the same range: exit 2 with a clear line when it is
 * unreadable, not a report, another schema version, a failure document or another range. The file is
 * read as a stream and each row checked and kept as it passes (its blog, bucket and cause), so memory
 * holds the listed blogs, not the document.
 */
export async function loadBaseline(path: string, range: { bucketMin: number; bucketMax: number }): Promise<Baseline> {
  const checks = await schemaChecks();
  const blogs = new ListedBlogs();
  let rowsValid = true;
  let last: RowKey | null = null;
  const keep = (value: unknown) => {
    if (!rowsValid) return;
    if (!checks.row(value)) {
      rowsValid = false;
      return;
    }
    const row = value as ReportRow;
    blogs.add(String(row.blog_id), row.bucket, row.cause);
    last = { bucket: row.bucket, blogId: BigInt(row.blog_id) };
  };
  let shape: any;
  try {
    shape = await readJsonWithRows(path, exactNumber, keep);
  } catch (error) {
    if (error instanceof JsonReadError) throw new UsageError(`cannot read --baseline ${path} (${error.code}); check the path`);
    if (error instanceof JsonSyntaxError) throw new UsageError(`--baseline ${path} is not JSON; give a report saved with --format json`);
    throw error;
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
  // The document was kept with its rows left out (an empty array); each row was checked on its own.
  if (!rowsValid || !checks.document(shape)) {
    throw new UsageError(`--baseline ${path} does not match the report schema (docs/report.schema.json); it may be damaged`);
  }
  const report = shape as ReportDocument;
  if (report.range.bucket_min !== range.bucketMin || report.range.bucket_max !== range.bucketMax) {
    throw new UsageError(
      `--baseline ${path} covers buckets ${report.range.bucket_min}-${report.range.bucket_max}, this report ${range.bucketMin}-${range.bucketMax}; compare reports of the same range`,
    );
  }
  return {
    path,
    generatedAt: report.generated_at,
    blogs,
    bound: report.rows_truncated > 0 ? last : null,
    causeCounts: new Map(report.causes.map((c) => [c.cause, c.count])),
  };
}

/**
 * Compares the current rows, as they stream, with the baseline by blog_id; a blog counts once however
 * many of its rows drift (README, "Comparing with an earlier report"). When either listing was
 * truncated, only the rows up to where it stopped take part. It marks the baseline's blogs as it sees
 * them, so each loaded baseline serves one tracker.
 */
export class BaselineTracker {
  /** Blogs seen so far: listed in both (counted, and marked in the baseline's blogs), and listed only now. */
  #persisting = 0;
  #causeChanged = 0;
  #new = new Set<string>();
  #last: RowKey | null = null;

  constructor(private readonly baseline: Baseline) {}

  /** Records one current row; true when its blog is new since the baseline (within what the baseline listed). */
  observe(row: DriftRow): boolean {
    const key = { bucket: row.bucket, blogId: BigInt(row.blogId) };
    this.#last = key;
    if (!atOrBefore(key, this.baseline.bound)) return false;
    const seen = this.baseline.blogs.see(row.blogId, row.cause);
    if (seen === UNLISTED) {
      this.#new.add(row.blogId);
      return true;
    }
    if (seen & FIRST_SEEN) this.#persisting++;
    if (seen & FIRST_CAUSE_CHANGE) this.#causeChanged++;
    return false;
  }

  /** The comparison, once every current row was observed; `truncated` says whether the current listing left rows out. */
  finish(truncated: boolean, causes: readonly { cause: string; count: number }[]): BaselineComparison {
    const currentBound = truncated ? this.#last : null;
    const resolvedIds: string[] = [];
    for (const { blogId, bucket } of this.baseline.blogs.unseen()) {
      if (atOrBefore({ bucket, blogId: BigInt(blogId) }, currentBound)) resolvedIds.push(blogId);
    }
    const ascending = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
    return {
      generatedAt: this.baseline.generatedAt,
      new: this.#new.size,
      resolved: resolvedIds.length,
      persisting: this.#persisting,
      causeChanged: this.#causeChanged,
      partial: truncated || this.baseline.bound !== null,
      newBlogIds: [...this.#new].sort(ascending),
      resolvedBlogIds: resolvedIds.sort(ascending),
      causeDeltas: new Map(causes.map(({ cause, count }) => [cause, count - (this.baseline.causeCounts.get(cause) ?? 0)])),
    };
  }
}

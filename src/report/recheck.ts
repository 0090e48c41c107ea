import type { DriftRow } from './drift_results.js';

/** What a re-check compares of a drifting site row: where it is in the listing, and how it drifts. */
export type RecheckedRow = Pick<DriftRow, 'blogId' | 'bucket' | 'siteStatus' | 'expectedStatus' | 'cause'>;

/** What a re-check found for one drifting site row of the report's snapshot. */
export type RecheckLabel = 'persistent' | 'changed' | 'cleared';

/** The labels, in the order reports print their counts. */
export const recheckLabels: readonly RecheckLabel[] = ['persistent', 'changed', 'cleared'];

/** A label as stored in the packed record (0: not matched yet, which the end of the re-check turns into cleared). */
const UNMATCHED = 0;
const LABEL_CODES: Record<RecheckLabel, number> = { persistent: 1, changed: 2, cleared: 3 };
const labelOf = (code: number): RecheckLabel => recheckLabels[code - 1] ?? 'cleared';

/** The first capacity of the packed columns; they double as rows arrive. */
const INITIAL_CAPACITY = 1024;

/**
 * The blog ids of one label, in listing order, one per site row (a blog with two drifting site rows of
 * that label appears twice). Read lazily from the packed record, so a report of a million drifting sites
 * holds no million strings; `length` and `slice` serve the templates' `first` and `more` helpers.
 */
export class BlogIdList implements Iterable<string> {
  constructor(
    readonly length: number,
    private readonly read: () => Generator<string>,
  ) {}

  [Symbol.iterator](): Iterator<string> {
    return this.read();
  }

  /** The ids from `start` up to (not including) `end`, as an array. */
  slice(start: number, end: number = this.length): string[] {
    const ids: string[] = [];
    let index = 0;
    for (const id of this) {
      if (index >= end) break;
      if (index++ >= start) ids.push(id);
    }
    return ids;
  }
}

/** The outcome of a re-check, as the report views print it. */
export interface RecheckResult {
  /** Seconds between the report's snapshot and the re-check's, as given to --recheck. */
  afterS: number;
  persistent: number;
  changed: number;
  cleared: number;
  persistentBlogIds: BlogIdList;
  changedBlogIds: BlogIdList;
  clearedBlogIds: BlogIdList;
}

/** A row's place in the listing order: bucket, then blog_id (the report statement then orders by site id). */
function compareKeys(bucketA: number, blogA: bigint, bucketB: number, blogB: bigint): number {
  if (bucketA !== bucketB) return bucketA < bucketB ? -1 : 1;
  return blogA < blogB ? -1 : blogA > blogB ? 1 : 0;
}

/**
 * Every drifting site row of the report's snapshot, in listing order, packed into typed arrays (16 bytes a
 * row: a million drifting sites take 16 MB), then matched against a second snapshot's drifting rows.
 *
 * The pipeline calls it in three steps: `observe` each drifting row of the first snapshot (all of them,
 * not only the listed ones), `match` the second snapshot's drifting rows (the same classification, the
 * same order), then asks `label(index)` of each listed row and `result` for the counts.
 *
 * Rows come ordered by bucket, blog_id, then site id, but the report statement does not return the site
 * id: rows of one blog in one bucket (duplicate site rows) are matched as a group. Within a group, a row of the
 * first snapshot is persistent when the second snapshot has a row of the same blog and bucket with the
 * same site_status, expected_status and cause; the rows left over are paired in order as changed; the
 * first snapshot's rows still left over are cleared. Rows of the second snapshot only (drift that began
 * during the wait) get no label: the next report lists them.
 */
export class Recheck {
  #size = 0;
  #blogIds = new BigUint64Array(INITIAL_CAPACITY);
  #buckets = new Uint16Array(INITIAL_CAPACITY);
  #siteStatuses = new Int16Array(INITIAL_CAPACITY);
  #expectedStatuses = new Uint8Array(INITIAL_CAPACITY);
  #causes = new Uint16Array(INITIAL_CAPACITY);
  #labels = new Uint8Array(INITIAL_CAPACITY);
  readonly #causeNames: string[] = [];
  readonly #causeIndexes = new Map<string, number>();
  #matched = false;

  constructor(readonly afterMs: number) {}

  /** How many drifting site rows the first snapshot had. */
  get size(): number {
    return this.#size;
  }

  /** Records one row of the report's snapshot; rows must come in listing order. */
  observe(row: RecheckedRow): void {
    if (this.#matched) throw new Error('a re-check observed a row after matching');
    const index = this.#size;
    const blogId = BigInt(row.blogId);
    if (index > 0 && compareKeys(this.#buckets[index - 1]!, this.#blogIds[index - 1]!, row.bucket, blogId) > 0) {
      throw new Error(`drift rows out of listing order at blog ${row.blogId}`);
    }
    if (index === this.#blogIds.length) this.#grow();
    this.#blogIds[index] = blogId;
    this.#buckets[index] = row.bucket;
    this.#siteStatuses[index] = row.siteStatus;
    this.#expectedStatuses[index] = row.expectedStatus;
    this.#causes[index] = this.#causeIndex(row.cause);
    this.#size++;
  }

  /**
   * Labels every observed row against the drifting rows of a second snapshot, read once as they stream
   * (in listing order). Memory: the record, plus the second snapshot's rows of one blog and bucket at a time.
   */
  async match(rows: AsyncIterable<RecheckedRow[]> | Iterable<RecheckedRow[]>): Promise<void> {
    const matcher = this.matcher();
    for await (const batch of rows) for (const row of batch) matcher.push(row);
    matcher.end();
  }

  /**
   * The same matching, pushed one row at a time (as the report's reader hands every drifting site to a
   * callback): `push` each row of the second snapshot in listing order, then `end`.
   */
  matcher(): { push(row: RecheckedRow): void; end(): void } {
    if (this.#matched) throw new Error('a re-check was matched twice');
    let next = 0; // the first observed row not yet labelled
    let group: { bucket: number; blogId: bigint; rows: RecheckedRow[] } | undefined;
    const closeGroup = () => {
      if (group) next = this.#matchGroup(next, group.bucket, group.blogId, group.rows);
      group = undefined;
    };
    let previous: { bucket: number; blogId: bigint } | undefined;
    return {
      push: (row) => {
        const blogId = BigInt(row.blogId);
        if (previous && compareKeys(previous.bucket, previous.blogId, row.bucket, blogId) > 0) {
          throw new Error(`re-checked drift rows out of listing order at blog ${row.blogId}`);
        }
        previous = { bucket: row.bucket, blogId };
        if (group && group.bucket === row.bucket && group.blogId === blogId) {
          group.rows.push(row);
          return;
        }
        closeGroup();
        group = { bucket: row.bucket, blogId, rows: [row] };
      },
      end: () => {
        closeGroup();
        this.#matched = true;
        // Whatever no row of the second snapshot matched no longer drifts.
        for (let index = 0; index < this.#size; index++) if (this.#labels[index] === UNMATCHED) this.#labels[index] = LABEL_CODES.cleared;
      },
    };
  }

  /** The label of the `index`-th observed row (0-based, listing order); listed rows are the first ones. */
  label(index: number): RecheckLabel {
    if (!this.#matched) throw new Error('a re-check label was asked for before matching');
    if (index < 0 || index >= this.#size) throw new RangeError(`no drifting row ${index} was observed`);
    return labelOf(this.#labels[index]!);
  }

  /** The counts and blog ids by label; every observed row has exactly one label, so they add up to `size`. */
  result(): RecheckResult {
    if (!this.#matched) throw new Error('a re-check result was asked for before matching');
    const counts = { persistent: 0, changed: 0, cleared: 0 };
    for (let index = 0; index < this.#size; index++) counts[labelOf(this.#labels[index]!)]++;
    const ids = (label: RecheckLabel) => new BlogIdList(counts[label], () => this.#blogIdsLabelled(LABEL_CODES[label]));
    return {
      afterS: this.afterMs / 1000,
      ...counts,
      persistentBlogIds: ids('persistent'),
      changedBlogIds: ids('changed'),
      clearedBlogIds: ids('cleared'),
    };
  }

  /**
   * Labels the observed rows up to and including the group of (`bucket`, `blogId`) against that group's
   * rows in the second snapshot; returns the first observed row after the group. Observed rows before the
   * group stay unmatched (cleared).
   */
  #matchGroup(from: number, bucket: number, blogId: bigint, rows: readonly RecheckedRow[]): number {
    let start = from;
    while (start < this.#size && compareKeys(this.#buckets[start]!, this.#blogIds[start]!, bucket, blogId) < 0) start++;
    let end = start;
    while (end < this.#size && this.#buckets[end] === bucket && this.#blogIds[end] === blogId) end++;
    if (start === end) return start; // drift that began during the wait
    const taken = new Array<boolean>(rows.length).fill(false);
    for (let index = start; index < end; index++) {
      const same = rows.findIndex(
        (row, at) =>
          !taken[at] &&
          row.siteStatus === this.#siteStatuses[index] &&
          row.expectedStatus === this.#expectedStatuses[index] &&
          row.cause === this.#causeNames[this.#causes[index]!],
      );
      if (same < 0) continue;
      taken[same] = true;
      this.#labels[index] = LABEL_CODES.persistent;
    }
    for (let index = start; index < end; index++) {
      if (this.#labels[index] !== UNMATCHED) continue;
      const other = taken.indexOf(false);
      if (other < 0) break;
      taken[other] = true;
      this.#labels[index] = LABEL_CODES.changed;
    }
    return end;
  }

  *#blogIdsLabelled(code: number): Generator<string> {
    for (let index = 0; index < this.#size; index++) if (this.#labels[index] === code) yield String(this.#blogIds[index]);
  }

  #causeIndex(cause: string): number {
    let index = this.#causeIndexes.get(cause);
    if (index === undefined) {
      index = this.#causeNames.push(cause) - 1;
      if (index > 0xffff) throw new Error('more distinct drift causes than a re-check records');
      this.#causeIndexes.set(cause, index);
    }
    return index;
  }

  #grow(): void {
    const capacity = this.#blogIds.length * 2;
    const grown = <A extends { length: number; set(source: A): void }>(make: new (length: number) => A, old: A): A => {
      const array = new make(capacity);
      array.set(old);
      return array;
    };
    this.#blogIds = grown(BigUint64Array, this.#blogIds);
    this.#buckets = grown(Uint16Array, this.#buckets);
    this.#siteStatuses = grown(Int16Array, this.#siteStatuses);
    this.#expectedStatuses = grown(Uint8Array, this.#expectedStatuses);
    this.#causes = grown(Uint16Array, this.#causes);
    this.#labels = grown(Uint8Array, this.#labels);
  }
}

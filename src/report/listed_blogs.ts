/** A blog id as a Map key: the number while it is a safe integer (nearly every id), else its exact digits. */
type BlogKey = number | string;

const blogKey = (digits: string): BlogKey => {
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : digits;
};

/** Flags kept in a packed entry: seen in the current listing, and seen there with a cause it did not have. */
const SEEN = 1;
const CAUSE_CHANGED = 2;
/** A packed entry is cause index * CAUSE_UNIT + bucket * 4 + flags (buckets stop at 65535). */
const CAUSE_UNIT = 2 ** 18;

/** What `see` found: the baseline did not list the blog, or it did (with what changed in this call). */
export const UNLISTED = -1;
/** `see` bit: the first current row of a listed blog. */
export const FIRST_SEEN = 1;
/** `see` bit: the first current row of a listed blog with a cause none of its baseline rows had. */
export const FIRST_CAUSE_CHANGE = 2;

/**
 * The blogs a baseline listed, with the bucket of each one's first row and the causes of its rows,
 * packed to one small integer per blog (300,000 blogs take about 20 MB, not the 60 MB of an object and
 * an array each). It also records which blogs the current listing has seen, for the comparison.
 */
export class ListedBlogs {
  readonly #packed = new Map<BlogKey, number>();
  readonly #causes: string[] = [];
  readonly #causeIndexes = new Map<string, number>();
  /** For the few blogs whose rows had more than one cause: the indexes past the first. */
  readonly #moreCauses = new Map<BlogKey, number[]>();

  /** How many blogs were listed. */
  get size(): number {
    return this.#packed.size;
  }

  /** Records one baseline row (rows come in listing order, so a blog's first row gives its bucket). */
  add(blogId: string, bucket: number, cause: string): void {
    let index = this.#causeIndexes.get(cause);
    if (index === undefined) {
      index = this.#causes.push(cause) - 1;
      this.#causeIndexes.set(cause, index);
    }
    const key = blogKey(blogId);
    const packed = this.#packed.get(key);
    if (packed === undefined) {
      this.#packed.set(key, index * CAUSE_UNIT + bucket * 4);
      return;
    }
    if (Math.floor(packed / CAUSE_UNIT) === index) return;
    const more = this.#moreCauses.get(key);
    if (more === undefined) this.#moreCauses.set(key, [index]);
    else if (!more.includes(index)) more.push(index);
  }

  /** Marks a blog as listed now with `cause`: UNLISTED when the baseline did not list it, else FIRST_* bits for what this row changed. */
  see(blogId: string, cause: string): number {
    const key = blogKey(blogId);
    const packed = this.#packed.get(key);
    if (packed === undefined) return UNLISTED;
    const flags = packed % 4;
    const causeChanged = !(flags & CAUSE_CHANGED) && !this.#had(key, packed, cause);
    const result = (flags & SEEN ? 0 : FIRST_SEEN) | (causeChanged ? FIRST_CAUSE_CHANGE : 0);
    if (result !== 0) this.#packed.set(key, packed - flags + (flags | SEEN | (causeChanged ? CAUSE_CHANGED : 0)));
    return result;
  }

  /** The listed blogs the current listing has not seen, with the bucket of each one's first baseline row. */
  *unseen(): Generator<{ blogId: string; bucket: number }> {
    for (const [key, packed] of this.#packed) {
      if (!(packed % 4 & SEEN)) yield { blogId: String(key), bucket: Math.floor((packed % CAUSE_UNIT) / 4) };
    }
  }

  /** Whether one of the blog's baseline rows had `cause`. */
  #had(key: BlogKey, packed: number, cause: string): boolean {
    const index = this.#causeIndexes.get(cause);
    if (index === undefined) return false;
    return Math.floor(packed / CAUSE_UNIT) === index || (this.#moreCauses.get(key)?.includes(index) ?? false);
  }
}

/**
 * Merges sources that are each in `compare` order into one sequence in that order, reading each
 * source one item ahead (a k-way merge: memory for k items, whatever the sources hold). Equal items
 * come from the earlier source first.
 */
export async function* mergeSorted<T>(sources: readonly AsyncIterable<T>[], compare: (a: T, b: T) => number): AsyncGenerator<T> {
  const iterators = sources.map((source) => source[Symbol.asyncIterator]());
  const heads: ({ value: T } | undefined)[] = [];
  try {
    for (const iterator of iterators) heads.push(await next(iterator));
    for (;;) {
      let smallest = -1;
      for (let index = 0; index < heads.length; index++) {
        const head = heads[index];
        if (head && (smallest < 0 || compare(head.value, heads[smallest]!.value) < 0)) smallest = index;
      }
      if (smallest < 0) return;
      yield heads[smallest]!.value;
      heads[smallest] = await next(iterators[smallest]!);
    }
  } finally {
    await Promise.all(iterators.map((iterator) => iterator.return?.()));
  }
}

/** The next item of an iterator, or undefined at its end. */
async function next<T>(iterator: AsyncIterator<T>): Promise<{ value: T } | undefined> {
  const result = await iterator.next();
  return result.done ? undefined : { value: result.value };
}

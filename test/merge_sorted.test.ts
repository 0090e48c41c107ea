import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mergeSorted } from '../src/report/merge_sorted.js';

async function* from<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}

test('merging sorted sources gives every item once, in order, equal keys from the earlier source first', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 30 }), { maxLength: 12 }), async (lists) => {
      const sources = lists.map((list, source) => [...list].sort((a, b) => a - b).map((key, at) => ({ key, source, at })));
      const merged = await collect(mergeSorted(sources.map(from), (a, b) => a.key - b.key));
      // A stable sort of the concatenation is the one right answer.
      const expected = sources.flat().sort((a, b) => a.key - b.key || a.source - b.source);
      assert.equal(merged, expected);
    }),
  );
});

test('stopping early closes every source', async () => {
  const closed: number[] = [];
  async function* source(index: number): AsyncGenerator<number> {
    try {
      for (let n = index; n < 100; n += 3) yield n;
    } finally {
      closed.push(index);
    }
  }
  const taken: number[] = [];
  for await (const n of mergeSorted([source(0), source(1), source(2)], (a, b) => a - b)) {
    taken.push(n);
    if (taken.length === 5) break;
  }
  assert.equal(taken, [0, 1, 2, 3, 4]);
  assert.equal(closed.sort(), [0, 1, 2]);
});

test.run();

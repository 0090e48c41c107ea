import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FIRST_CAUSE_CHANGE, FIRST_SEEN, ListedBlogs, UNLISTED } from '../src/report/listed_blogs.js';

test('ids on both sides of 2^53 stay distinct, and each keeps its bucket', () => {
  const blogs = new ListedBlogs();
  // 2^53 - 1 is the last safe integer; 2^53 and 2^53 + 1 read as the same double, so they must be kept by their digits.
  const ids = ['9007199254740991', '9007199254740992', '9007199254740993', '18446744073709551615', '7'];
  ids.forEach((id, i) => blogs.add(id, i + 1, 'stale_legacy_down_projection'));
  assert.is(blogs.size, 5);
  assert.is(blogs.see('9007199254740993', 'stale_legacy_down_projection'), FIRST_SEEN);
  assert.is(blogs.see('9007199254740994', 'stale_legacy_down_projection'), UNLISTED);
  assert.equal([...blogs.unseen()], [
    { blogId: '9007199254740991', bucket: 1 },
    { blogId: '9007199254740992', bucket: 2 },
    { blogId: '18446744073709551615', bucket: 4 },
    { blogId: '7', bucket: 5 },
  ]);
});

test('a blog keeps the bucket of its first row and every cause of its rows; changes are reported once', () => {
  const blogs = new ListedBlogs();
  blogs.add('10', 65535, 'a');
  blogs.add('10', 3, 'b');
  blogs.add('10', 3, 'c');
  blogs.add('10', 3, 'b');
  blogs.add('20', 0, 'b');
  assert.is(blogs.size, 2);
  assert.is(blogs.see('10', 'c'), FIRST_SEEN, 'c was one of its causes');
  assert.is(blogs.see('10', 'a'), 0, 'seen before, cause known');
  assert.is(blogs.see('10', 'd'), FIRST_CAUSE_CHANGE);
  assert.is(blogs.see('10', 'e'), 0, 'a cause change counts once');
  assert.is(blogs.see('20', 'a'), FIRST_SEEN | FIRST_CAUSE_CHANGE, 'a is known to the baseline, not to blog 20');
  assert.equal([...blogs.unseen()], []);
  const other = new ListedBlogs();
  other.add('10', 65535, 'a');
  assert.equal([...other.unseen()], [{ blogId: '10', bucket: 65535 }]);
});

test('thousands of distinct causes still pack and read back', () => {
  const blogs = new ListedBlogs();
  for (let i = 0; i < 10_000; i++) blogs.add(String(i), i % 65536, `cause_${i}`);
  assert.is(blogs.see('9999', 'cause_9999'), FIRST_SEEN);
  assert.is(blogs.see('9998', 'cause_9999'), FIRST_SEEN | FIRST_CAUSE_CHANGE);
  const left = [...blogs.unseen()];
  assert.is(left.length, 9_998);
  assert.equal(left.at(-1), { blogId: '9997', bucket: 9997 });
});

test.run();

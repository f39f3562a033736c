import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareStrings, sortKeysDeep } from '../../reconciler/support/compare.ts';

test('strings compare in code-unit order, not the locale (upper case before lower, ä after z)', () => {
  assert.deepEqual(['b', 'ä', 'B', 'a', 'z'].sort(compareStrings), ['B', 'a', 'b', 'z', 'ä']);
  assert.equal(compareStrings('x', 'x'), 0);
});

test('keys are sorted at every depth, undefined values dropped, arrays and Dates kept as they are', () => {
  const when = new Date(0);
  const out = sortKeysDeep({ b: 1, a: { d: [{ z: 1, y: 2 }, 3], c: undefined }, when });
  assert.equal(JSON.stringify(out), JSON.stringify({ a: { d: [{ y: 2, z: 1 }, 3] }, b: 1, when }));
  assert.ok((out as { when: unknown }).when instanceof Date);
});

test('a key order of its own sorts every level with it', () => {
  const first = (a: string, b: string) => (a === 'kind' ? -1 : b === 'kind' ? 1 : compareStrings(a, b));
  assert.deepEqual(Object.keys(sortKeysDeep({ a: 1, kind: 2 }, first) as object), ['kind', 'a']);
  assert.deepEqual(Object.keys((sortKeysDeep({ x: { a: 1, kind: 2 } }, first) as { x: object }).x), ['kind', 'a']);
});

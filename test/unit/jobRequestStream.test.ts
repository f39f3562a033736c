import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListBodyError, scanListBody } from '../../reconciler/azdo/jobRequestStream.ts';
import { seededRandom } from '../helpers/seededRandom.ts';

/** Feeds `body` in pieces cut at `cuts` (byte offsets) and returns the items and the end's answer. */
function scan(body: string | Buffer, cuts: number[] = []): { items: unknown[]; count: number } {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const items: unknown[] = [];
  const scanner = scanListBody((item) => items.push(item));
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    scanner.write(bytes.subarray(from, cut));
    from = cut;
  }
  return { items, count: scanner.end().count };
}

const bad = (pattern: RegExp) => (err: unknown) => {
  assert.ok(err instanceof ListBodyError, String(err));
  assert.match(err.message, pattern);
  return true;
};

const agents = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i + 1, name: `agent-${i} "q" \\ ✓`, _links: { self: { href: `https://x/${i}` } }, nested: [[{}], [], [null, true, false, -1.5e-3]] }));

const RICH = JSON.stringify({
  count: 3,
  value: [
    { requestId: 1, matchedAgents: agents(3), jobName: 'Build é ✓ 😀 \u0001 "quoted" \\ back/slash', demands: ['docker', 'java -equals 17'], definition: { id: 4, name: 'ci', matchedAgents: [1] } },
    { matchedAgents: agents(2), requestId: 2, queueTime: '2026-01-01T00:00:00Z' },
    { requestId: 3, data: { a: { b: [{ c: 'd' }] } }, matchedAgents: [] },
  ],
});
const RICH_ITEMS = [
  { requestId: 1, jobName: 'Build é ✓ 😀 \u0001 "quoted" \\ back/slash', demands: ['docker', 'java -equals 17'], definition: { id: 4, name: 'ci', matchedAgents: [1] } },
  { requestId: 2, queueTime: '2026-01-01T00:00:00Z' },
  { requestId: 3, data: { a: { b: [{ c: 'd' }] } } },
];

test('each element of value arrives parsed, without its matchedAgents (first, middle or last member); the same name deeper is kept', () => {
  assert.deepEqual(scan(RICH), { items: RICH_ITEMS, count: 3 });
});

test('a body split at every byte (inside UTF-8 characters, escapes, keys and numbers) reads the same', () => {
  const bytes = Buffer.from(RICH);
  for (let cut = 1; cut < bytes.length; cut++) assert.deepEqual(scan(bytes, [cut]), { items: RICH_ITEMS, count: 3 }, `cut at ${cut}`);
});

test('a body fed one byte at a time reads the same', () => {
  const bytes = Buffer.from(RICH);
  assert.deepEqual(scan(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1)), { items: RICH_ITEMS, count: 3 });
});

test('whitespace anywhere, keys written with escapes and members in any order are read like the compact form', () => {
  const body = ' {\n "value" : [ { "matched\\u0041gents" : [ { "id" : 1 } ] , "requestId" : 5 , "jobName" : "a\\"b" } ] ,\r\n\t"count" : 1 } \n';
  assert.deepEqual(scan(body), { items: [{ requestId: 5, jobName: 'a"b' }], count: 1 });
});

test('an empty list is an empty list', () => {
  assert.deepEqual(scan('{"count":0,"value":[]}'), { items: [], count: 0 });
});

test('a body that is not the list JSON is an error, never a shorter list', () => {
  const cases: [string, RegExp][] = [
    ['<!DOCTYPE html><html></html>', /not a JSON object \(it starts with "<"\)/],
    ['', /an empty body/],
    ['{}', /without a "value" list/],
    ['null', /not a JSON object/],
    ['[{"requestId":1}]', /not a JSON object/],
    ['{"count":1,"value":{"requestId":1}}', /"value" is not a list/],
    ['{"count":1}', /without a "value" list/],
    ['{"value":[{"requestId":1}]}', /no "count"/],
    ['{"count":"1","value":[{"requestId":1}]}', /no "count"/],
    ['{"count":2,"value":[{"requestId":1}]}', /"count" says 2 but the list holds 1 items/],
    ['{"count":1.5,"value":[]}', /"count" is 1.5/],
    ['{"count":0,"value":[],"value":[]}', /"value" appears twice/],
    ['{"count":1,"value":[{"requestId":1}]}x', /text after the end/],
    ['{"count":1,"value":[{"requestId":1,}]}', /a key was expected/],
    ['{"count":1,"value":[{"requestId":01}]}', /an invalid number/],
    ['{"count":1,"value":[{"requestId":tru}]}', /an invalid literal/],
    ['{"count":1,"value":[{"requestId":1]}', /unexpected \]/],
    ['{"count":1,"value":[{"a":"\\x"}]}', /an invalid escape/],
    ['{"count":1,"value":[{"a":"\\u12g4"}]}', /an invalid \\u escape/],
    ['{"count":1,"value":[{"a":"line\nbreak"}]}', /a control character/],
    ['{"count":1,"value":[{"requestId":1,"matchedAgents":[{"id":1,"name":"x"}, <b>]}]}', /unexpected "<"/],
  ];
  for (const [body, pattern] of cases) assert.throws(() => scan(body), bad(pattern), body);
});

test('a body cut short anywhere (inside the skipped member too) is an error', () => {
  const bytes = Buffer.from(RICH);
  for (let cut = 0; cut < bytes.length; cut++) {
    assert.throws(() => scan(bytes.subarray(0, cut)), bad(/cut short|an empty body/), `cut at ${cut}`);
  }
});

test('an error thrown by the caller for an item stops the scan', () => {
  const scanner = scanListBody(() => {
    throw new Error('item refused');
  });
  assert.throws(() => scanner.write('{"count":1,"value":[{"requestId":1}]}'), /item refused/);
});

test('the skipped member is never held: a 20 MiB matchedAgents passes in small chunks with only the rest kept', () => {
  const agent = JSON.stringify({ id: 1, name: 'agent-with-a-long-name', _links: { self: { href: 'https://dev.azure.com/o/_apis/distributedtask/pools/1/agents/1' } } });
  const head = Buffer.from('{"count":1,"value":[{"requestId":9,"matchedAgents":[');
  const tail = Buffer.from(`${agent}],"jobName":"j"}]}`);
  const one = Buffer.from(`${agent},`);
  const items: unknown[] = [];
  const scanner = scanListBody((item) => items.push(item));
  scanner.write(head);
  const block = Buffer.concat(Array.from({ length: 1000 }, () => one));
  for (let i = 0; i < 20 * 1024 * 1024 / block.length; i++) scanner.write(block);
  scanner.write(tail);
  assert.deepEqual(scanner.end(), { count: 1, items: 1 });
  assert.deepEqual(items, [{ requestId: 9, jobName: 'j' }]);
});


// Strings full of what a skip could mistake for structure: quotes, backslashes, brackets, escapes
// JSON.stringify writes (\n, \u0001), and multi-byte characters (cut inside them by the splits).
const PIECES = ['a', 'Z', ' ', '"', '\\', '[', ']', '{', '}', ',', ':', '\n', '\u0001', '/', 'é', '✓', '😀', '\\"', 'true', '-1e5'];
function randomValue(next: () => number, depth: number): unknown {
  const r = next();
  if (depth <= 0 || r < 0.35) {
    const s = next();
    if (s < 0.5) return Array.from({ length: Math.floor(next() * 6) }, () => PIECES[Math.floor(next() * PIECES.length)]).join('');
    if (s < 0.7) return Math.round((next() - 0.5) * 1e6) / (next() < 0.5 ? 1 : 1000);
    return [true, false, null][Math.floor(next() * 3)];
  }
  if (r < 0.65) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth - 1));
  const o: Record<string, unknown> = {};
  for (let k = Math.floor(next() * 4); k > 0; k--) o[next() < 0.2 ? 'matchedAgents' : `k${Math.floor(next() * 100)}${PIECES[Math.floor(next() * PIECES.length)]}`] = randomValue(next, depth - 1);
  return o;
}

/** A random list body and what each item must read as (the element without its own matchedAgents). */
function randomBody(seed: number): { body: Buffer; items: unknown[] } {
  const next = seededRandom(seed);
  const value = Array.from({ length: 1 + Math.floor(next() * 3) }, (_, i) => {
    const entries: [string, unknown][] = [['requestId', i + 1]];
    for (let k = Math.floor(next() * 3); k > 0; k--) entries.push([`m${k}`, randomValue(next, 3)]);
    // The skipped member: usually a list of objects, sometimes any value; at any position.
    const skipped = next() < 0.7 ? Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, 4)) : randomValue(next, 4);
    entries.splice(Math.floor(next() * (entries.length + 1)), 0, ['matchedAgents', skipped]);
    return Object.fromEntries(entries);
  });
  const space = [undefined, 1, '\t', '\r\n '][Math.floor(next() * 4)];
  const body = Buffer.from(JSON.stringify({ count: value.length, value }, null, space as string | number | undefined));
  const items = (JSON.parse(body.toString()) as { value: Record<string, unknown>[] }).value.map(({ matchedAgents: _dropped, ...rest }) => rest);
  return { body, items };
}

test('fuzz: random bodies split at every offset (inside strings, escapes, brackets and characters of the skipped member) read as JSON.parse without matchedAgents', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const { body, items } = randomBody(seed);
    const want = { items, count: items.length };
    assert.deepEqual(scan(body), want, `seed ${seed}`);
    for (let cut = 1; cut < body.length; cut++) assert.deepEqual(scan(body, [cut]), want, `seed ${seed}, cut at ${cut}`);
    const next = seededRandom(seed * 7919);
    const cuts: number[] = [];
    for (let at = 1 + Math.floor(next() * 5); at < body.length; at += 1 + Math.floor(next() * 5)) cuts.push(at);
    assert.deepEqual(scan(body, cuts), want, `seed ${seed}, small pieces`);
    for (let cut = 0; cut < body.length; cut++) assert.throws(() => scan(body.subarray(0, cut)), bad(/cut short|an empty body/), `seed ${seed}, cut short at ${cut}`);
  }
});

test('malformed content inside the skipped member is an error wherever the chunks are cut', () => {
  const cases: [string, RegExp][] = [
    ['[{"id":1,"name":"x"}, <b>]', /unexpected "<"/],
    ['[undefined]', /unexpected "d"/],
    ["['x']", /unexpected "'"/],
    ['[NaN]', /unexpected "N"/],
    ['[1,é]', /unexpected/],
    ['[{"a":"\\x"}]', /an invalid escape/],
    ['[{"a":"\\u12g4"}]', /an invalid \\u escape/],
    ['[{"a":1]}', /unexpected \]/],
    ['[[{"a":1}]', /unexpected \}/],
    ['[1]]', /unexpected \]/],
    ['{"a":[1}}', /unexpected \}/],
    ['["unterminated]}]}', /unexpected "j"/], // the string ends at the next quote, before jobName
    ['["a\\"]}]}', /unexpected "j"/],
  ];
  for (const [skipped, pattern] of cases) {
    const body = Buffer.from(`{"count":1,"value":[{"requestId":1,"matchedAgents":${skipped},"jobName":"j"}]}`);
    assert.throws(() => scan(body), bad(pattern), skipped);
    for (let cut = 1; cut < body.length; cut++) assert.throws(() => scan(body, [cut]), bad(pattern), `${skipped}, cut at ${cut}`);
  }
});

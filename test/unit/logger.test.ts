import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, type LoggerOptions } from '../../reconciler/support/logger.ts';

const SECRET = 'pat-s3cr3t-value-123';

function capture(opts: LoggerOptions = {}) {
  const lines: string[] = [];
  const log = createLogger({ secrets: [SECRET], ...opts, write: (l) => lines.push(l) });
  return { log, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

test('one JSON object a line with time, level, message and fields', () => {
  const { log, records } = capture();
  log.info('pass done', { added: 2, spec: 'linux' });
  const [r] = records();
  assert.equal(r?.level, 'info');
  assert.equal(r?.msg, 'pass done');
  assert.equal(r?.added, 2);
  assert.equal(r?.spec, 'linux');
  assert.ok(!Number.isNaN(Date.parse(String(r?.time))));
});

test('the default level is info: debug is dropped', () => {
  const { log, records } = capture();
  log.debug('noise');
  log.info('i');
  log.warn('w');
  log.error('e');
  assert.deepEqual(records().map((r) => r.level), ['info', 'warn', 'error']);
});

test('a minimum level drops everything below it', () => {
  const { log, records } = capture({ level: 'warn' });
  log.debug('d');
  log.info('i');
  log.warn('w');
  log.error('e');
  assert.deepEqual(records().map((r) => r.msg), ['w', 'e']);
});

test('level debug keeps debug lines', () => {
  const { log, records } = capture({ level: 'debug' });
  log.debug('d');
  assert.equal(records()[0]?.level, 'debug');
});

test('a secret in the message is redacted', () => {
  const { log, lines } = capture();
  log.error(`push to https://bot:${SECRET}@git.example.com failed`);
  assert.doesNotMatch(lines[0]!, new RegExp(SECRET));
  assert.match(lines[0]!, /bot:\*\*\*@git/);
});

test('a secret in a field value, nested or in an Error, is redacted', () => {
  const { log, lines } = capture();
  log.warn('failed', { token: SECRET, nested: { header: `Basic ${SECRET}` }, list: [SECRET], error: new Error(`bad ${SECRET}`) });
  assert.doesNotMatch(lines[0]!, new RegExp(SECRET));
  assert.equal(lines[0]!.split('***').length - 1, 4);
});

test('an Error field is logged as its message', () => {
  const { log, records } = capture();
  log.error('x', { error: new Error('connection refused') });
  assert.equal(records()[0]?.error, 'connection refused');
});

test('a secret in a child logger\'s bound fields is redacted', () => {
  const { log, lines, records } = capture();
  log.child({ url: `https://${SECRET}@host`, component: 'git' }).info('fetch');
  assert.doesNotMatch(lines[0]!, new RegExp(SECRET));
  assert.equal(records()[0]?.component, 'git');
});

test('child fields are merged, call fields win', () => {
  const { log, records } = capture();
  log.child({ a: 1, b: 1 }).child({ b: 2 }).info('m', { c: 3 });
  const r = records()[0]!;
  assert.deepEqual([r.a, r.b, r.c], [1, 2, 3]);
});

test('a child keeps the level and secrets of its parent', () => {
  const { log, lines } = capture({ level: 'warn' });
  const child = log.child({ x: 1 });
  child.info('dropped');
  child.warn(SECRET);
  assert.equal(lines.length, 1);
  assert.doesNotMatch(lines[0]!, new RegExp(SECRET));
});

test('text format: time, padded level, message, key=value; secrets redacted', () => {
  const { log, lines } = capture({ format: 'text' });
  log.warn('retrying', { attempt: 2, url: `https://${SECRET}@h`, obj: { k: 'v' } });
  assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT[\d:.]+Z WARN {2}retrying attempt=2 url=https:\/\/\*\*\*@h obj=\{"k":"v"\}$/);
});

test('text format without fields has no trailing space', () => {
  const { log, lines } = capture({ format: 'text' });
  log.info('hello');
  assert.match(lines[0]!, / INFO {2}hello$/);
});

test('every occurrence of every secret is redacted', () => {
  const other = 'git-token-abcdef';
  const { log, lines } = capture({ secrets: [SECRET, other] });
  log.info(`${SECRET} ${other} ${SECRET}`);
  assert.doesNotMatch(lines[0]!, new RegExp(`${SECRET}|${other}`));
});

test('a secret with characters JSON escapes is still redacted', () => {
  const secret = 'pa"ss\\word-42';
  const { log, lines } = capture({ secrets: [secret] });
  log.error('auth failed', { token: secret });
  log.error(`auth failed for ${secret}`);
  for (const l of lines) {
    assert.ok(!l.includes(secret) && !l.includes(JSON.stringify(secret).slice(1, -1)), l);
  }
});

test('secrets shorter than four characters are not redacted (they would mangle every line)', () => {
  const { log, records } = capture({ secrets: ['ab'] });
  log.info('abc tab');
  assert.equal(records()[0]?.msg, 'abc tab');
});

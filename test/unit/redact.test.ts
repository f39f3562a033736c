import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { createRedactor, redactedCause, redactText, redactUrl } from '../../reconciler/support/redact.ts';

const PAT = 'q7xvmo2k4lrb5yzwcvh3aeqn6jfs2tdpgu7iwkxbm4rlo3enyzca';

test('a secret written raw is replaced, every occurrence', () => {
  assert.equal(redactText(`token ${PAT} and again ${PAT}.`, [PAT]), 'token *** and again ***.');
});

test('a secret in its JSON-escaped form (as a JSON log line carries it) is replaced', () => {
  const secret = 'pa"ss\\word-42';
  const line = JSON.stringify({ msg: 'auth failed', token: secret });
  const out = redactText(line, [secret]);
  assert.equal(out, '{"msg":"auth failed","token":"***"}');
});

test("a URL's userinfo keeps its user and loses its password, known secret or not; a bare one is masked whole", () => {
  assert.equal(redactText('clone https://user:tok3n@dev.azure.com/org/_git/repo failed', []), 'clone https://user:***@dev.azure.com/org/_git/repo failed');
  assert.equal(redactText(`push https://bot:${PAT}@git.example.com`, [PAT]), 'push https://bot:***@git.example.com');
  assert.equal(redactText('fetch http://abcd1234@127.0.0.1:8080/r.git', []), 'fetch http://***@127.0.0.1:8080/r.git');
});

test('a URL named in a message loses its userinfo entirely', () => {
  assert.equal(redactUrl('https://user:tok3n@dev.azure.com/org/_git/repo'), 'https://dev.azure.com/org/_git/repo');
});

test('a URL without a path inside a JSON line does not swallow the next field', () => {
  const line = JSON.stringify({ url: 'https://host', owner: 'me@example.com' });
  assert.equal(redactText(line, []), line);
  assert.equal(redactUrl(line), line);
});

test('a secret percent-encoded (in a URL) is replaced', () => {
  const secret = 'p@ss/word+1';
  assert.equal(redactText(`https://host/?t=${encodeURIComponent(secret)}`, [secret]), 'https://host/?t=***');
});

test('a secret base64-encoded at any offset is replaced: alone, in a Basic header, URL-safe', () => {
  for (const prefix of ['', 'u:', 'us:', 'user:']) {
    const encoded = Buffer.from(prefix + PAT).toString('base64');
    const out = redactText(`Authorization: Basic ${encoded}`, [PAT]);
    assert.match(out, /\*\*\*/, `prefix ${JSON.stringify(prefix)}`);
    const decoded = Buffer.from(out.replace('Authorization: Basic ', '').replace('***', ''), 'base64').toString('latin1');
    // What is left decodes to at most the prefix and a byte or two at the seams, never the secret.
    assert.ok(!decoded.includes(PAT.slice(0, 8)) && !decoded.includes(PAT.slice(-8)), `prefix ${JSON.stringify(prefix)}: ${out}`);
  }
  const urlSafe = Buffer.from('\u00ff\u00fe' + PAT + '??>>').toString('base64url');
  assert.match(redactText(urlSafe, [PAT]), /\*\*\*/);
});

test('secrets shorter than four characters are left alone (they would mangle every line)', () => {
  assert.equal(redactText('abc tab', ['ab', 'abc']), 'abc tab');
});

test('a secret contained in another is replaced without leaving a piece of the longer one', () => {
  const redact = createRedactor(['s3cr3t', 'my-s3cr3t-token']);
  assert.equal(redact('a my-s3cr3t-token b s3cr3t'), 'a *** b ***');
});

test('a cause keeps name, code, status and the first line of the message redacted, never the original object', () => {
  const original = Object.assign(new Error(`push https://bot:${PAT}@git.example.com failed\nrequest: Authorization: Basic ${PAT}`), {
    name: 'HttpError',
    code: 'HttpError',
    statusCode: 500,
    request: { headers: { authorization: `Basic ${PAT}` } },
    cause: Object.assign(new Error(`socket hang up near ${PAT}`), { code: 'ECONNRESET' }),
  });
  const cause = redactedCause(original, createRedactor([PAT]));
  assert.notEqual(cause, original);
  assert.equal(cause.name, 'HttpError');
  assert.equal(cause.message, 'push https://bot:***@git.example.com failed');
  assert.deepEqual({ code: (cause as { code?: unknown }).code, statusCode: (cause as { statusCode?: unknown }).statusCode }, { code: 'HttpError', statusCode: 500 });
  assert.equal((cause.cause as Error).message, 'socket hang up near ***');
  assert.equal((cause.cause as { code?: unknown }).code, 'ECONNRESET');
  assert.doesNotMatch(inspect(cause, { depth: 10 }), new RegExp(PAT));
});

test('a cause is made of anything thrown: a string, a plain object, undefined; the chain stops after three', () => {
  assert.equal(redactedCause(`failed with ${PAT}`, createRedactor([PAT])).message, 'failed with ***');
  assert.equal(redactedCause({ status: 404 }, createRedactor([])).message, '');
  assert.equal((redactedCause({ status: 404 }, createRedactor([])) as { statusCode?: unknown }).statusCode, 404);
  assert.equal(redactedCause(undefined, createRedactor([])).message, 'undefined');
  const deep = { message: '1', cause: { message: '2', cause: { message: '3', cause: { message: '4' } } } };
  const c = redactedCause(deep, createRedactor([]));
  assert.equal(((c.cause as Error).cause as Error).message, '3');
  assert.equal(((c.cause as Error).cause as Error).cause, undefined);
});

test('a PAT-shaped string is masked even when no one told the redactor about it', () => {
  const modern = 'A'.repeat(40) + 'b'.repeat(36) + 'AZDO' + 'x1y2';
  assert.equal(redactText(`token ${PAT} and ${modern}.`, []), 'token *** and ***.');
  assert.equal(redactText(`sha ${'a'.repeat(40)} pod linux-abc123`, []), `sha ${'a'.repeat(40)} pod linux-abc123`);
});

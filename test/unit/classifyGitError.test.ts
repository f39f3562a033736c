import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { classifyGitError } from '../../reconciler/gitops/classifyGitError.ts';
import { GitAuthError, GitOperationError, GitUnreachableError } from '../../reconciler/errors/gitErrors.ts';

const TOKEN = 'git-token-do-not-print-42';
const URL_WITH_TOKEN = `https://bot:${TOKEN}@git.example.com/org/cluster.git`;

/** The shape isomorphic-git throws: code, message, data; the request is reachable from it. */
function isoGitError(code: string, message: string, data: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, data, request: { url: URL_WITH_TOKEN, headers: { authorization: `Basic ${Buffer.from(`bot:${TOKEN}`).toString('base64')}` } } });
}

test('a refused credential becomes GitAuthError whose cause keeps the status and never the token', () => {
  const err = isoGitError('HttpError', `HTTP Error: 401 Unauthorized ${URL_WITH_TOKEN}`, { statusCode: 401 });
  const e = classifyGitError(err, 'push', URL_WITH_TOKEN, [TOKEN], 'GIT_TOKEN');
  assert.ok(e instanceof GitAuthError);
  assert.notEqual(e.cause, err);
  assert.equal((e.cause as { code?: unknown }).code, 'HttpError');
  assert.equal((e.cause as Error).message, 'HTTP Error: 401 Unauthorized https://bot:***@git.example.com/org/cluster.git');
  assert.ok(!inspect(e, { depth: 10 }).includes(TOKEN));
});

test('a network failure becomes GitUnreachableError with the redacted cause chain', () => {
  const err = Object.assign(new Error(`request to ${URL_WITH_TOKEN} failed`), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
  const e = classifyGitError(err, 'fetch', URL_WITH_TOKEN, [TOKEN], 'GIT_TOKEN');
  assert.ok(e instanceof GitUnreachableError);
  assert.equal((e.cause as Error).message, 'request to https://bot:***@git.example.com/org/cluster.git failed');
  assert.equal(((e.cause as Error).cause as { code?: unknown }).code, 'ECONNREFUSED');
});

test('any other failure becomes GitOperationError: its detail and its cause both redacted', () => {
  const e = classifyGitError(isoGitError('SmartHttpError', `bad pack from ${URL_WITH_TOKEN} using ${TOKEN}`), 'fetch', URL_WITH_TOKEN, [TOKEN], 'GIT_TOKEN');
  assert.ok(e instanceof GitOperationError);
  assert.equal(e.message, 'fetch https://git.example.com/org/cluster.git: SmartHttpError: bad pack from https://bot:***@git.example.com/org/cluster.git using ***');
  assert.ok(!inspect(e, { depth: 10 }).includes(TOKEN));
});

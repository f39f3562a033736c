import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { complete } from '../helpers/completeListing.ts';
import type { TaskAgent, TaskAgentJobRequest } from 'azure-devops-node-api/interfaces/TaskAgentInterfaces.js';
import { demandStrings, needsAgent, streamJobRequests, toPendingJob, type OpenJobRequestListing } from '../../reconciler/azdo/jobRequests.ts';
import { callAzdo, classifyAzdoError } from '../../reconciler/azdo/classifyAzdoError.ts';
import { listAgentCapabilities, listAgents, readAgent, readAgentCapabilities, toPoolAgent } from '../../reconciler/azdo/agents.ts';
import type { TaskAgentApi } from '../../reconciler/azdo/connection.ts';
import { PoolDirectory } from '../../reconciler/azdo/pools.ts';
import { AGENT_FIELDS, expectItem, expectList, JOB_REQUEST_FIELDS, POOL_FIELDS } from '../../reconciler/azdo/wireShape.ts';
import {
  AzdoAuthError,
  AzdoPoolNotFoundError,
  AzdoRequestError,
  AzdoThrottledError,
  AzdoUnavailableError,
  AzdoUnreadableResponseError,
} from '../../reconciler/errors/azdoErrors.ts';

const T = new Date('2026-01-01T00:00:00Z');
const request = (init: Record<string, unknown> = {}): TaskAgentJobRequest => ({ requestId: 7, queueTime: T, ...init }) as TaskAgentJobRequest;
const listPendingJobs = async (api: TaskAgentApi, poolId: number, poolName: string, open?: OpenJobRequestListing) => (await complete(streamJobRequests(api, poolId, poolName, open))).jobs;

// ---- needsAgent ----

test('a queued request with no result, assignment or receipt needs an agent', () => {
  assert.equal(needsAgent(request()), true);
  assert.equal(needsAgent(request({ result: null, finishTime: null, assignTime: null })), true);
});

test('result 0 (Succeeded) is falsy and the request is still finished', () => {
  assert.equal(needsAgent(request({ result: 0 })), false);
});

test('any result means finished, number or string', () => {
  for (const result of [2, 3, 4, 'failed', 'succeeded']) assert.equal(needsAgent(request({ result })), false, String(result));
});

test('a cancelled request is never pending, with or without finishTime', () => {
  assert.equal(needsAgent(request({ result: 3 })), false);
  assert.equal(needsAgent(request({ result: 'canceled' })), false);
  assert.equal(needsAgent(request({ finishTime: T })), false);
});

test('an assigned or reserved request does not need another agent', () => {
  assert.equal(needsAgent(request({ assignTime: T })), false);
  assert.equal(needsAgent(request({ reservedAgent: { id: 3, name: 'a' } })), false);
});

test('a request with receiveTime is running: counting it again would double-provision', () => {
  assert.equal(needsAgent(request({ receiveTime: T })), false);
});

// ---- demands ----

test('demands sent as strings are kept as they are', () => {
  assert.deepEqual(demandStrings(request({ demands: ['docker', 'java -equals 17'] })), ['docker', 'java -equals 17']);
});

test('demands as objects become "name -equals value" or the bare name', () => {
  assert.deepEqual(
    demandStrings(request({ demands: [{ name: 'docker' }, { name: 'java', value: '17' }, { name: 'node', value: '' }] })),
    ['docker', 'java -equals 17', 'node'],
  );
});

test('mixed, empty and junk demands: junk is dropped', () => {
  assert.deepEqual(demandStrings(request({ demands: ['docker', { name: 'java', value: '17' }, '', null, 42, {}] })), ['docker', 'java -equals 17']);
  assert.deepEqual(demandStrings(request({ demands: undefined })), []);
});

test('toPendingJob keeps id, pool, demands, queue time, job and definition name', () => {
  const job = toPendingJob(request({ demands: [{ name: 'docker' }], jobName: 'Build', definition: { id: 1, name: 'ci' } }), 'k8s-agents');
  assert.deepEqual(job, { requestId: 7, poolName: 'k8s-agents', demands: ['docker'], queueTime: T, jobName: 'Build', definitionName: 'ci' });
});

test('toPendingJob parses a string queue time and tolerates missing names', () => {
  const job = toPendingJob(request({ queueTime: '2026-01-01T00:00:05.000Z', jobName: null }), 'p');
  assert.equal(job.queueTime.toISOString(), '2026-01-01T00:00:05.000Z');
  assert.equal(job.jobName, undefined);
  assert.equal(job.definitionName, undefined);
});

// ---- classifyAzdoError ----

const TOKEN = 'pat-do-not-print-0123456789';

test('429 becomes AzdoThrottledError with retryAfter from rateLimit', () => {
  const e = classifyAzdoError('list agents', { statusCode: 429, rateLimit: { retryAfter: 42 } });
  assert.ok(e instanceof AzdoThrottledError);
  assert.equal(e.retryAfterSeconds, 42);
  assert.match(e.message, /^list agents: .*429.*waiting 42s/);
});

test('429 without retryAfter uses the delay, rounded up', () => {
  const e = classifyAzdoError('op', { statusCode: 429, rateLimit: { delay: 2.2 } });
  assert.equal((e as AzdoThrottledError).retryAfterSeconds, 3);
});

test('429 without rate-limit headers (or a nonsense value) waits 30 s', () => {
  assert.equal((classifyAzdoError('op', { statusCode: 429 }) as AzdoThrottledError).retryAfterSeconds, 30);
  assert.equal((classifyAzdoError('op', { statusCode: 429, rateLimit: { retryAfter: 0 } }) as AzdoThrottledError).retryAfterSeconds, 30);
  assert.equal((classifyAzdoError('op', { statusCode: 429, rateLimit: { retryAfter: Number.NaN } }) as AzdoThrottledError).retryAfterSeconds, 30);
});

test('401 and 403 become AzdoAuthError naming AZDO_TOKEN and the scope, never the token', () => {
  for (const statusCode of [401, 403]) {
    const e = classifyAzdoError('list agents', { statusCode, message: `Basic ${TOKEN} refused` });
    assert.ok(e instanceof AzdoAuthError);
    assert.equal(e.statusCode, statusCode);
    assert.match(e.message, /AZDO_TOKEN.*Agent Pools \(Read & manage\)/);
    assert.ok(!e.message.includes(TOKEN));
    // The cause says which status it was, and nothing the service said about the credentials.
    assert.equal((e.cause as { statusCode?: unknown }).statusCode, statusCode);
    assert.ok(!inspect(e, { depth: 10 }).includes(TOKEN));
  }
});

test('5xx and 408 become AzdoUnavailableError with the status and detail', () => {
  const e = classifyAzdoError('list agents', { statusCode: 503, result: { message: 'maintenance' } });
  assert.ok(e instanceof AzdoUnavailableError);
  assert.equal(e.statusCode, 503);
  assert.match(e.message, /^list agents: Azure DevOps is unavailable \(503: maintenance\); retrying/);
  assert.ok(classifyAzdoError('op', { statusCode: 408 }) instanceof AzdoUnavailableError);
});

test('a network error (no status) becomes AzdoUnavailableError "no response"', () => {
  const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });
  const e = classifyAzdoError('connect', err);
  assert.ok(e instanceof AzdoUnavailableError);
  assert.equal(e.statusCode, undefined);
  assert.match(e.message, /no response: connect ECONNREFUSED/);
  assert.notEqual(e.cause, err, 'a copy, not the client object that holds the request');
  assert.deepEqual([(e.cause as Error).message, (e.cause as { code?: unknown }).code], ['connect ECONNREFUSED 127.0.0.1:443', 'ECONNREFUSED']);
});

test('a thrown non-object becomes AzdoUnavailableError with its text', () => {
  assert.match(classifyAzdoError('op', 'socket hang up').message, /no response: socket hang up/);
});

test('other 4xx become AzdoRequestError with the service typeKey and message', () => {
  const e = classifyAzdoError('add agent', { statusCode: 409, result: { typeKey: 'TaskAgentExistsException', message: 'exists' } });
  assert.ok(e instanceof AzdoRequestError);
  assert.equal(e.statusCode, 409);
  assert.equal(e.typeKey, 'TaskAgentExistsException');
  assert.match(e.message, /^add agent: Azure DevOps rejected the request \(409 TaskAgentExistsException\): exists/);
});

test('a 400 without a body still names status and message', () => {
  const e = classifyAzdoError('op', { statusCode: 400, message: 'bad' }) as AzdoRequestError;
  assert.equal(e.typeKey, undefined);
  assert.match(e.message, /400.*: bad$/);
});

test('long details are cut to 300 characters', () => {
  const e = classifyAzdoError('op', { statusCode: 500, message: 'x'.repeat(1000) });
  assert.ok(e.message.length < 400);
});

test('already classified errors pass through unchanged', () => {
  const original = new AzdoAuthError('op', 401);
  assert.equal(classifyAzdoError('other', original), original);
});

test('callAzdo returns the value or rethrows a typed error', async () => {
  assert.equal(await callAzdo('op', async () => 5), 5);
  await assert.rejects(callAzdo('list', async () => Promise.reject({ statusCode: 429, rateLimit: { retryAfter: 9 } })), AzdoThrottledError);
});

// ---- toPoolAgent ----

const agent = (init: Record<string, unknown> = {}): TaskAgent => ({ id: 4, name: 'linux-abc12', ...init }) as TaskAgent;

test('status 2 (enum Online) and "online" are online', () => {
  assert.equal(toPoolAgent(agent({ status: 2 }), 'p').status, 'online');
  assert.equal(toPoolAgent(agent({ status: 'online' }), 'p').status, 'online');
});

test('status 1 (Offline), "offline" and missing are offline', () => {
  assert.equal(toPoolAgent(agent({ status: 1 }), 'p').status, 'offline');
  assert.equal(toPoolAgent(agent({ status: 'offline' }), 'p').status, 'offline');
  assert.equal(toPoolAgent(agent(), 'p').status, 'offline');
});

test('an agent is enabled unless enabled is false', () => {
  assert.equal(toPoolAgent(agent(), 'p').enabled, true);
  assert.equal(toPoolAgent(agent({ enabled: false }), 'p').enabled, false);
});

test('toPoolAgent keeps id, name, pool, assigned request, created time and user capabilities', () => {
  const a = toPoolAgent(agent({ status: 2, assignedRequest: { requestId: 11 }, createdOn: '2026-01-01T00:00:00Z', userCapabilities: { docker: 'true' } }), 'k8s-agents');
  assert.deepEqual(a, {
    id: 4, name: 'linux-abc12', poolName: 'k8s-agents', status: 'online', enabled: true,
    assignedRequestId: 11, createdOn: T, userCapabilities: { docker: 'true' }, specMarker: undefined,
  });
});

test('toPoolAgent keeps the last completed request: the job a finished pod ran', () => {
  assert.equal(toPoolAgent(agent({ lastCompletedRequest: { requestId: 97 } }), 'p').lastCompletedRequestId, 97);
  assert.ok(!('lastCompletedRequestId' in toPoolAgent(agent(), 'p')), 'absent when the agent has finished nothing');
});

test('toPoolAgent keeps of the system capabilities only the AZDO_GITOPS_SPEC marker', () => {
  const env = { PATH: '/usr/bin', HOME: '/home/agent', docker: 'true', 'Agent.Name': 'linux-abc12' };
  assert.equal(toPoolAgent(agent({ systemCapabilities: { ...env, AZDO_GITOPS_SPEC: 'linux' } }), 'p').specMarker, 'linux');
  assert.equal(toPoolAgent(agent({ systemCapabilities: { ...env, azdo_gitops_spec: 'linux' } }), 'p').specMarker, 'linux', 'the service matches capability names case-insensitively');
  assert.equal(toPoolAgent(agent({ systemCapabilities: env }), 'p').specMarker, undefined);
  assert.equal(toPoolAgent(agent({ systemCapabilities: { AZDO_GITOPS_SPEC: ' ' } }), 'p').specMarker, undefined, 'an empty marker proves nothing');
  assert.equal(toPoolAgent(agent({ userCapabilities: { AZDO_GITOPS_SPEC: 'linux' } }), 'p').specMarker, undefined, 'only the env (system capabilities) counts');
  assert.ok(!('systemCapabilities' in toPoolAgent(agent({ systemCapabilities: env }), 'p')), 'the env is not kept');
  assert.equal(toPoolAgent(agent({ systemCapabilities: 'AZDO_GITOPS_SPEC=linux' as never }), 'p').specMarker, undefined, 'a malformed map proves nothing');
});

test('toPoolAgent fills missing fields with safe values', () => {
  const a = toPoolAgent({} as TaskAgent, 'p');
  assert.equal(a.id, 0);
  assert.equal(a.name, '');
  assert.equal(a.assignedRequestId, undefined);
  assert.equal(a.createdOn, undefined);
  assert.deepEqual(a.userCapabilities, {});
});

// ---- strict reads: a 2xx whose body is not the expected shape is unreadable, never "none" ----

/** The published client's TaskAgentApi reduced to the calls the adapters make, answering what the wire gave. */
/** What the job listing's HTTP call answers: a status, headers and the body as it streams. */
interface JobsAnswer {
  status?: number;
  headers?: Record<string, string>;
  body: string;
}

function clientAnswering(answers: { jobs?: unknown; agents?: unknown; agent?: unknown; pools?: unknown }): TaskAgentApi {
  const jobs = (answers.jobs ?? { body: '' }) as JobsAnswer;
  return {
    // The job listing streams through the client's HTTP client (its body can be hundreds of MiB).
    vsoClient: { getVersioningData: async () => ({ requestUrl: 'https://dev.azure.com/o/_apis/distributedtask/pools/1/jobrequests?completedRequestCount=0', apiVersion: '7.2-preview.1' }) },
    createRequestOptions: () => ({ acceptHeader: 'application/json;api-version=7.2-preview.1' }),
    rest: {
      client: {
        get: async () => {
          // Cut in small pieces so a request spans chunks, as it does on a socket.
          const bytes = Buffer.from(jobs.body);
          const message = Readable.from(Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7)));
          return { message: Object.assign(message, { statusCode: jobs.status ?? 200, headers: jobs.headers ?? {} }) };
        },
      },
    },
    getAgents: async () => answers.agents,
    getAgent: async () => answers.agent,
    getAgentPools: async () => answers.pools,
  } as unknown as TaskAgentApi;
}

const unreadable = (pattern: RegExp) => (err: unknown) => {
  assert.ok(err instanceof AzdoUnreadableResponseError, String(err));
  assert.ok(err instanceof AzdoUnavailableError, 'handled like a 5xx: backoff, nothing decided');
  assert.match(err.message, pattern);
  assert.match(err.message, /AZDO_ORG_URL/);
  assert.ok(!err.message.includes('\n'), 'one line');
  return true;
};

test('a list read that the client resolved as null (HTML page, cut body, 404) is unreadable, not empty', () => {
  assert.throws(() => expectList('list agents of pool "p"', null, AGENT_FIELDS), unreadable(/^list agents of pool "p": Azure DevOps answered 2xx .*\(no JSON: /));
  assert.throws(() => expectList('op', undefined, AGENT_FIELDS), unreadable(/no JSON/));
});

test('a list read answered {} or an object without a value list is unreadable', () => {
  assert.throws(() => expectList('op', {}, JOB_REQUEST_FIELDS), unreadable(/\(an empty object \{\}\)/));
  assert.throws(() => expectList('op', { count: 2 }, JOB_REQUEST_FIELDS), unreadable(/an object without a "value" list \(keys: count\)/));
  assert.throws(() => expectList('op', 'maintenance', JOB_REQUEST_FIELDS), unreadable(/a string/));
});

test('a readable empty list is empty', () => {
  assert.deepEqual(expectList('op', [], JOB_REQUEST_FIELDS), []);
});

test('a list item without its id (or with 0, or a string) makes the whole list unreadable', () => {
  assert.throws(() => expectList('op', [{ requestId: 1 }, { queueTime: T }], JOB_REQUEST_FIELDS), unreadable(/item 1 of 2 has no numeric requestId/));
  assert.throws(() => expectList('op', [{ requestId: 0 }], JOB_REQUEST_FIELDS), unreadable(/no numeric requestId/));
  assert.throws(() => expectList('op', [{ requestId: '7' }], JOB_REQUEST_FIELDS), unreadable(/no numeric requestId/));
  assert.throws(() => expectList('op', [null], JOB_REQUEST_FIELDS), unreadable(/item 0 of 1 is not an object \(null\)/));
  assert.throws(() => expectList('op', [{}], JOB_REQUEST_FIELDS), unreadable(/item 0 of 1 is an empty object/));
});

test('agents and pools need their numeric id and their name', () => {
  assert.throws(() => expectList('op', [{ id: 3 }], AGENT_FIELDS), unreadable(/has no name/));
  assert.throws(() => expectList('op', [{ id: 3, name: '' }], POOL_FIELDS), unreadable(/has no name/));
  assert.equal(expectList<{ id: number }>('op', [{ id: 3, name: 'linux-abc12' }], AGENT_FIELDS)[0]?.id, 3);
});

test('a single read must be the object asked for', () => {
  assert.throws(() => expectItem('op', {}, AGENT_FIELDS, 3), unreadable(/the object is an empty object \{\}/));
  assert.throws(() => expectItem('op', [{ id: 3, name: 'a' }], AGENT_FIELDS, 3), unreadable(/a list where one object was expected/));
  assert.throws(() => expectItem('op', { id: 4, name: 'a' }, AGENT_FIELDS, 3), unreadable(/id 4 where 3 was asked for/));
  assert.deepEqual(expectItem('op', { id: 3, name: 'a' }, AGENT_FIELDS, 3), { id: 3, name: 'a' });
});

const jobsBody = (items: unknown[], count = items.length): { body: string } => ({ body: JSON.stringify({ count, value: items }) });

test('the unfinished-only listing: an HTML page, a cut body, {} or a wrong count is unreadable, never "no jobs"', async () => {
  const cases: [JobsAnswer, RegExp][] = [
    [{ body: '<!DOCTYPE html><html><body>maintenance</body></html>' }, /^list job requests of pool "k8s-agents": .*not a JSON object/],
    [{ body: '{"count":1,"value":[{"requestId":1,"matchedAgents":[{"id":1' }, /cut short/],
    [{ body: '' }, /an empty body/],
    [{ body: '{}' }, /without a "value" list/],
    [{ body: 'null' }, /not a JSON object/],
    [jobsBody([request({ requestId: 1 })], 2), /"count" says 2 but the list holds 1 items/],
    [jobsBody([request({ requestId: 1 }), { queueTime: T }]), /item 1 has no numeric requestId/],
  ];
  for (const [jobs, pattern] of cases) await assert.rejects(listPendingJobs(clientAnswering({ jobs }), 1, 'k8s-agents'), unreadable(pattern), jobs.body);
});

test('the unfinished-only listing keeps only requests that need an agent, with dates revived and matchedAgents never read', async () => {
  const matchedAgents = Array.from({ length: 50 }, (_, i) => ({ id: i + 1, name: `a${i}`, _links: { self: { href: `https://x/${i}` } } }));
  const items = [
    { ...request({ requestId: 1, demands: ['docker'] }), matchedAgents },
    { ...request({ requestId: 2, assignTime: T }), matchedAgents },
    { ...request({ requestId: 3, receiveTime: T }), matchedAgents: [] },
    request({ requestId: 4, jobName: 'Build ✓' }),
  ];
  const jobs = await listPendingJobs(clientAnswering({ jobs: jobsBody(items) }), 1, 'k8s-agents');
  assert.deepEqual(jobs, [
    { requestId: 1, poolName: 'k8s-agents', demands: ['docker'], queueTime: T, jobName: undefined, definitionName: undefined },
    { requestId: 4, poolName: 'k8s-agents', demands: [], queueTime: T, jobName: 'Build ✓', definitionName: undefined },
  ]);
  assert.ok(jobs[0]!.queueTime instanceof Date);
});

test('streamJobRequests reports the oldest unfinished request (claimed ones included) and the body\'s size', async () => {
  const items = [request({ requestId: 9 }), request({ requestId: 4, receiveTime: T }), request({ requestId: 6, assignTime: T })];
  const body = jobsBody(items);
  const read = await complete(streamJobRequests(clientAnswering({ jobs: body }), 1, 'p'));
  assert.deepEqual(read.jobs.map((j) => j.requestId), [9]);
  assert.equal(read.oldestUnfinished, 4, 'a running request is unfinished: the floor must not pass it');
  assert.equal(read.bytes, Buffer.byteLength(body.body));
  assert.equal(read.requests, 3);
  assert.equal((await complete(streamJobRequests(clientAnswering({ jobs: jobsBody([]) }), 1, 'p'))).oldestUnfinished, undefined);
});

test('the unfinished-only listing past a size limit is stopped and its connection dropped, nothing in it used', async () => {
  const body = jobsBody(Array.from({ length: 50 }, (_, i) => request({ requestId: i + 1 }))).body;
  let destroyed = false;
  const listing = Object.assign(Readable.from([body.slice(0, 1000), body.slice(1000, 2000), body.slice(2000)]), { statusCode: 200, headers: {} });
  const open: OpenJobRequestListing = async () => Object.assign(listing, { destroy: () => { destroyed = true; } }) as never;
  assert.deepEqual(await streamJobRequests(clientAnswering({}), 1, 'p', open, 1500), { kind: 'too-large', bytes: 2000 });
  assert.ok(destroyed);
});

test('the unfinished-only listing: statuses are classified like every other call (429 Retry-After, 401, 5xx, 400, 404)', async () => {
  const answer = (status: number, headers: Record<string, string> = {}, body = '') => listPendingJobs(clientAnswering({ jobs: { status, headers, body } }), 1, 'p');
  await assert.rejects(answer(429, { 'retry-after': '17' }), (err) => err instanceof AzdoThrottledError && err.retryAfterSeconds === 17);
  await assert.rejects(answer(401, {}, '<html>sign in</html>'), (err) => err instanceof AzdoAuthError);
  await assert.rejects(answer(403), (err) => err instanceof AzdoAuthError);
  await assert.rejects(answer(503, {}, '<html>down</html>'), (err) => err instanceof AzdoUnavailableError && err.statusCode === 503);
  await assert.rejects(
    answer(400, {}, JSON.stringify({ message: 'completedRequestCount is bad', typeKey: 'ArgumentException' })),
    (err) => err instanceof AzdoRequestError && /completedRequestCount is bad/.test(err.message),
  );
  await assert.rejects(answer(404), (err) => err instanceof AzdoUnavailableError && err.statusCode === 404 && !(err instanceof AzdoUnreadableResponseError));
});

test('listAgents: null and {} are unreadable, never "no agents"', async () => {
  await assert.rejects(listAgents(clientAnswering({ agents: null }), 1, 'k8s-agents'), unreadable(/^list agents of pool "k8s-agents": /));
  await assert.rejects(listAgents(clientAnswering({ agents: {} }), 1, 'k8s-agents'), unreadable(/empty object/));
  assert.deepEqual((await listAgents(clientAnswering({ agents: [agent()] }), 1, 'p')).map((a) => a.name), ['linux-abc12']);
});

test('listAgents lists lean (capabilities unread); readAgentCapabilities reads one agent’s, or says it is gone', async () => {
  const listed = await listAgents(clientAnswering({ agents: [agent({ systemCapabilities: { AZDO_GITOPS_SPEC: 'linux' } })] }), 1, 'p');
  assert.equal(listed[0]?.capabilitiesRead, false);
  const marked = agent({ systemCapabilities: { AZDO_GITOPS_SPEC: 'linux' }, userCapabilities: { docker: 'true' } });
  const read = await readAgentCapabilities(clientAnswering({ agents: [marked] }), 1, 'p', { id: 4, name: 'linux-abc12' });
  assert.equal(read?.specMarker, 'linux');
  assert.deepEqual(read?.userCapabilities, { docker: 'true' });
  assert.ok(!('capabilitiesRead' in read!), 'read: the field is absent');
  assert.equal(await readAgentCapabilities(clientAnswering({ agents: [] }), 1, 'p', { id: 4, name: 'linux-abc12' }), undefined, 'no longer registered');
  assert.equal(await readAgentCapabilities(clientAnswering({ agents: [agent({ id: 9 })] }), 1, 'p', { id: 4, name: 'linux-abc12' }), undefined, 'registered again under a new id');
  await assert.rejects(readAgentCapabilities(clientAnswering({ agents: null }), 1, 'p', { id: 4, name: 'linux-abc12' }), unreadable(/^read the capabilities of agent "linux-abc12" of pool "p": /));
  await assert.rejects(listAgentCapabilities(clientAnswering({ agents: {} }), 1, 'p'), unreadable(/empty object/));
});

test('readAgent: the agent read is returned; an unreadable object throws', async () => {
  assert.equal((await readAgent(clientAnswering({ agent: agent({ enabled: false }) }), 1, 'p', 4))?.enabled, false);
  await assert.rejects(readAgent(clientAnswering({ agent: {} }), 1, 'p', 4), unreadable(/^read agent 4 of pool "p": .*empty object/));
});

test('readAgent: null (a 404 or an unreadable 2xx alike) is settled by a readable list of the pool', async () => {
  assert.equal(await readAgent(clientAnswering({ agent: null, agents: [agent({ id: 5, name: 'other' })] }), 1, 'p', 4), undefined, 'gone');
  assert.equal((await readAgent(clientAnswering({ agent: null, agents: [agent({ enabled: false })] }), 1, 'p', 4))?.enabled, false, 'there');
  await assert.rejects(readAgent(clientAnswering({ agent: null, agents: null }), 1, 'p', 4), unreadable(/^list agents of pool "p": /), 'not known');
});

test('PoolDirectory: an unreadable pool list is unavailable, not a missing pool', async () => {
  await assert.rejects(new PoolDirectory(clientAnswering({ pools: null })).idOf('k8s-agents'), unreadable(/^find pool "k8s-agents": /));
  await assert.rejects(new PoolDirectory(clientAnswering({ pools: [{ name: 'k8s-agents' }] })).idOf('k8s-agents'), unreadable(/no numeric id/));
  await assert.rejects(new PoolDirectory(clientAnswering({ pools: [] })).idOf('k8s-agents'), AzdoPoolNotFoundError);
  assert.equal(await new PoolDirectory(clientAnswering({ pools: [{ id: 9, name: 'K8s-Agents' }] })).idOf('k8s-agents'), 9);
});

test('the unfinished-only listing: a connection lost mid-body is unavailable (retried), never the requests read so far', async () => {
  let destroyed = false;
  const listing = {
    statusCode: 200,
    headers: {},
    destroy: () => {
      destroyed = true;
    },
    async *[Symbol.asyncIterator]() {
      yield `{"count":2,"value":[${JSON.stringify(request({ requestId: 1 }))},`;
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    },
  };
  await assert.rejects(
    listPendingJobs(clientAnswering({}), 1, 'p', async () => listing),
    (err) => err instanceof AzdoUnavailableError && !(err instanceof AzdoUnreadableResponseError) && /aborted/.test(err.message),
  );
  assert.ok(destroyed, 'the rest of the body is not read');
});

// Commit messages as git itself reads them (git interpret-trailers), and as people read them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { formatCommitMessage, parseTrailers } from '../../reconciler/gitops/index.ts';
import type { Plan } from '../../reconciler/plan/changes.ts';

const empty: Plan = { add: [], remove: [], unregister: [], registerPlaceholders: [], unmatchedJobs: [], summaries: [], foreignAgents: [] };

function gitTrailers(message: string): string {
  return execFileSync('git', ['interpret-trailers', '--parse'], { input: message, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
}

test('single spec: summary, body, skip-ci markers, trailers git recognizes', () => {
  const plan: Plan = {
    ...empty,
    add: [
      { podName: 'linux-docker-b', specName: 'linux-docker', reason: 'pending-jobs', jobRequestIds: [102] },
      { podName: 'linux-docker-a', specName: 'linux-docker', reason: 'pending-jobs', jobRequestIds: [101] },
    ],
    remove: [{ path: 'agents/pods/linux-docker/linux-docker-z.yaml', podName: 'linux-docker-z', specName: 'linux-docker', reason: 'pod-succeeded', agentId: undefined, ranJobRequestId: 97 }],
    unmatchedJobs: [{ requestId: 103, poolName: 'k8s-agents', demands: ['gpu'], reason: 'no spec provides gpu' }],
  };
  const msg = formatCommitMessage(plan, '2025-01-01T00:00:00.000Z');
  assert.equal(msg.split('\n')[0], 'scale linux-docker: +2 agents for jobs 101,102; -1 finished');
  assert.match(msg, /^ {2}linux-docker-a {2}\(linux-docker\) pending-jobs, job requests 101$/m);
  assert.match(msg, /^ {2}linux-docker-z {2}\(linux-docker\) pod-succeeded, ran job request 97$/m);
  assert.match(msg, /^ {2}103 \(pool k8s-agents\): no spec provides gpu$/m);
  assert.match(msg, /\[skip ci\]/);
  assert.match(msg, /\*\*\*NO_CI\*\*\*/);
  assert.equal(gitTrailers(msg), [
    'Azdo-Gitops-Added: linux-docker-a,linux-docker-b',
    'Azdo-Gitops-Removed: linux-docker-z',
    'Azdo-Gitops-Job-Requests: 101,102',
    'Azdo-Gitops-Ran-Job-Requests: 97',
    'Azdo-Gitops-Pass: 2025-01-01T00:00:00.000Z',
    '',
  ].join('\n'));
  assert.deepEqual(parseTrailers(msg), {
    added: ['linux-docker-a', 'linux-docker-b'], removed: ['linux-docker-z'], jobRequestIds: [101, 102], ranJobRequestIds: [97], passId: '2025-01-01T00:00:00.000Z',
  });
  assert.equal(formatCommitMessage(plan, '2025-01-01T00:00:00.000Z'), msg, 'deterministic');
});

test('several specs, standby, many jobs, removals only', () => {
  const many = Array.from({ length: 8 }, (_, i) => 200 + i);
  const plan: Plan = {
    ...empty,
    add: [
      ...many.map((id) => ({ podName: `linux-${id}`, specName: 'linux', reason: 'pending-jobs' as const, jobRequestIds: [id] })),
      { podName: 'win-s1', specName: 'windows', reason: 'standby', jobRequestIds: [] },
    ],
  };
  assert.equal(formatCommitMessage(plan, 'p').split('\n')[0], 'scale linux,windows: +9 agents for jobs 200,201,202,203,204,…(+3) (1 standby)');
  const rm: Plan = {
    ...empty,
    remove: [
      { path: 'a', podName: 'a', specName: 's1', reason: 'scale-down', agentId: 1 },
      { path: 'b', podName: 'b', specName: 's2', reason: 'scale-down', agentId: 2 },
      { path: 'c', podName: 'c', specName: 's3', reason: 'image-pull-deadline', agentId: undefined },
      { path: 'd', podName: 'd', specName: 's4', reason: 'pod-failed', agentId: undefined },
    ],
  };
  const msg = formatCommitMessage(rm, 'p2');
  assert.equal(msg.split('\n')[0], 'scale 4 specs: -2 idle, -1 failed, -1 stuck');
  assert.deepEqual(parseTrailers(msg), { added: [], removed: ['a', 'b', 'c', 'd'], jobRequestIds: [], ranJobRequestIds: [], passId: 'p2' });
  assert.match(gitTrailers(msg), /^Azdo-Gitops-Removed: a,b,c,d$/m);
  assert.equal(formatCommitMessage(empty, 'p3').split('\n')[0], 'azdo-gitops: update agents directory');
  assert.deepEqual(parseTrailers('no trailers here'), { added: [], removed: [], jobRequestIds: [], ranJobRequestIds: [], passId: undefined });
});

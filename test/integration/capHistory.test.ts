// The history check every e2e scenario ends with, proven to catch what it looks for: a real git
// repository with a person's commits and reconciler commits (Azdo-Gitops-Pass trailer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manifestPath } from '../../reconciler/manifests/layout.ts';
import { renderPod } from '../../reconciler/manifests/renderPod.ts';
import { DEFAULT_SPEC_DEFAULTS } from '../../reconciler/agentspec/specDefaults.ts';
import { parseAgentSpecs } from '../../reconciler/agentspec/loadSpecs.ts';
import { PROJECT_ROOT } from '../../sandbox/index.ts';
import { runGit } from '../../sandbox/git/index.ts';
import { capViolationsInHistory } from '../helpers/capHistory.ts';

const example = (rel: string) => readFile(join(PROJECT_ROOT, 'cluster-repo-example', rel), 'utf8');

test('the history check names the reconciler commit that added an agent above maxAgents, and only that one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cap-history-'));
  try {
    const work = join(dir, 'work');
    await mkdir(work);
    const git = (args: string[]) => runGit(args, work);
    await git(['init', '--quiet', '--initial-branch=main']);
    const template = await example('templates/agent-pod.yaml');
    const specYaml = (await example('agentspecs/linux.yaml')).replace(/maxAgents: \d+/, 'maxAgents: 1');
    const [spec] = parseAgentSpecs([{ path: 'agentspecs/linux.yaml', content: specYaml }], new Map([['templates/agent-pod.yaml', template]]), DEFAULT_SPEC_DEFAULTS).specs;
    assert.ok(spec);
    const write = async (rel: string, content: string | null) => {
      if (content === null) return rm(join(work, rel));
      await mkdir(join(work, rel, '..'), { recursive: true });
      await writeFile(join(work, rel), content);
    };
    const pod = (name: string) => [manifestPath('agents', 'linux', name), renderPod(spec, name, { orgUrl: 'https://dev.azure.com/org', createdAt: new Date(0), jobRequestIds: [] })] as const;
    const commit = async (message: string, files: readonly (readonly [string, string | null])[]) => {
      for (const [rel, content] of files) await write(rel, content);
      await git(['add', '-A']);
      await git(['commit', '--quiet', '-m', message]);
      return (await git(['rev-parse', 'HEAD'])).stdout.trim();
    };
    const trailer = '\n\nAzdo-Gitops-Pass: 2026-01-01T00:00:00.000Z';

    await commit('a person sets up the repo', [['agentspecs/linux.yaml', specYaml], ['templates/agent-pod.yaml', template]]);
    await commit(`scale linux: +1${trailer}`, [pod('linux-aaaaa1')]);
    const over = await commit(`scale linux: +1${trailer}`, [pod('linux-bbbbb2')]);
    await commit(`scale linux: -1${trailer}`, [[pod('linux-aaaaa1')[0], null]]);
    await commit('a person adds a pod file by hand', [pod('linux-ccccc3')]);

    const violations = await capViolationsInHistory(join(work, '.git'), work, {});
    assert.equal(violations.length, 1, violations.join('\n'));
    assert.match(violations[0]!, new RegExp(`commit ${over.slice(0, 12)}: spec linux holds 2 agents after adding 1, above its maxAgents 1`));
    const withGlobalCap = await capViolationsInHistory(join(work, '.git'), work, { MAX_AGENTS: '1' });
    assert.deepEqual(withGlobalCap, [violations[0], `commit ${over.slice(0, 12)}: 2 agents in all after adding 1, above MAX_AGENTS 1`]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

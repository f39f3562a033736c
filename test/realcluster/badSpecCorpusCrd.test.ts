// The bad-spec corpus (test/fixtures/badSpecs.ts) against the AgentSpec CRD on a real API server
// (`kubectl apply --dry-run=server`): where the CRD can judge a spec, the API server's verdict is
// the reconciler's (rejected). The rest (conflicts, namespaces other than TARGET_NAMESPACE, token
// literals, annotation totals, label keys, template files) only the reconciler can judge: the
// list below is the gap, kept exact so a CRD that starts (or stops) judging one fails this test.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../sandbox/index.ts';
import { BAD_SPECS, NO_CONTEXT_SPEC, RISKY_SPEC } from '../fixtures/badSpecs.ts';
import { startRealCluster, type RealCluster } from '../helpers/realCluster.ts';

const START_TIMEOUT = 120 * 60_000; // includes a cold build of the binaries

/** Corpus files the API server (or kubectl, for what is not YAML it can send) refuses too. */
const REFUSED_BY_THE_API_SERVER: ReadonlySet<string> = new Set([
  'agentspecs/bad-alias-bomb.yaml', // kubectl: excessive aliasing
  'agentspecs/bad-syntax.yaml', // kubectl: not YAML
  'agentspecs/bad-not-mapping.yaml', // kubectl: not an object
  'agentspecs/bad-kind.yaml',
  'agentspecs/bad-api-version.yaml',
  'agentspecs/bad-16k-keys.yaml', // unknown fields
  'agentspecs/bad-unknown-field.yaml',
  'agentspecs/bad-300k-annotation.yaml',
  'agentspecs/bad-doc2.yaml',
  'agentspecs/bad-label-value.yaml',
  'agentspecs/bad-prefix-length.yaml',
  'agentspecs/bad-max-agents.yaml',
  'agentspecs/bad-no-template.yaml',
  'agentspecs/bad-no-containers.yaml',
  'agentspecs/bad-capability.yaml',
  'agentspecs/bad-token-ref.yaml',
  'agentspecs/bad-deadline.yaml',
  'agentspecs/bad-pool.yaml',
]);

describe('the bad-spec corpus against the AgentSpec CRD on a real API server', { timeout: START_TIMEOUT }, () => {
  let cluster: RealCluster;
  before(async () => {
    cluster = await startRealCluster();
    await cluster.applyCrds([join(PROJECT_ROOT, 'cluster-repo-example/crds/agentspec.yaml')]);
  }, { timeout: START_TIMEOUT });
  after(async () => {
    await cluster?.stop();
  });

  const refused = async (content: string): Promise<boolean> =>
    (await cluster.kubectl(['apply', '--dry-run=server', '-n', 'azdo-agents', '-f', '-'], { input: content, allowFail: true })).code !== 0;

  it('refuses exactly the corpus files the CRD can judge (the reconciler refuses all of them: test/e2e/badSpecCorpus.test.ts)', async (t) => {
    const verdicts = await Promise.all(BAD_SPECS.map(async (s) => [s.path, await refused(s.content)] as const));
    const wrong = verdicts.filter(([path, r]) => r !== REFUSED_BY_THE_API_SERVER.has(path)).map(([path, r]) => `${path}: the API server ${r ? 'refused' : 'accepted'} it`);
    assert.deepEqual(wrong, []);
    t.diagnostic(`${REFUSED_BY_THE_API_SERVER.size} of ${BAD_SPECS.length} bad specs judged by the CRD too; the other ${BAD_SPECS.length - REFUSED_BY_THE_API_SERVER.size} only by the reconciler`);
  });

  it('accepts the risky but valid specs the reconciler accepts with warnings', async () => {
    assert.equal(await refused(RISKY_SPEC.content), false);
    assert.equal(await refused(NO_CONTEXT_SPEC.content), false);
  });
});

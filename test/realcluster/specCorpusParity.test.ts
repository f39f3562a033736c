// The shared AgentSpec corpus (test/fixtures/specCorpus.ts) against the generated CRD on a real API
// server: every document gets the verdict `validate` gives it (test/unit/specCorpusVerdicts.test.ts),
// except where the entry names a reason only the reconciler can judge it; those the API server
// must accept, so a CRD that starts judging one fails here until the reason is dropped.
// Applied as Flux applies (server-side apply) with strict field validation, kubectl's default:
// a client that asks for none gets unknown fields dropped with a warning instead.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../sandbox/index.ts';
import { CRD_BLIND_SPOTS, SPEC_CORPUS } from '../fixtures/specCorpus.ts';
import { startRealCluster, type RealCluster } from '../helpers/realCluster.ts';

const START_TIMEOUT = 120 * 60_000; // includes a cold build of the binaries
/** kubectl processes at once: the API server is shared with the machine's other work. */
const PARALLEL = 6;

describe('the AgentSpec corpus against the generated CRD on a real API server', { timeout: START_TIMEOUT }, () => {
  let cluster: RealCluster;
  before(async () => {
    cluster = await startRealCluster();
    await cluster.applyCrds([join(PROJECT_ROOT, 'cluster-repo-example/crds/agentspec.yaml')]);
  }, { timeout: START_TIMEOUT });
  after(async () => {
    await cluster?.stop();
  });

  const verdict = async (content: string): Promise<{ accepted: boolean; stderr: string }> => {
    const r = await cluster.kubectl(['apply', '--server-side', '--dry-run=server', '--validate=strict', '-n', 'azdo-agents', '-f', '-'], { input: content, allowFail: true });
    return { accepted: r.code === 0, stderr: r.stderr.trim().slice(0, 300) };
  };

  it('accepts and refuses exactly what validate does, but for the listed blind spots', async (t) => {
    const results: { path: string; accepted: boolean; stderr: string }[] = [];
    for (let i = 0; i < SPEC_CORPUS.length; i += PARALLEL) {
      results.push(...(await Promise.all(SPEC_CORPUS.slice(i, i + PARALLEL).map(async (d) => ({ path: d.path, ...(await verdict(d.content)) })))));
    }
    const wrong = SPEC_CORPUS.flatMap((d, i) => {
      const r = results[i]!;
      const expected = d.crdBlindSpot ? true : d.valid;
      if (r.accepted === expected) return [];
      return [`${d.path}: the API server ${r.accepted ? 'accepted' : 'refused'} it, validate ${d.valid ? 'accepts' : 'refuses'} it${d.crdBlindSpot ? ` (listed as ${d.crdBlindSpot})` : ''}${r.accepted ? '' : `: ${r.stderr}`}`];
    });
    assert.deepEqual(wrong, []);
    const blind = SPEC_CORPUS.filter((d) => d.crdBlindSpot);
    t.diagnostic(`${SPEC_CORPUS.length - blind.length} of ${SPEC_CORPUS.length} documents judged alike; ${blind.length} only by the reconciler: ${Object.keys(CRD_BLIND_SPOTS).map((k) => `${k} ×${blind.filter((d) => d.crdBlindSpot === k).length}`).join(', ')}`);
  });
});

// The reconciler's connection to Azure DevOps keeps its connections alive: a pass's calls (an
// agent list and the job listing's pages, one after another) share a connection instead of
// opening one each, which against the service is a TCP and a TLS handshake per call.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { connectTaskAgentApi } from '../../reconciler/azdo/connection.ts';
import { JobListingMemory } from '../../reconciler/azdo/jobListingFloor.ts';
import { PoolDirectory } from '../../reconciler/azdo/pools.ts';
import { observeAzdo } from '../../reconciler/observe/azdoSnapshot.ts';
import { startAzdoEmulator, type AzdoEmulator } from '../../sandbox/azdo/index.ts';
import { selfSignedCert } from '../../sandbox/cluster/apiserver/selfSignedCert.ts';
import { admin, queueJob, taskAgentApi } from '../helpers/azdoClient.ts';

const POOL = 'k8s-agents';

/** Three passes' reads of a pool with 450 queued jobs: the calls made and the connections they took. */
async function threePasses(emu: AzdoEmulator): Promise<{ calls: number; connections: number; forms: string }> {
  const api = await connectTaskAgentApi(emu.orgUrl, emu.token);
  // Paged from the first read: every listing of the pool is pages of 200.
  const session = { api, pools: new PoolDirectory(api), jobListings: new JobListingMemory({ pagedFromBytes: 1, pagedFromRequestBytes: 1, pageBytes: 1 }) };
  await observeAzdo(session, [POOL]);
  await admin(emu, 'DELETE', '/stats');
  for (let pass = 0; pass < 3; pass++) {
    const seen = await observeAzdo(session, [POOL]);
    assert.equal(seen.pendingJobs.length, 450);
  }
  const stats = (await admin(emu, 'GET', '/stats')).body as { requests: number; connections: number; byForm: Record<string, number> };
  // Azure DevOps calls; the admin API's are not counted.
  return { calls: stats.requests, connections: stats.connections, forms: JSON.stringify(stats.byForm) };
}

async function seed(emu: AzdoEmulator): Promise<void> {
  const setup = await taskAgentApi(emu);
  await setup.addAgent({ name: 'placeholder', version: '4.250.0', enabled: true, userCapabilities: { docker: '' } } as never, 1);
  // More than two pages of the paged listing.
  for (let i = 0; i < 450; i++) await queueJob(emu, { pool: POOL, demands: ['docker'] });
}

describe('connections to Azure DevOps', () => {
  let emu: AzdoEmulator;
  let tlsEmu: AzdoEmulator;
  before(async () => {
    const cert = selfSignedCert({ commonName: 'azdo-emulator' });
    setDefaultCACertificates([...getCACertificates('default'), cert.certPem]);
    [emu, tlsEmu] = await Promise.all([startAzdoEmulator(), startAzdoEmulator({ tls: cert })]);
    await Promise.all([seed(emu), seed(tlsEmu)]);
  });
  after(() => Promise.all([emu.close(), tlsEmu.close()]));

  it('passes read over kept-alive connections: many calls, one connection', async () => {
    const { calls, connections, forms } = await threePasses(emu);
    assert.ok(calls >= 3 * 4, `an agent list and three pages a pass: ${forms}`);
    // One connection for the client's calls, at most one more for this test's own admin reads.
    assert.ok(connections <= 2, `${connections} connections for ${calls} calls`);
  });

  it('over HTTPS, as the service serves it: the same calls over one connection, so one TLS handshake', async () => {
    assert.ok(tlsEmu.orgUrl.startsWith('https://'), tlsEmu.orgUrl);
    const { calls, connections, forms } = await threePasses(tlsEmu);
    assert.ok(calls >= 3 * 4, forms);
    assert.ok(connections <= 2, `${connections} connections for ${calls} calls`);
  });
});

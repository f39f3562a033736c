// What a pass's Azure DevOps reads cost in connections: the emulator over HTTPS (as the service
// is), reached through a proxy that delays every packet by half a round trip (so a TCP and a TLS
// handshake cost what they cost over a network), read by observeAzdo as a pass reads a large pool
// (its agent list and four pages of the paged job listing). Two clients: the reconciler's
// (azdo/connection.ts, connections kept alive) and the published client's default, a new
// connection per call (what connection.ts built before). Prints a Markdown table.
// Run: npx node bench/connectionCost.ts [--rtt 0,20,50] [--passes 10]
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { WebApi, getPersonalAccessTokenHandler } from 'azure-devops-node-api';
import { connectTaskAgentApi, type TaskAgentApi } from '../reconciler/azdo/connection.ts';
import { JobListingMemory } from '../reconciler/azdo/jobListingFloor.ts';
import { PoolDirectory } from '../reconciler/azdo/pools.ts';
import { observeAzdo } from '../reconciler/observe/azdoSnapshot.ts';
import { startAzdoEmulator } from '../sandbox/azdo/index.ts';
import { selfSignedCert } from '../sandbox/cluster/apiserver/selfSignedCert.ts';
import { arg, pct } from './scaleProcesses.ts';

const POOL = 'k8s-agents';

/** A TCP proxy to `port` that holds every chunk, each way, for half of `rttMs`. */
async function delayingProxy(port: number, rttMs: number): Promise<Server> {
  const half = rttMs / 2;
  const forward = (from: Socket, to: Socket): void => {
    from.on('data', (chunk) => setTimeout(() => to.write(chunk), half));
    from.on('end', () => setTimeout(() => to.end(), half));
    from.on('error', () => to.destroy());
    from.on('close', () => setTimeout(() => to.destroy(), half));
  };
  const proxy = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return proxy;
}

async function main(): Promise<void> {
  const rtts = arg('rtt', '0,20,50').split(',').map(Number);
  const passes = Number(arg('passes', '10'));
  const cert = selfSignedCert({ commonName: 'azdo-emulator' });
  setDefaultCACertificates([...getCACertificates('default'), cert.certPem]);
  const emu = await startAzdoEmulator({ tls: cert });
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${emu.adminUrl}${path}`, { method, ...(body ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {}) });
  try {
    const setup = await connectTaskAgentApi(emu.orgUrl, emu.token);
    await setup.addAgent({ name: 'placeholder', version: '4.250.0', enabled: true, userCapabilities: { docker: '' } } as never, 1);
    for (let i = 0; i < 700; i++) await admin('POST', '/jobs', { pool: POOL, demands: ['docker'] });
    const port = Number(new URL(emu.url).port);
    console.log('| round trip ms | client | calls / pass | connections / pass | pass ms (median) | CPU ms / pass, both ends |');
    console.log('|---:|---|---:|---:|---:|---:|');
    for (const rtt of rtts) {
      const proxy = await delayingProxy(port, rtt);
      const orgUrl = emu.orgUrl.replace(`:${port}/`, `:${(proxy.address() as AddressInfo).port}/`);
      const clients: [string, () => Promise<TaskAgentApi>][] = [
        ['kept alive (connection.ts)', () => connectTaskAgentApi(orgUrl, emu.token)],
        ['a connection per call (before)', () => new WebApi(orgUrl, getPersonalAccessTokenHandler(emu.token), { socketTimeout: 30_000 }).getTaskAgentApi()],
      ];
      for (const [name, open] of clients) {
        const api = await open();
        // Paged from the first read, as a large pool is read.
        const session = { api, pools: new PoolDirectory(api), jobListings: new JobListingMemory({ pagedFromBytes: 1, pagedFromRequestBytes: 1, pageBytes: 1 }) };
        await observeAzdo(session, [POOL]);
        await admin('DELETE', '/stats');
        const walls: number[] = [];
        const cpu = process.cpuUsage();
        for (let p = 0; p < passes; p++) {
          const t = performance.now();
          const seen = await observeAzdo(session, [POOL]);
          walls.push(performance.now() - t);
          if (seen.pendingJobs.length !== 700) throw new Error(`read ${seen.pendingJobs.length} pending jobs, not 700`);
        }
        const used = process.cpuUsage(cpu);
        const stats = (await (await admin('GET', '/stats')).json()) as { requests: number; connections: number };
        const perPass = (n: number): string => (Math.round((n / passes) * 10) / 10).toString();
        console.log(`| ${rtt} | ${name} | ${perPass(stats.requests)} | ${perPass(stats.connections)} | ${pct(walls, 50).toFixed(1)} | ${((used.user + used.system) / 1000 / passes).toFixed(1)} |`);
        process.stderr.write(`connectionCost: rtt ${rtt} ms, ${name} done\n`);
      }
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  } finally {
    await emu.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`connectionCost: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

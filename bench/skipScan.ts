// CPU of reading the unfinished job listing as a stream (reconciler/azdo/jobRequestStream.ts) on a
// synthetic body shaped like the scale world's: 2,000 requests × 200 matchedAgents of ~350 bytes,
// fed in 64 KiB chunks. Prints ms per MiB and the total per pass, best of several runs.
// Usage: npx node bench/skipScan.ts [requests] [agentsPerRequest] [--module <path of another
// jobRequestStream.ts, e.g. main's, for a before/after on the same machine>]
import { resolve } from 'node:path';
import type { scanListBody as ScanListBody } from '../reconciler/azdo/jobRequestStream.ts';

const args = process.argv.slice(2);
const moduleAt = args.indexOf('--module');
const modulePath = moduleAt >= 0 ? resolve(args.splice(moduleAt, 2)[1]!) : '../reconciler/azdo/jobRequestStream.ts';
const { scanListBody } = (await import(modulePath)) as { scanListBody: typeof ScanListBody };
const requests = Number(args[0] ?? 2000);
const perRequest = Number(args[1] ?? 200);
const base = 'https://dev.azure.com/contoso/_apis/distributedtask/pools/3/agents';
const agentRef = (id: number) => ({
  _links: { self: { href: `${base}/${id}` }, web: { href: `https://dev.azure.com/contoso/_settings/agentpools?poolId=3&agentId=${id}` } },
  id,
  name: `agent-${id}`,
  version: '4.248.0',
  osDescription: 'Linux 6.8.0-1017-azure',
  enabled: true,
  status: 'online',
  provisioningState: 'Provisioned',
  accessPoint: 'CodexAccessMapping',
});
const request = (i: number) => JSON.stringify({
  requestId: i, queueTime: '2026-01-01T00:00:00.000Z', serviceOwner: '00025394-6065-48ca-87d9-7f5672854ef7', planType: 'Build',
  jobName: `Job ${i}`, demands: ['docker', 'Agent.OS -equals Linux'],
  matchedAgents: Array.from({ length: perRequest }, (_, k) => agentRef(1 + ((i + k) % 1000))),
  definition: { id: 4, name: 'ci' }, poolId: 3, priority: 0, queueId: 3,
});
const parts: string[] = [];
for (let i = 0; i < requests; i++) parts.push(request(i + 1));
const body = Buffer.from(`{"count":${requests},"value":[${parts.join(',')}]}`);
const mib = body.length / 1024 / 1024;
const CHUNK = 64 * 1024;
const refBytes = JSON.stringify(agentRef(123)).length;

const runs: number[] = [];
for (let run = 0; run < 5; run++) {
  const t0 = process.cpuUsage();
  let n = 0;
  const scanner = scanListBody(() => n++);
  for (let at = 0; at < body.length; at += CHUNK) scanner.write(body.subarray(at, at + CHUNK));
  scanner.end();
  const t = process.cpuUsage(t0);
  if (n !== requests) throw new Error(`read ${n} items`);
  runs.push((t.user + t.system) / 1000);
}
const best = Math.min(...runs);
console.log(JSON.stringify({ requests, perRequest, agentRefBytes: refBytes, bodyMiB: Number(mib.toFixed(1)), chunkKiB: 64, cpuMsPerPass: runs.map((r) => Math.round(r)), bestMs: Math.round(best), msPerMiB: Number((best / mib).toFixed(2)) }));

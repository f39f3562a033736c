// Which job requests still need an agent: no result, no assignment, not running on any agent.
import type { PendingJob, PoolAgent } from './observed.ts';

/** The fields that say a job request was taken up: finished (any result), assigned, reserved or received. */
export type JobLifecycle = Pick<PendingJob, 'result' | 'finishTime' | 'assignTime' | 'receiveTime' | 'reservedAgentId'>;

/**
 * The one "pending" rule: a request needs an agent while none of its lifecycle fields is set. A
 * request with `receiveTime` already runs somewhere; counting it again double-provisions.
 * azdo/jobRequests.ts applies it to the wire's requests, the plan to what it is given.
 */
export function isUnclaimed(job: JobLifecycle): boolean {
  return (
    job.result === undefined &&
    job.finishTime === undefined &&
    job.assignTime === undefined &&
    job.receiveTime === undefined &&
    job.reservedAgentId === undefined
  );
}

/** Finished for good (any result, or a finish time): below the floor of a job listing (azdo/jobListingFloor.ts). */
export function isFinished(job: JobLifecycle): boolean {
  return job.result !== undefined || job.finishTime !== undefined;
}

/** Unclaimed, and not the request an agent already reports as its own. */
export function needsAgent(job: PendingJob, busyRequestIds: ReadonlySet<number>): boolean {
  return isUnclaimed(job) && !busyRequestIds.has(job.requestId);
}

/** Pending jobs, deduplicated by requestId, oldest first (queueTime, then requestId). */
export function pendingJobs(jobs: readonly PendingJob[], agents: readonly PoolAgent[]): PendingJob[] {
  const busy = new Set<number>();
  for (const a of agents) if (a.assignedRequestId !== undefined) busy.add(a.assignedRequestId);
  const seen = new Set<number>();
  const out: PendingJob[] = [];
  for (const j of jobs) {
    if (seen.has(j.requestId) || !needsAgent(j, busy)) continue;
    seen.add(j.requestId);
    out.push(j);
  }
  return out.sort(byQueue);
}

export function byQueue(a: PendingJob, b: PendingJob): number {
  return a.queueTime.getTime() - b.queueTime.getTime() || a.requestId - b.requestId;
}

// The commit message of one pass: read by people in `git log`, parsed by tools via trailers.
//
//   scale linux-docker: +2 agents for jobs 101,102; -1 finished
//
//   Added:
//     linux-docker-7f3k2  (linux-docker) pending-jobs, job requests 101
//   Removed:
//     linux-docker-a81bc  (linux-docker) pod-succeeded, ran job request 97
//
//   [skip ci] ***NO_CI***
//
//   Azdo-Gitops-Added: linux-docker-7f3k2,linux-docker-x2p9q
//   Azdo-Gitops-Removed: linux-docker-a81bc
//   Azdo-Gitops-Job-Requests: 101,102
//   Azdo-Gitops-Ran-Job-Requests: 97
//   Azdo-Gitops-Pass: 2024-05-01T10:00:00Z-42
import type { Plan, RemoveReason } from '../plan/changes.ts';

export const TRAILER_ADDED = 'Azdo-Gitops-Added';
export const TRAILER_REMOVED = 'Azdo-Gitops-Removed';
export const TRAILER_JOB_REQUESTS = 'Azdo-Gitops-Job-Requests';
/** The jobs the removed pods' agents ran (a job may run on an agent started for another). */
export const TRAILER_RAN_JOB_REQUESTS = 'Azdo-Gitops-Ran-Job-Requests';
export const TRAILER_PASS = 'Azdo-Gitops-Pass';
export const SKIP_CI = '[skip ci] ***NO_CI***';

const REMOVE_WORD: Record<RemoveReason, string> = {
  'pod-succeeded': 'finished',
  'pod-failed': 'failed',
  'pod-start-error': 'failed',
  'pod-deleted': 'deleted',
  'image-pull-deadline': 'stuck',
  'unschedulable-deadline': 'stuck',
  'registration-deadline': 'stuck',
  'sync-deadline': 'stuck',
  'scale-down': 'idle',
  rotation: 'rotated',
  'spec-removed': 'spec removed',
};

const MAX_IDS_IN_SUMMARY = 5;

function idList(ids: readonly number[], max = Number.POSITIVE_INFINITY): string {
  const shown = ids.slice(0, max).join(',');
  return ids.length > max ? `${shown},…(+${ids.length - max})` : shown;
}

function uniqueSorted(ids: Iterable<number>): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

function summary(plan: Plan): string {
  const specs = [...new Set([...plan.add.map((a) => a.specName), ...plan.remove.map((r) => r.specName)])].sort();
  const who = specs.length === 0 ? 'agents' : specs.length <= 3 ? specs.join(',') : `${specs.length} specs`;
  const parts: string[] = [];
  if (plan.add.length > 0) {
    const jobs = uniqueSorted(plan.add.flatMap((a) => a.jobRequestIds));
    const noun = plan.add.length === 1 ? 'agent' : 'agents';
    const standby = plan.add.filter((a) => a.reason === 'standby').length;
    const rotation = plan.add.filter((a) => a.reason === 'rotation').length;
    let s = `+${plan.add.length} ${noun}`;
    if (jobs.length > 0) s += ` for ${jobs.length === 1 ? 'job' : 'jobs'} ${idList(jobs, MAX_IDS_IN_SUMMARY)}`;
    const extra = [standby ? `${standby} standby` : '', rotation ? `${rotation} rotation` : ''].filter(Boolean);
    if (extra.length > 0) s += ` (${extra.join(', ')})`;
    parts.push(s);
  }
  if (plan.remove.length > 0) {
    const counts = new Map<string, number>();
    for (const r of plan.remove) counts.set(REMOVE_WORD[r.reason], (counts.get(REMOVE_WORD[r.reason]) ?? 0) + 1);
    parts.push([...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w, n]) => `-${n} ${w}`).join(', '));
  }
  if (parts.length === 0) return 'azdo-gitops: update agents directory';
  return `scale ${who}: ${parts.join('; ')}`;
}

export interface CommitMessageOptions {
  /** Extra paragraph after the lists, e.g. "kustomization.yaml regenerated". */
  readonly note?: string;
}

/** The commit message for a plan's manifest changes. Deterministic for a given plan and pass id. */
export function formatCommitMessage(plan: Plan, passId: string, opts: CommitMessageOptions = {}): string {
  const lines: string[] = [summary(plan), ''];
  const add = [...plan.add].sort((a, b) => (a.podName < b.podName ? -1 : 1));
  const remove = [...plan.remove].sort((a, b) => (a.podName < b.podName ? -1 : 1));
  if (add.length > 0) {
    lines.push('Added:');
    for (const a of add) {
      const jobs = a.jobRequestIds.length > 0 ? `, job requests ${idList(uniqueSorted(a.jobRequestIds))}` : '';
      lines.push(`  ${a.podName}  (${a.specName}) ${a.reason}${jobs}`);
    }
  }
  if (remove.length > 0) {
    lines.push('Removed:');
    for (const r of remove) lines.push(`  ${r.podName}  (${r.specName}) ${r.reason}${r.ranJobRequestId !== undefined ? `, ran job request ${r.ranJobRequestId}` : ''}`);
  }
  if (plan.unmatchedJobs.length > 0) {
    lines.push('No spec matches job requests:');
    for (const u of plan.unmatchedJobs.slice(0, 10)) lines.push(`  ${u.requestId} (pool ${u.poolName}): ${u.reason}`);
    if (plan.unmatchedJobs.length > 10) lines.push(`  … and ${plan.unmatchedJobs.length - 10} more`);
  }
  if (add.length + remove.length + plan.unmatchedJobs.length > 0) lines.push('');
  if (opts.note) lines.push(opts.note.trim(), '');
  lines.push(SKIP_CI, '');
  const jobs = uniqueSorted(plan.add.flatMap((a) => a.jobRequestIds));
  if (add.length > 0) lines.push(`${TRAILER_ADDED}: ${add.map((a) => a.podName).join(',')}`);
  if (remove.length > 0) lines.push(`${TRAILER_REMOVED}: ${remove.map((r) => r.podName).join(',')}`);
  if (jobs.length > 0) lines.push(`${TRAILER_JOB_REQUESTS}: ${jobs.join(',')}`);
  const ran = uniqueSorted(plan.remove.flatMap((r) => (r.ranJobRequestId !== undefined ? [r.ranJobRequestId] : [])));
  if (ran.length > 0) lines.push(`${TRAILER_RAN_JOB_REQUESTS}: ${ran.join(',')}`);
  lines.push(`${TRAILER_PASS}: ${passId.replace(/\s+/g, '-')}`);
  return lines.join('\n') + '\n';
}

/** Alias of formatCommitMessage. */
export const commitMessage = formatCommitMessage;

export interface ParsedTrailers {
  readonly added: string[];
  readonly removed: string[];
  readonly jobRequestIds: number[];
  readonly ranJobRequestIds: number[];
  readonly passId: string | undefined;
}

/** Reads the Azdo-Gitops-* trailers of a commit message (absent trailers → empty lists). */
export function parseTrailers(message: string): ParsedTrailers {
  const values = new Map<string, string>();
  for (const line of message.split(/\r?\n/)) {
    const m = /^(Azdo-Gitops-[A-Za-z-]+):\s*(.*)$/i.exec(line.trim());
    if (m) values.set(m[1]!.toLowerCase(), m[2]!.trim());
  }
  const list = (k: string): string[] => (values.get(k.toLowerCase()) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return {
    added: list(TRAILER_ADDED),
    removed: list(TRAILER_REMOVED),
    jobRequestIds: list(TRAILER_JOB_REQUESTS).map(Number).filter((n) => Number.isInteger(n)),
    ranJobRequestIds: list(TRAILER_RAN_JOB_REQUESTS).map(Number).filter((n) => Number.isInteger(n)),
    passId: values.get(TRAILER_PASS.toLowerCase()) || undefined,
  };
}

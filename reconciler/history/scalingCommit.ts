// One commit of the cluster repo read back as the scaling decision it records. The trailers say
// which pods and jobs; the body lines (`  <pod>  (<spec>) <reason>[, job requests 1,2][, ran job
// request 3]`, gitops/commitMessage.ts) say which spec and why. Pure.
import { parseTrailers } from '../gitops/commitMessage.ts';
import type { AddReason, RemoveReason } from '../plan/changes.ts';

/** A commit as the git adapter reads it. */
export interface RawCommit {
  readonly oid: string;
  readonly time: Date;
  readonly message: string;
}

export interface PodAdded {
  readonly pod: string;
  /** '' when the body line is missing (a trailer alone names the pod). */
  readonly spec: string;
  readonly reason: AddReason | 'unknown';
  /** The job requests the pod was started for. */
  readonly jobRequestIds: readonly number[];
}

export interface PodRemoved {
  readonly pod: string;
  readonly spec: string;
  readonly reason: RemoveReason | 'unknown';
  /** The job the pod's agent ran, when the pool showed one. */
  readonly ranJobRequestId: number | undefined;
}

export interface ScalingCommit {
  readonly oid: string;
  readonly time: Date;
  readonly passId: string;
  readonly summary: string;
  readonly added: readonly PodAdded[];
  readonly removed: readonly PodRemoved[];
}

const ADD_REASONS: ReadonlySet<string> = new Set<AddReason>(['pending-jobs', 'standby', 'rotation']);
const REMOVE_REASONS: ReadonlySet<string> = new Set<RemoveReason>([
  'pod-succeeded', 'pod-failed', 'pod-start-error', 'pod-deleted', 'image-pull-deadline', 'unschedulable-deadline',
  'registration-deadline', 'sync-deadline', 'scale-down', 'rotation', 'spec-removed',
]);

interface BodyLine {
  readonly spec: string;
  readonly reason: string;
  readonly jobs: number[];
  readonly ran: number | undefined;
}

const ids = (s: string | undefined): number[] =>
  (s ?? '').split(',').map((x) => x.trim()).filter((x) => /^\d+$/.test(x)).map(Number);

/** The Added:/Removed: sections of the body, by pod name. */
function bodyLines(message: string): { added: Map<string, BodyLine>; removed: Map<string, BodyLine> } {
  const added = new Map<string, BodyLine>();
  const removed = new Map<string, BodyLine>();
  let section: Map<string, BodyLine> | undefined;
  for (const line of message.split(/\r?\n/)) {
    if (/^Added:\s*$/.test(line)) section = added;
    else if (/^Removed:\s*$/.test(line)) section = removed;
    else if (!line.startsWith('  ')) section = undefined;
    else if (section) {
      const m = /^ {2}(\S+) {2}\(([^)]*)\) ([a-z-]+)(?:, job requests ([\d,]+))?(?:, ran job request (\d+))?\s*$/.exec(line);
      if (m) section.set(m[1]!, { spec: m[2]!, reason: m[3]!, jobs: ids(m[4]), ran: m[5] === undefined ? undefined : Number(m[5]) });
    }
  }
  return { added, removed };
}

/** The scaling decision a commit records, or undefined for a commit azdo-gitops did not make (no pass trailer). */
export function parseScalingCommit(raw: RawCommit): ScalingCommit | undefined {
  const t = parseTrailers(raw.message);
  if (t.passId === undefined) return undefined;
  const body = bodyLines(raw.message);
  return {
    oid: raw.oid,
    time: raw.time,
    passId: t.passId,
    summary: raw.message.split(/\r?\n/, 1)[0] ?? '',
    added: t.added.map((pod) => {
      const b = body.added.get(pod);
      return {
        pod,
        spec: b?.spec ?? '',
        reason: b && ADD_REASONS.has(b.reason) ? (b.reason as AddReason) : 'unknown',
        jobRequestIds: b?.jobs ?? [],
      };
    }),
    removed: t.removed.map((pod) => {
      const b = body.removed.get(pod);
      return {
        pod,
        spec: b?.spec ?? '',
        reason: b && REMOVE_REASONS.has(b.reason) ? (b.reason as RemoveReason) : 'unknown',
        ranJobRequestId: b?.ran,
      };
    }),
  };
}

// Human-readable and JSON renderings of a pass report for `plan` and `status`.
import type { PassReport } from '../plan/passReport.ts';
import { SPEC_MARKER_ENV } from '../manifests/labels.ts';
import type { SpecSummary } from '../plan/changes.ts';
import { formatSpecError } from '../agentspec/specError.ts';

/** One line per spec held back after failing pods (pending jobs stay reported in the table). */
function holdLine(s: SpecSummary): string | undefined {
  if (s.heldUntil === undefined) return undefined;
  return `spec ${s.specName} is backing off until ${s.heldUntil}: no new pod (${s.pendingJobs} pending job${s.pendingJobs === 1 ? ' waits' : 's wait'}); last failing pod ${s.holdReason ?? 'unknown'}`;
}

export function planJson(r: PassReport): unknown {
  return {
    tip: r.tip,
    podsObserved: r.podsObserved,
    observed: r.observed,
    add: r.plan.add,
    remove: r.plan.remove.map(({ path, podName, specName, reason }) => ({ path, podName, specName, reason })),
    unregister: r.plan.unregister,
    registerPlaceholders: r.plan.registerPlaceholders,
    unmatchedJobs: r.plan.unmatchedJobs,
    foreignAgents: r.plan.foreignAgents,
    specs: r.plan.summaries,
    specErrors: r.specErrors,
  };
}

export function statusJson(r: PassReport): unknown {
  return {
    tip: r.tip,
    podsObserved: r.podsObserved,
    specs: r.plan.summaries,
    pendingJobs: r.observed.pendingJobs,
    unmatchedJobs: r.plan.unmatchedJobs,
    foreignAgents: r.plan.foreignAgents,
    agents: r.observed.agents,
    manifests: r.observed.manifests,
    pods: r.observed.pods ?? null,
    specErrors: r.specErrors,
    specWarnings: r.specWarnings ?? [],
    pendingChanges: { add: r.plan.add.length, remove: r.plan.remove.length, unregister: r.plan.unregister.length },
  };
}

export function planText(r: PassReport): string {
  const lines: string[] = [`Plan at ${r.tip.slice(0, 12)} (${r.podsObserved ? 'cluster observed' : 'cluster NOT observed: no pod-based pruning'})`];
  if (r.plan.add.length + r.plan.remove.length + r.plan.unregister.length + r.plan.registerPlaceholders.length === 0) lines.push('  nothing to change');
  for (const a of r.plan.add) lines.push(`  + ${a.podName} (${a.specName}, ${a.reason}${a.jobRequestIds.length ? ` for job ${a.jobRequestIds.join(',')}` : ''})`);
  for (const x of r.plan.remove) lines.push(`  - ${x.podName} (${x.specName}, ${x.reason})`);
  for (const u of r.plan.unregister) lines.push(`  x unregister ${u.name} from ${u.poolName} (${u.reason})`);
  for (const p of r.plan.registerPlaceholders) lines.push(`  * placeholder ${p.name} in ${p.poolName} (${p.specName})`);
  for (const h of r.plan.summaries.map(holdLine)) if (h) lines.push(`  ! ${h}`);
  for (const j of r.plan.unmatchedJobs) lines.push(`  ! job ${j.requestId} in ${j.poolName} matches no AgentSpec: ${j.reason}`);
  for (const e of r.specErrors) lines.push(`  ! ${formatSpecError(e)}`);
  const foreign = foreignLine(r);
  if (foreign) lines.push(`  ${foreign}`);
  return lines.join('\n');
}

const FOREIGN_NAMES_SHOWN = 10;

/** One line naming the agents left alone because nothing proves them ours; undefined when none. */
export function foreignLine(r: PassReport): string | undefined {
  const f = r.plan.foreignAgents;
  if (f.length === 0) return undefined;
  const names = f.slice(0, FOREIGN_NAMES_SHOWN).map((a) => `${a.name} (${a.poolName}, ${a.status}${a.enabled ? '' : ', disabled'})`);
  const more = f.length > FOREIGN_NAMES_SHOWN ? `, … ${f.length - FOREIGN_NAMES_SHOWN} more` : '';
  return `? ${f.length} foreign agent${f.length === 1 ? '' : 's'} (no ${SPEC_MARKER_ENV} marker: not ours, left alone): ${names.join(', ')}${more}`;
}

export function statusText(r: PassReport): string {
  const rows = [['SPEC', 'POOL', 'PENDING', 'BUSY', 'IDLE', 'STARTING', 'DESIRED', 'MAX', 'CAPPED']];
  for (const s of r.plan.summaries) {
    rows.push([s.specName, s.pool, s.pendingJobs, s.busy, s.idle, s.starting, s.desired, s.max, s.cappedBy].map(String));
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const table = rows.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  const lines = [
    ...table,
    '',
    `pending jobs ${r.observed.pendingJobs}, agents ${r.observed.agents}, manifests ${r.observed.manifests}, pods ${r.observed.pods ?? 'unknown'} (git ${r.tip.slice(0, 12)})`,
  ];
  for (const h of r.plan.summaries.map(holdLine)) if (h) lines.push(`! ${h}`);
  for (const j of r.plan.unmatchedJobs) lines.push(`! job ${j.requestId} matches no AgentSpec: ${j.reason}`);
  for (const e of r.specErrors) lines.push(`! ${formatSpecError(e)}`);
  for (const w of r.specWarnings ?? []) lines.push(`warning: ${formatSpecError(w)}`);
  const foreign = foreignLine(r);
  if (foreign) lines.push(foreign);
  return lines.join('\n');
}

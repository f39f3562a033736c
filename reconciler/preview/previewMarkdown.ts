// A PR preview as Markdown for a pull-request comment or a build summary. Pure.
import { formatSpecError } from '../agentspec/specError.ts';
import type { PrPreview, SpecChange } from './prPreview.ts';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function changeText(s: SpecChange): string {
  switch (s.kind) {
    case 'added': return `added (revision \`${s.revisionAfter}\`)`;
    case 'removed': return 'removed';
    case 'invalid': return 'invalid in this PR';
    case 'unchanged': return 'unchanged';
    case 'changed':
      return [s.revisionBefore !== s.revisionAfter ? `revision \`${s.revisionBefore}\` → \`${s.revisionAfter}\`` : '', ...s.fields].filter(Boolean).join('; ');
  }
}

function effect(s: SpecChange): string {
  if (s.kind === 'added') return 'placeholder agent registered; pods start on demand and for standby';
  if (s.kind === 'invalid') return `nothing changes for its ${plural(s.pods, 'pod')} while any spec has errors`;
  if (s.kind === 'removed') return s.pods > 0 ? `its ${plural(s.pods, 'pod')} ${s.pods === 1 ? 'leaves' : 'leave'}: idle agents now, busy ones after their job` : 'nothing runs for it';
  if (s.podsLeaving > 0 && s.leavingLive) {
    const l = s.leavingLive;
    const parts = [`${l.idle} idle now`, `${l.busy} busy after ${l.busy === 1 ? 'its' : 'their'} job`, ...(l.other > 0 ? [`${l.other} not serving (starting, finished or draining) as ${l.other === 1 ? 'its pod ends' : 'their pods end'}`] : [])];
    return `**${plural(s.podsLeaving, 'pod')} ${s.podsLeaving === 1 ? 'rotates' : 'rotate'}**: ${parts.join(', ')}`;
  }
  if (s.podsLeaving > 0) return `**${plural(s.podsLeaving, 'pod')} ${s.podsLeaving === 1 ? 'rotates' : 'rotate'}**: idle agents are replaced now, busy ones after their job`;
  return s.kind === 'changed' ? 'no pod rotates' : '';
}

function weekday(d: Date): string {
  return d.toISOString().slice(0, 16).replace('T', ' ') + ` ${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()]}`;
}

export function previewMarkdown(p: PrPreview): string {
  const changed = p.specs.filter((s) => s.kind !== 'unchanged');
  const rotating = p.specs.reduce((n, s) => n + (s.kind === 'changed' ? s.podsLeaving : 0), 0);
  const out: string[] = ['## azdo-gitops: what this pull request will do', ''];
  const counts = (['added', 'removed', 'changed', 'invalid'] as const).map((k) => [k, p.specs.filter((s) => s.kind === k).length] as const).filter(([, n]) => n > 0);
  out.push(
    `${p.errors.length > 0 ? `❌ **${plural(p.errors.length, 'validation error')}**` : '✅ valid'}` +
      `; AgentSpecs: ${counts.length ? counts.map(([k, n]) => `${n} ${k}`).join(', ') : 'none changed'}` +
      `; ${rotating > 0 ? `**${plural(rotating, 'agent pod')} ${rotating === 1 ? 'rotates' : 'rotate'}**` : 'no agent pod rotates'}.`,
    '',
  );
  if (changed.length > 0) {
    out.push('| AgentSpec | change | pods now | effect |', '|---|---|---:|---|');
    for (const s of changed) out.push(`| \`${cell(s.name)}\` | ${cell(changeText(s))} | ${s.pods} | ${cell(effect(s))} |`);
    out.push('');
    if (rotating > 0 && p.live) out.push('> Idle and busy as the pools showed them when this ran; agents change state by the minute.', '');
    if (rotating > 0 && !p.live) {
      out.push('> Counted offline from the pod manifests in `agents/` on the base branch: which of these agents are busy (they rotate after their job) needs the live pool (`diff --live` with `AZDO_ORG_URL` and `AZDO_TOKEN`).', '');
    }
  }
  out.push('### Capacity', '');
  const caps = p.specs.filter((s) => s.maxBefore !== s.maxAfter);
  out.push(`Sum of \`maxAgents\`: ${p.capacityBefore}${p.capacityAfter !== p.capacityBefore ? ` → **${p.capacityAfter}**` : ' (unchanged)'} (\`MAX_AGENTS\` still caps all specs together).`);
  for (const s of caps) out.push(`- \`${s.name}\`: maxAgents ${s.maxBefore ?? '—'} → ${s.maxAfter ?? '—'}`);
  out.push('');
  out.push(`### Standby over the next ${p.horizonDays} days`, '');
  if (p.standby.length === 0) out.push('No standby schedule changes the standby in force.', '');
  else {
    out.push('Idle agents kept on top of demand from each time on (UTC), before and after this PR:', '', '| from (UTC) | AgentSpec | before | after |', '|---|---|---:|---:|');
    const MAX_ROWS = 40;
    for (const s of p.standby.slice(0, MAX_ROWS)) {
      const diff = s.before !== s.after;
      out.push(`| ${weekday(s.at)} | \`${s.spec}\` | ${s.before ?? '—'} | ${diff ? `**${s.after ?? '—'}**` : s.after ?? '—'} |`);
    }
    if (p.standby.length > MAX_ROWS) out.push(`| … | ${p.standby.length - MAX_ROWS} more changes | | |`);
    out.push('');
  }
  out.push('### Validation', '');
  if (p.errors.length === 0 && p.warnings.length === 0) out.push('No errors, no warnings.');
  for (const e of p.errors) out.push(`- ❌ ${formatSpecError(e)}`);
  for (const w of p.warnings) out.push(`- ⚠️ ${formatSpecError(w)}`);
  if (p.agentsFilesChanged.length > 0) {
    out.push('', `⚠️ This PR changes ${plural(p.agentsFilesChanged.length, 'file')} under \`agents/\`, which the reconciler writes: ${p.agentsFilesChanged.map((f) => `\`${f}\``).join(', ')}.`);
  }
  return out.join('\n') + '\n';
}

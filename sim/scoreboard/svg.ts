// Agents (live pods) and waiting jobs over time, one panel per policy, as a plain SVG.
import type { Score } from './replay.ts';

export function renderSvg(title: string, scores: readonly Score[]): string {
  const W = 900, H = 160, PAD = 40, GAP = 30;
  const maxT = Math.max(1, ...scores.flatMap((s) => s.series.map((p) => p.t)));
  const maxY = Math.max(1, ...scores.flatMap((s) => s.series.flatMap((p) => [p.agents, p.waiting])));
  const x = (t: number) => PAD + ((W - 2 * PAD) * t) / maxT;
  const panels = scores.map((s, i) => {
    const top = 30 + i * (H + GAP);
    const y = (v: number) => top + H - (H * v) / maxY;
    const line = (key: 'agents' | 'waiting') => s.series.map((p) => `${x(p.t).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
    const hours = Array.from({ length: Math.floor(maxT / 3_600_000) + 1 }, (_, h) => `<line x1="${x(h * 3_600_000)}" y1="${top}" x2="${x(h * 3_600_000)}" y2="${top + H}" stroke="#eee"/><text x="${x(h * 3_600_000)}" y="${top + H + 12}" font-size="9" text-anchor="middle">${h}h</text>`).join('');
    return `<g><text x="${PAD}" y="${top - 6}" font-size="12" font-weight="bold">${s.label}</text>
<rect x="${PAD}" y="${top}" width="${W - 2 * PAD}" height="${H}" fill="none" stroke="#ccc"/>${hours}
<text x="${PAD - 4}" y="${top + 8}" font-size="9" text-anchor="end">${maxY}</text><text x="${PAD - 4}" y="${top + H}" font-size="9" text-anchor="end">0</text>
<polyline fill="none" stroke="#1f77b4" stroke-width="1.2" points="${line('agents')}"/>
<polyline fill="none" stroke="#d62728" stroke-width="1.2" points="${line('waiting')}"/></g>`;
  });
  const height = 30 + scores.length * (H + GAP) + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" font-family="sans-serif">
<text x="${PAD}" y="16" font-size="13">${title}: <tspan fill="#1f77b4">agents</tspan> and <tspan fill="#d62728">waiting jobs</tspan> per minute</text>
${panels.join('\n')}
</svg>
`;
}

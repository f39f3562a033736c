// Agents over time as a stacked step chart (SVG 1.1, no script, no external resources): one band
// per spec and kind, job-driven pods in the spec's colour, standby pods in a lighter shade of it.
// Pure: the same timeline gives the same bytes.
import { timelineSpecs, type Timeline } from './timeline.ts';

const WIDTH = 900;
const HEIGHT = 360;
const PAD = { left: 48, right: 180, top: 24, bottom: 40 };
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const LIGHT = ['#aec7e8', '#ff9896', '#98df8a', '#c5b0d5', '#ffbb78', '#c49c94', '#f7b6d2', '#9edae5'];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r1 = (n: number): string => (Math.round(n * 10) / 10).toString();

export interface ChartOptions {
  readonly title?: string;
  /** Left edge of the time axis (default: the first point); earlier points are drawn from here. */
  readonly from?: Date;
  /** Right edge of the time axis (default: the last point, or a minute after the first). */
  readonly end?: Date;
}

export function renderChartSvg(t: Timeline, opts: ChartOptions = {}): string {
  const specs = timelineSpecs(t);
  const t0 = opts.from?.getTime() ?? t.points[0]?.time.getTime() ?? 0;
  const last = t.points.at(-1)?.time.getTime() ?? t0;
  const t1 = Math.max(opts.end?.getTime() ?? last, t0 + 60_000);
  const layers = specs.flatMap((spec, i) => [
    { spec, kind: 'job' as const, color: PALETTE[i % PALETTE.length]!, label: `${spec} (job-driven)` },
    { spec, kind: 'standby' as const, color: LIGHT[i % LIGHT.length]!, label: `${spec} (standby)` },
  ]);
  const stackAt = (p: Timeline['points'][number]): number[] => {
    const out: number[] = [];
    let acc = 0;
    for (const l of layers) {
      acc += p.bySpec.get(l.spec)?.[l.kind] ?? 0;
      out.push(acc);
    }
    return out;
  };
  const stacks = t.points.map(stackAt);
  const peak = Math.max(1, ...stacks.map((s) => s.at(-1) ?? 0));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (ms: number): number => PAD.left + ((Math.min(t1, Math.max(t0, ms)) - t0) / (t1 - t0)) * plotW;
  const y = (n: number): number => PAD.top + plotH - (n / peak) * plotH;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(opts.title ?? 'azdo-gitops: agents over time')}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${PAD.left}" y="16" font-weight="bold">${esc(opts.title ?? 'Agents over time (committed pods per AgentSpec)')}</text>`,
  ];
  // Bands, drawn top layer first so each lower band paints over the part it owns.
  for (let li = layers.length - 1; li >= 0; li--) {
    const l = layers[li]!;
    const pts: string[] = [];
    t.points.forEach((p, i) => {
      const xs = x(p.time.getTime());
      const xe = x(i + 1 < t.points.length ? t.points[i + 1]!.time.getTime() : t1);
      const top = y(stacks[i]![li]!);
      pts.push(`${r1(xs)},${r1(top)}`, `${r1(xe)},${r1(top)}`);
    });
    if (pts.length === 0) continue;
    out.push(`<polygon data-spec="${esc(l.spec)}" data-kind="${l.kind}" fill="${l.color}" stroke="none" points="${r1(x(t0))},${r1(y(0))} ${pts.join(' ')} ${r1(x(t1))},${r1(y(0))}"/>`);
  }
  // Axes: a tick for every whole agent up to 10 rows, else five.
  const step = peak <= 10 ? 1 : Math.ceil(peak / 5);
  out.push(`<line x1="${PAD.left}" y1="${r1(y(0))}" x2="${PAD.left + plotW}" y2="${r1(y(0))}" stroke="#333"/>`);
  out.push(`<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${r1(y(0))}" stroke="#333"/>`);
  for (let n = 0; n <= peak; n += step) {
    out.push(`<text x="${PAD.left - 6}" y="${r1(y(n) + 4)}" text-anchor="end">${n}</text>`);
    if (n > 0) out.push(`<line x1="${PAD.left}" y1="${r1(y(n))}" x2="${PAD.left + plotW}" y2="${r1(y(n))}" stroke="#ddd"/>`);
  }
  for (let i = 0; i <= 4; i++) {
    const ms = t0 + ((t1 - t0) * i) / 4;
    out.push(`<text x="${r1(x(ms))}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${new Date(ms).toISOString().slice(11, 19)}</text>`);
  }
  out.push(`<text x="${PAD.left + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle">${esc(`${new Date(t0).toISOString().slice(0, 19)}Z to ${new Date(t1).toISOString().slice(0, 19)}Z (UTC)`)}</text>`);
  // Legend.
  layers.forEach((l, i) => {
    const ly = PAD.top + i * 18;
    out.push(`<rect x="${WIDTH - PAD.right + 12}" y="${ly}" width="12" height="12" fill="${l.color}"/>`);
    out.push(`<text x="${WIDTH - PAD.right + 30}" y="${ly + 10}">${esc(l.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

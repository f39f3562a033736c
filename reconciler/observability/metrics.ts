// Prometheus text-format metrics without a client library: a handful of gauges and counters.

type Labels = Readonly<Record<string, string>>;

interface Series {
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  readonly values: Map<string, number>;
}

function key(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

export class Metrics {
  readonly #series = new Map<string, Series>();

  #get(name: string, help: string, type: 'gauge' | 'counter'): Series {
    let s = this.#series.get(name);
    if (!s) {
      s = { help, type, values: new Map() };
      this.#series.set(name, s);
    }
    return s;
  }

  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    const s = this.#get(name, help, 'counter');
    const k = key(labels);
    s.values.set(k, (s.values.get(k) ?? 0) + by);
  }

  set(name: string, help: string, labels: Labels, value: number): void {
    this.#get(name, help, 'gauge').values.set(key(labels), value);
  }

  /** Drops every series of a gauge, so label sets that vanished (a removed spec) disappear. */
  reset(name: string): void {
    this.#series.get(name)?.values.clear();
  }

  render(): string {
    const out: string[] = [];
    for (const [name, s] of [...this.#series].sort(([a], [b]) => a.localeCompare(b))) {
      out.push(`# HELP ${name} ${s.help}`, `# TYPE ${name} ${s.type}`);
      for (const [labels, v] of s.values) out.push(labels ? `${name}{${labels}} ${v}` : `${name} ${v}`);
    }
    return out.join('\n') + '\n';
  }
}

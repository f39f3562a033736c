// What `kubectl kustomize <dir>` gives the sandbox's syncer, for the file maps of the simulated
// remote: the documents of the files the kustomization.yaml lists (in its order), or, like Flux,
// of every YAML file under the directory when there is none. Only `resources` naming files is
// modelled; anything else is refused, so a layout the simulator cannot render fails loudly
// rather than syncing something kustomize would not.
import { parse as parseYaml, parseAllDocuments } from 'yaml';

export class SimKustomizeError extends Error {
  constructor(message: string) {
    super(`${message} (the simulator renders only a kustomization.yaml listing files under resources)`);
    this.name = 'SimKustomizeError';
  }
}

/** Parsed documents by file content: pod files are write-once, so each is parsed once. */
export class KustomizeCache {
  readonly #docs = new Map<string, readonly unknown[]>();

  docs(path: string, content: string): readonly unknown[] {
    const key = `${path}\0${content}`;
    let docs = this.#docs.get(key);
    if (!docs) {
      docs = [];
      for (const d of parseAllDocuments(content)) {
        if (d.errors.length) throw new SimKustomizeError(`${path}: ${d.errors[0]!.message}`);
        const v: unknown = d.toJS();
        if (v !== null && v !== undefined) (docs as unknown[]).push(v);
      }
      this.#docs.set(key, docs);
    }
    return docs;
  }

  /** The rendered documents of `dir` in `files` (path → content). Throws SimKustomizeError. */
  build(files: ReadonlyMap<string, string>, dir: string): unknown[] {
    const base = dir.replace(/\/+$/, '');
    const kustomization = files.get(`${base}/kustomization.yaml`) ?? files.get(`${base}/kustomization.yml`);
    let resources: string[];
    if (kustomization === undefined) {
      resources = [...files.keys()].filter((p) => p.startsWith(`${base}/`) && /\.ya?ml$/.test(p)).map((p) => p.slice(base.length + 1)).sort();
    } else {
      const k = parseYaml(kustomization) as { resources?: unknown; [key: string]: unknown } | null;
      const extra = Object.keys(k ?? {}).filter((key) => key !== 'apiVersion' && key !== 'kind' && key !== 'resources');
      if (extra.length) throw new SimKustomizeError(`${base}/kustomization.yaml sets ${extra.join(', ')}`);
      resources = Array.isArray(k?.resources) ? k.resources.map(String) : [];
    }
    const out: unknown[] = [];
    for (const r of resources) {
      const path = `${base}/${r.replace(/^\.\//, '')}`;
      const content = files.get(path);
      if (content === undefined) throw new SimKustomizeError(`${base}/kustomization.yaml lists ${r}, which is not a file of the commit`);
      out.push(...this.docs(path, content));
    }
    return out;
  }
}

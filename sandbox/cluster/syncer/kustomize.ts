import { execFile } from 'node:child_process';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KustomizationPathNotFoundError, KustomizeBuildError } from './errors.ts';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function yamlFiles(dir: string, root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await yamlFiles(p, root)));
    else if (/\.ya?ml$/.test(e.name)) out.push(relative(root, p).split(sep).join('/'));
  }
  return out.sort();
}

/**
 * `kubectl kustomize <checkout>/<path>` → the parsed documents. Like Flux, a directory without
 * a kustomization.yaml gets one generated listing every YAML file under it.
 */
export async function kustomizeBuild(checkoutDir: string, path: string, commit: string, kubectl = 'kubectl'): Promise<unknown[]> {
  const dir = resolve(checkoutDir, path.replace(/^\/+/, '') || '.');
  if (!dir.startsWith(resolve(checkoutDir)) || !(await exists(dir)) || !(await stat(dir)).isDirectory()) {
    throw new KustomizationPathNotFoundError(path, commit);
  }
  let hasKustomization = false;
  for (const f of KUSTOMIZATION_FILES) if (await exists(join(dir, f))) hasKustomization = true;
  if (!hasKustomization) {
    const resources = await yamlFiles(dir, dir);
    const body = ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'resources:', ...resources.map((r) => `  - ${JSON.stringify(r)}`)];
    await writeFile(join(dir, 'kustomization.yaml'), resources.length ? body.join('\n') + '\n' : body.slice(0, 2).join('\n') + '\nresources: []\n');
  }
  const yamlText = await new Promise<string>((res, rej) => {
    execFile(kubectl, ['kustomize', dir], { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) rej(new KustomizeBuildError(String(stderr).split(resolve(checkoutDir)).join('').trim() || err.message));
      else res(String(stdout));
    });
  });
  const docs: unknown[] = [];
  for (const d of parseAllDocuments(yamlText)) {
    if (d.errors.length) throw new KustomizeBuildError(d.errors[0]!.message);
    const v = d.toJS();
    if (v !== null && v !== undefined) docs.push(v);
  }
  return docs;
}

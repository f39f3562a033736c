// The CLI commands. Each returns the process exit code.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { loadConfig, pathsFrom, specDefaultsFrom, type Config } from '../config/config.ts';
import { createLogger, type Logger } from '../support/logger.ts';
import { checkClusterRepo } from '../manifests/validateRepo.ts';
import { formatSpecError } from '../agentspec/specError.ts';
import { planJson, planText, statusJson, statusText } from './format.ts';
import { InputError } from '../errors/inputError.ts';
import { untilSignal } from './untilSignal.ts';

type Env = Readonly<Record<string, string | undefined>>;

function loggerFor(config: Config): Logger {
  return createLogger({ level: config.log.level, format: config.log.format, secrets: [config.azdo.token, config.git.token] });
}

export async function runCommand(env: Env): Promise<number> {
  const config = loadConfig(env);
  const log = loggerFor(config);
  // Loaded here, not at the top: the Kubernetes and Azure DevOps clients cost tens of MiB that
  // `validate` never needs.
  const { startController } = await import('../loop/controller.ts');
  const controller = await startController(config, log, env);
  const sig = await untilSignal();
  log.info('stopping', { signal: sig });
  await controller.stop();
  return 0;
}

async function onePass(env: Env, mode: 'apply' | 'dry-run') {
  const config = loadConfig(env);
  const log = loggerFor(config);
  const [{ wire }, { runPass }] = await Promise.all([import('../loop/wiring.ts'), import('../loop/pass.ts')]);
  const wired = await wire(config, log);
  try {
    return await runPass(wired.deps, mode);
  } finally {
    await wired.close();
  }
}

export async function onceCommand(env: Env): Promise<number> {
  const r = await onePass(env, 'apply');
  process.stdout.write(planText(r) + `\n${r.commit ? `pushed ${r.commit}` : 'no commit needed'}; unregistered ${r.unregistered.length}\n`);
  return r.failures.length > 0 ? 1 : 0;
}

export async function planCommand(env: Env, json: boolean): Promise<number> {
  const r = await onePass(env, 'dry-run');
  process.stdout.write(json ? JSON.stringify(planJson(r), null, 2) + '\n' : planText(r) + '\n');
  return 0;
}

export async function statusCommand(env: Env, json: boolean): Promise<number> {
  const r = await onePass(env, 'dry-run');
  process.stdout.write(json ? JSON.stringify(statusJson(r), null, 2) + '\n' : statusText(r) + '\n');
  return r.specErrors.length > 0 ? 1 : 0;
}

export async function filesUnder(root: string): Promise<{ path: string; content: string }[]> {
  const out: { path: string; content: string }[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.name === '.git' || e.name === 'node_modules') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && /\.ya?ml$/i.test(e.name)) out.push({ path: relative(root, p).split('\\').join('/'), content: await readFile(p, 'utf8') });
    }
  };
  await walk(root);
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

export async function validateCommand(env: Env, dir: string, json: boolean, strict = false): Promise<number> {
  const defaults = specDefaultsFrom(env);
  const paths = pathsFrom(env);
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => undefined);
  if (isDir === undefined) throw new InputError(`validate: ${dir} does not exist; give the directory of a cluster-repo checkout`);
  if (!isDir) throw new InputError(`validate: ${dir} is not a directory; give the directory of a cluster-repo checkout`);
  const files = await filesUnder(dir);
  const { specs, errors, warnings } = checkClusterRepo(files, { specsPath: paths.specs, agentsPath: paths.agents, templatesPath: paths.templates }, defaults);
  const ok = errors.length === 0 && (!strict || warnings.length === 0);
  if (json) {
    const summary = specs.map((s) => ({ name: s.name, file: s.file, format: s.format, pool: s.pool, prefix: s.prefix, standby: s.standby, maxAgents: s.maxAgents, revision: s.revision }));
    process.stdout.write(JSON.stringify({ ok, specs: summary, errors, warnings }, null, 2) + '\n');
  } else {
    for (const e of errors) process.stdout.write(`${formatSpecError(e)}\n`);
    for (const w of warnings) process.stdout.write(`warning: ${formatSpecError(w)}\n`);
    if (errors.length === 0) process.stdout.write(`${dir}: valid; ${specs.length} AgentSpec(s): ${specs.map((s) => s.name).join(', ')}${warnings.length ? `; ${warnings.length} warning(s)${strict ? ' (--strict: failing)' : ''}` : ''}\n`);
    else process.stdout.write(`${errors.length} problem(s); ${specs.length} valid AgentSpec(s)${warnings.length ? `; ${warnings.length} warning(s)` : ''}\n`);
  }
  return ok ? 0 : 1;
}

// The built image run as the example Deployment runs it: every securityContext field, volume and
// env value of cluster-repo-example/reconciler/deployment.yaml becomes a podman option, and a
// field this translation does not know fails the test instead of being silently left out.
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { PROJECT_ROOT } from '../../sandbox/index.ts';

const exec = promisify(execFile);

/** podman on the image build's own storage (tools/image/podman.sh). */
export const PODMAN = join(PROJECT_ROOT, 'tools/image/podman.sh');

export async function imageBuildOutput(what: '--image-ref' | '--archive'): Promise<string> {
  return (await exec('bash', [join(PROJECT_ROOT, 'tools/image/build.sh'), what])).stdout.trim();
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  seccompProfile?: { type: string };
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
}
interface Volume {
  name: string;
  secret?: { secretName: string };
  emptyDir?: Record<string, never>;
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env: EnvVar[];
  ports: { name: string; containerPort: number }[];
  securityContext: SecurityContext;
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  serviceAccountName: string;
  securityContext: SecurityContext;
  terminationGracePeriodSeconds?: number;
  containers: Container[];
  volumes: Volume[];
}

/** What the Deployment's pod gives its container, as podman options. */
export interface DeploymentContainer {
  /** `--user`, `--read-only`, `--cap-drop`, `--security-opt`, `--tmpfs`: the securityContext and emptyDirs. */
  readonly securityOptions: readonly string[];
  /** Secret name → mount path (files named by key, read-only, mode 0644 as a Secret volume's). */
  readonly secretMounts: ReadonlyMap<string, string>;
  /** Env values as written; fieldRef values by their field path. */
  readonly env: ReadonlyMap<string, string | { fieldPath: string }>;
  readonly args: readonly string[];
  readonly httpPort: number;
  /** terminationGracePeriodSeconds (30 when unset, as Kubernetes defaults it). */
  readonly gracePeriodSeconds: number;
}

const KNOWN_POD_SC = new Set(['runAsNonRoot', 'runAsUser', 'runAsGroup', 'seccompProfile']);
const KNOWN_CONTAINER_SC = new Set(['allowPrivilegeEscalation', 'readOnlyRootFilesystem', 'capabilities']);

export async function deploymentContainer(): Promise<DeploymentContainer> {
  const text = await readFile(join(PROJECT_ROOT, 'cluster-repo-example/reconciler/deployment.yaml'), 'utf8');
  const deployment = parseAllDocuments(text)
    .map((d) => d.toJS() as { kind: string; spec: { template: { spec: PodSpec } } })
    .find((d) => d.kind === 'Deployment');
  if (!deployment) throw new Error('deployment.yaml holds no Deployment');
  const pod = deployment.spec.template.spec;
  if (pod.containers.length !== 1) throw new Error(`expected one container, found ${pod.containers.length}`);
  const c = pod.containers[0]!;
  for (const k of Object.keys(pod.securityContext)) if (!KNOWN_POD_SC.has(k)) throw new Error(`pod securityContext.${k} has no podman translation here: add one`);
  for (const k of Object.keys(c.securityContext)) if (!KNOWN_CONTAINER_SC.has(k)) throw new Error(`container securityContext.${k} has no podman translation here: add one`);

  const sc = pod.securityContext;
  if (sc.runAsNonRoot !== true || !Number.isInteger(sc.runAsUser) || sc.runAsUser === 0) throw new Error('the pod must run as a numeric non-root runAsUser');
  const opts = ['--user', `${sc.runAsUser}:${sc.runAsGroup ?? sc.runAsUser}`];
  // podman's default seccomp profile is the container runtime's default, as RuntimeDefault.
  if (sc.seccompProfile?.type !== 'RuntimeDefault') throw new Error(`seccompProfile ${sc.seccompProfile?.type} has no podman translation here`);
  if (c.securityContext.readOnlyRootFilesystem) opts.push('--read-only', '--read-only-tmpfs=false'); // no writable /tmp or /run: a kubelet adds none
  if (c.securityContext.allowPrivilegeEscalation === false) opts.push('--security-opt', 'no-new-privileges');
  for (const cap of c.securityContext.capabilities?.drop ?? []) opts.push('--cap-drop', cap);
  if (c.securityContext.capabilities?.add?.length) throw new Error('capabilities.add has no translation here');

  const secretMounts = new Map<string, string>();
  for (const m of c.volumeMounts) {
    const v = pod.volumes.find((x) => x.name === m.name);
    if (!v) throw new Error(`volumeMount ${m.name} names no volume`);
    if (v.secret) {
      if (!m.readOnly) throw new Error(`Secret volume ${m.name} is mounted writable`);
      secretMounts.set(v.secret.secretName, m.mountPath);
    } else if (v.emptyDir) {
      // An emptyDir: empty at each start and writable by the pod's user. podman 4.3 ignores a
      // tmpfs `mode`; `U` gives the tmpfs to the container's user instead.
      opts.push('--tmpfs', `${m.mountPath}:rw,size=64m,U`);
    } else throw new Error(`volume ${v.name} is neither a Secret nor an emptyDir: add its translation`);
  }
  const env = new Map<string, string | { fieldPath: string }>();
  for (const e of c.env) {
    if (e.value !== undefined) env.set(e.name, e.value);
    else if (e.valueFrom?.fieldRef) env.set(e.name, { fieldPath: e.valueFrom.fieldRef.fieldPath });
    else throw new Error(`env ${e.name}: only value and fieldRef are translated here`);
  }
  const http = c.ports.find((p) => p.name === 'http');
  if (!http) throw new Error('the container names no http port');
  return { securityOptions: opts, secretMounts, env, args: c.args ?? [], httpPort: http.containerPort, gracePeriodSeconds: pod.terminationGracePeriodSeconds ?? 30 };
}

/** Writes a Secret volume's files as the kubelet does: one file per key, 0644, in a 0755 directory. */
export async function secretVolume(dir: string, data: Record<string, string>): Promise<string> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  for (const [key, value] of Object.entries(data)) {
    await writeFile(join(dir, key), value, { mode: 0o644 });
    await chmod(join(dir, key), 0o644);
  }
  return dir;
}

export interface ContainerRun {
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface RunningContainer {
  readonly name: string;
  output(): string;
  readonly exited: Promise<ContainerRun>;
}

/** `podman run --rm --network host <options> <image> <args>`; the container's exit code is podman's. */
export function startContainer(name: string, options: readonly string[], image: string, args: readonly string[]): RunningContainer {
  const started = Date.now();
  const child = spawn(PODMAN, ['run', '--rm', '--name', name, '--network', 'host', ...options, image, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<ContainerRun>((resolve) => {
    child.once('close', (code, signal) => resolve({ code: code ?? signal ?? -1, stdout, stderr, ms: Date.now() - started }));
  });
  return { name, output: () => stdout + stderr, exited };
}

export async function runContainer(name: string, options: readonly string[], image: string, args: readonly string[], timeoutMs = 120_000): Promise<ContainerRun> {
  const c = startContainer(name, options, image, args);
  const timer = setTimeout(() => void exec(PODMAN, ['kill', '--signal', 'KILL', name]).catch(() => undefined), timeoutMs);
  try {
    return await c.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Sends a signal to the container's main process, as a kubelet does on pod deletion. */
export async function signalContainer(name: string, signal: 'TERM' | 'KILL'): Promise<void> {
  await exec(PODMAN, ['kill', '--signal', signal, name]);
}

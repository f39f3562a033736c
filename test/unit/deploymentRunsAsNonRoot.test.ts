// The example Deployment and the Dockerfile together must pass the kubelet's runAsNonRoot check,
// which kwok (it starts no containers) never makes. The rule, as the kubelet applies it
// (pkg/kubelet/kuberuntime/security_context_others.go, verifyRunAsNonRoot): the uid is the
// container's runAsUser, else the pod's, else the image's USER; a USER that is a name cannot be
// verified and the container is refused.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { PROJECT_ROOT } from '../../sandbox/index.ts';

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
}
interface PodSpec {
  securityContext?: SecurityContext;
  containers: { name: string; securityContext?: SecurityContext }[];
}

/** The kubelet's refusal for one container, or undefined when it starts. */
function runAsNonRootRefusal(pod: PodSpec, container: PodSpec['containers'][number], imageUser: string): string | undefined {
  const nonRoot = container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
  if (!nonRoot) return undefined;
  const uid = container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
  if (uid !== undefined) return uid === 0 ? 'container\'s runAsUser breaks non-root policy' : undefined;
  const user = imageUser.split(':')[0] ?? '';
  if (user === '') return 'container has runAsNonRoot and image will run as root';
  if (!/^\d+$/.test(user)) return `container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root`;
  return Number(user) === 0 ? 'container has runAsNonRoot and image will run as root' : undefined;
}

/** The USER of the Dockerfile's last stage ('' when it sets none: root). */
function dockerfileUser(text: string): string {
  const lastStage = text.split(/^FROM /m).at(-1)!;
  return [...lastStage.matchAll(/^USER\s+(\S+)\s*$/gm)].at(-1)?.[1] ?? '';
}

const read = (path: string) => readFileSync(join(PROJECT_ROOT, path), 'utf8');
const deployment = parseAllDocuments(read('cluster-repo-example/reconciler/deployment.yaml'))
  .map((d) => d.toJS() as { kind: string; spec: { template: { spec: PodSpec } } })
  .find((d) => d.kind === 'Deployment')!;
const podSpec = deployment.spec.template.spec;
const imageUser = dockerfileUser(read('Dockerfile'));

describe('the example Deployment passes the kubelet\'s runAsNonRoot check', () => {
  it('every container of the shipped Deployment starts with the shipped image', () => {
    for (const c of podSpec.containers) assert.equal(runAsNonRootRefusal(podSpec, c, imageUser), undefined, c.name);
  });

  it('the pod runs as a numeric non-root uid of its own, whatever user the image names', () => {
    for (const c of podSpec.containers) assert.equal(runAsNonRootRefusal(podSpec, c, 'node'), undefined, c.name);
    assert.equal(podSpec.securityContext?.runAsNonRoot, true);
    assert.ok((podSpec.securityContext?.runAsUser ?? 0) > 0, 'a numeric runAsUser other than 0');
  });

  it('the image names its user by number, so a Deployment without runAsUser starts too', () => {
    assert.match(imageUser, /^[1-9]\d*(:\d+)?$/);
    const withoutUid: PodSpec = { ...podSpec, securityContext: { runAsNonRoot: true } };
    for (const c of withoutUid.containers) assert.equal(runAsNonRootRefusal(withoutUid, c, imageUser), undefined, c.name);
  });

  it('the check refuses the pair it exists for: runAsNonRoot without runAsUser and USER node', () => {
    const pod: PodSpec = { securityContext: { runAsNonRoot: true }, containers: [{ name: 'reconciler' }] };
    assert.match(runAsNonRootRefusal(pod, pod.containers[0]!, 'node') ?? '', /non-numeric user \(node\), cannot verify user is non-root/);
    assert.match(runAsNonRootRefusal(pod, pod.containers[0]!, '') ?? '', /will run as root/);
    assert.match(runAsNonRootRefusal(pod, pod.containers[0]!, '0:0') ?? '', /will run as root/);
  });
});

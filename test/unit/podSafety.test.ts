import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodTemplate } from '../../reconciler/agentspec/agentSpec.ts';
import { podSafetyWarnings } from '../../reconciler/agentspec/podSafety.ts';

const tpl = (spec: Record<string, unknown>): PodTemplate => ({ spec: { containers: [{ name: 'agent', image: 'i', securityContext: {} }], ...spec } as PodTemplate['spec'] });

test('a template with a securityContext and no host access has no warnings', () => {
  assert.deepEqual(podSafetyWarnings(tpl({}), 'spec.template'), []);
  assert.deepEqual(podSafetyWarnings({ spec: { securityContext: { runAsNonRoot: true }, containers: [{ name: 'agent', image: 'i' }] } }, 'spec.template'), []);
});

test('host namespaces, hostPath, privileged, privilege escalation and added capabilities each warn on their field', () => {
  const w = podSafetyWarnings(tpl({
    hostNetwork: true, hostPID: true, hostIPC: true,
    volumes: [{ name: 'w', emptyDir: {} }, { name: 'sock', hostPath: { path: '/var/run/docker.sock' } }],
    initContainers: [{ name: 'init', image: 'i', securityContext: { allowPrivilegeEscalation: true } }],
    containers: [{ name: 'agent', image: 'i', securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] } } }],
  }), 'spec.templateFile(templates/x.yaml)');
  assert.deepEqual(w.map((x) => x.field), [
    'spec.templateFile(templates/x.yaml).spec.hostNetwork',
    'spec.templateFile(templates/x.yaml).spec.hostPID',
    'spec.templateFile(templates/x.yaml).spec.hostIPC',
    'spec.templateFile(templates/x.yaml).spec.volumes[1].hostPath',
    'spec.templateFile(templates/x.yaml).spec.initContainers[0].securityContext.allowPrivilegeEscalation',
    'spec.templateFile(templates/x.yaml).spec.containers[0].securityContext.privileged',
    'spec.templateFile(templates/x.yaml).spec.containers[0].securityContext.capabilities.add',
  ]);
  assert.ok(w.every((x) => x.hint.length > 0));
});

test('no securityContext on the pod or any container is one warning', () => {
  const w = podSafetyWarnings({ spec: { containers: [{ name: 'agent', image: 'i' }] } }, 'spec.template');
  assert.deepEqual(w.map((x) => x.field), ['spec.template.spec.securityContext']);
  assert.match(w[0]!.message, /often as root/);
});

test('false flags are no warnings', () => {
  assert.deepEqual(podSafetyWarnings(tpl({ hostNetwork: false, hostPID: false }), 'spec.template'), []);
});

// The validated form of an AgentSpec. Both the v1alpha1 format and the predecessor's
// azdo.octolamp.nl/v1 format parse into this one type (see parseAgentSpec.ts).
import type { StandbySchedule } from './standbySchedule.ts';

export const API_VERSION = 'azdo.gitops.dev/v1alpha1';
export const LEGACY_API_VERSION = 'azdo.octolamp.nl/v1';

/** A capability the agents of a spec offer: `name` alone (exists) or `name=value` (equals). */
export interface Capability {
  readonly name: string;
  /** undefined for a bare capability (satisfies only `exists` demands). */
  readonly value: string | undefined;
}

export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

/** How long a pod may sit in each stuck state before its manifest is pruned, in seconds. */
export interface Deadlines {
  /** ErrImagePull / ImagePullBackOff since pod creation. */
  readonly imagePullSeconds: number;
  /** PodScheduled=False (Unschedulable) since pod creation. */
  readonly unschedulableSeconds: number;
  /** Pod running (or pending) but its agent never registered, since manifest creation. */
  readonly registrationSeconds: number;
  /** Manifest in git but no pod in the cluster, since manifest creation (GitOps sync lag). */
  readonly syncSeconds: number;
}

export const DEFAULT_DEADLINES: Deadlines = {
  imagePullSeconds: 600,
  unschedulableSeconds: 900,
  registrationSeconds: 600,
  syncSeconds: 600,
};

export interface AgentSpec {
  /** metadata.name; unique among specs. */
  readonly name: string;
  /** Repo-relative path of the file the spec came from (for messages). */
  readonly file: string;
  readonly format: 'v1alpha1' | 'legacy';
  /** Azure DevOps agent pool name. */
  readonly pool: string;
  /** DNS-1123 label prefix of pod and agent names (≤ 40 chars, lower-case). */
  readonly prefix: string;
  readonly capabilities: readonly Capability[];
  /** Idle agents to keep on top of demand (when no standbySchedule rule is in force). */
  readonly standby: number;
  /** Idle agents by time of day/week; see plan/effectiveStandby.ts. */
  readonly standbySchedule?: StandbySchedule | undefined;
  /** Cap on this spec's agents (manifests), busy or idle. */
  readonly maxAgents: number;
  /** Kubernetes namespace the pods are rendered into. */
  readonly namespace: string;
  /** Resolved PodTemplateSpec (inline or from templates/), as plain JSON. */
  readonly template: PodTemplate;
  readonly tokenSecretRef: SecretKeyRef;
  readonly deadlines: Deadlines;
  /** Short content hash of everything that shapes a pod; changes roll idle agents. */
  readonly revision: string;
}

/** A PodTemplateSpec as plain JSON: `{ metadata?: {labels?, annotations?}, spec: PodSpec }`. */
export interface PodTemplate {
  readonly metadata?: { readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly spec: Record<string, unknown> & { readonly containers: ReadonlyArray<Record<string, unknown>> };
}

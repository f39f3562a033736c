// Defaults the config layer fills (legacy env vars) for what a spec leaves out.
import type { Deadlines, SecretKeyRef } from './agentSpec.ts';
import { DEFAULT_DEADLINES } from './agentSpec.ts';

export interface SpecDefaults {
  /** AZDO_POOLNAME: the pool of legacy specs (v1alpha1 specs name their own). */
  readonly pool: string | undefined;
  /** STANDBY_AGENT_COUNT (legacy specs). */
  readonly standby: number;
  /** MAX_AGENT_COUNT (legacy specs). */
  readonly maxAgents: number;
  /** TARGET_NAMESPACE: namespace when a spec names none. */
  readonly namespace: string;
  /** Token Secret of legacy specs. */
  readonly tokenSecretRef: SecretKeyRef;
  readonly deadlines: Deadlines;
}

export const DEFAULT_TOKEN_SECRET_REF: SecretKeyRef = { name: 'azdo-agent-token', key: 'token' };

export const DEFAULT_SPEC_DEFAULTS: SpecDefaults = {
  pool: undefined,
  standby: 0,
  maxAgents: 10,
  namespace: 'azdo-agents',
  tokenSecretRef: DEFAULT_TOKEN_SECRET_REF,
  deadlines: DEFAULT_DEADLINES,
};

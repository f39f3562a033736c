// What each agent's capabilities said, kept across passes so they are read once per agent: the
// agent list is read without them (agents.ts). The marker is the env of the agent's process,
// fixed for its registration; a registration is this pool, id, name and creation time (an agent
// registered again gets a new id or creation time), and its entry goes once it is not listed.
import type { PoolAgent } from '../plan/observed.ts';

/** What ownership needs of an agent's capabilities (plan/agentOwnership.ts). */
export interface KnownCapabilities {
  readonly specMarker: string | undefined;
  readonly userCapabilities: Readonly<Record<string, string>>;
}

/** Beyond any organization's agent count: past it nothing new is kept (reads repeat, never mislead). */
export const MAX_CACHED_AGENTS = 50_000;

type Registration = Pick<PoolAgent, 'id' | 'name' | 'poolName' | 'createdOn'>;

const keyOf = (a: Registration): string => `${a.poolName.toLowerCase()}\u0000${a.id}`;
const identityOf = (a: Registration): string => `${a.name.toLowerCase()}\u0000${a.createdOn?.getTime() ?? ''}`;

export class AgentCapabilityCache {
  readonly #entries = new Map<string, { readonly identity: string; readonly known: KnownCapabilities }>();
  readonly #max: number;

  constructor(max = MAX_CACHED_AGENTS) {
    this.#max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** What a read said of this registration; undefined if none did (or of another registration). */
  get(agent: Registration): KnownCapabilities | undefined {
    const e = this.#entries.get(keyOf(agent));
    return e !== undefined && e.identity === identityOf(agent) ? e.known : undefined;
  }

  /** Keeps what a read with capabilities said of the agent it read (a lean read is ignored). */
  remember(read: PoolAgent): void {
    if (read.capabilitiesRead === false) return;
    const key = keyOf(read);
    if (!this.#entries.has(key) && this.#entries.size >= this.#max) return;
    this.#entries.set(key, { identity: identityOf(read), known: { specMarker: read.specMarker, userCapabilities: { ...read.userCapabilities } } });
  }

  /** Drops the entries of registrations not among `listed` (this pass's agent lists). */
  retain(listed: readonly Registration[]): void {
    const keep = new Map(listed.map((a) => [keyOf(a), identityOf(a)]));
    for (const [key, e] of this.#entries) if (keep.get(key) !== e.identity) this.#entries.delete(key);
  }
}

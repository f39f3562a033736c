import { registerPlaceholder } from '../azdo/agents.ts';
import type { PlaceholderToRegister } from '../plan/changes.ts';
import type { AzdoSession } from '../azdo/session.ts';
import type { Logger } from '../support/logger.ts';

/**
 * Offline agents that carry each spec's capabilities, so jobs queue while a spec has no pods.
 * `signal` (leadership) is checked before each registration: once aborted, it throws its reason.
 */
export async function registerPlaceholders(
  azdo: AzdoSession,
  placeholders: readonly PlaceholderToRegister[],
  log: Logger,
  signal?: AbortSignal,
): Promise<{ registered: string[]; failures: { agent: string; error: string }[] }> {
  const registered: string[] = [];
  const failures: { agent: string; error: string }[] = [];
  for (const p of placeholders) {
    signal?.throwIfAborted();
    try {
      await registerPlaceholder(azdo.api, await azdo.pools.idOf(p.poolName), p.name, p.capabilities);
      registered.push(p.name);
      log.info('registered placeholder agent', { agent: p.name, spec: p.specName, pool: p.poolName });
    } catch (err) {
      failures.push({ agent: p.name, error: (err as Error).message });
    }
  }
  return { registered, failures };
}

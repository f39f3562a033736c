import type { Plan } from './changes.ts';
import type { ObservedState } from './observed.ts';

/**
 * A spec file that fails to parse looks exactly like a deleted spec. While any spec has
 * errors, agents of specs that seem gone are left alone (no prune, no unregister): a typo in
 * a pull request must not tear down a pool's agents. Fixing the file resumes normal work.
 */
export function withholdOnSpecErrors(p: Plan, observed: Pick<ObservedState, 'specErrors'>): Plan {
  if (observed.specErrors.length === 0) return p;
  return {
    ...p,
    remove: p.remove.filter((r) => r.reason !== 'spec-removed'),
    unregister: p.unregister.filter((u) => u.reason !== 'spec-removed' && u.reason !== 'placeholder-obsolete'),
  };
}

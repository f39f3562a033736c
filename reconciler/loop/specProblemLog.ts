// Spec errors and warnings are logged when they appear or change, not on every pass: a broken
// spec that stays broken for a day must not write the same lines every poll interval.
// `status` and the azdo_gitops_spec_errors metric always show the current set.
import { formatSpecError, type SpecError } from '../agentspec/specError.ts';

export interface SpecProblemNews {
  readonly errors: readonly SpecError[];
  readonly warnings: readonly SpecError[];
  /** Problems of the last pass that are gone now, as formatSpecError text. */
  readonly resolved: readonly string[];
}

export class SpecProblemLog {
  private seen = new Set<string>();

  /** What is new since the last call; remembers the current set. */
  update(errors: readonly SpecError[], warnings: readonly SpecError[]): SpecProblemNews {
    const key = (kind: string, e: SpecError) => `${kind} ${formatSpecError(e)}`;
    const now = new Set([...errors.map((e) => key('error', e)), ...warnings.map((w) => key('warning', w))]);
    const news: SpecProblemNews = {
      errors: errors.filter((e) => !this.seen.has(key('error', e))),
      warnings: warnings.filter((w) => !this.seen.has(key('warning', w))),
      resolved: [...this.seen].filter((k) => !now.has(k)).map((k) => k.slice(k.indexOf(' ') + 1)),
    };
    this.seen = now;
    return news;
  }
}

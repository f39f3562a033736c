/** One precise problem with one AgentSpec file: where, what is wrong, what would be right. */
export interface SpecError {
  readonly file: string;
  /** Dotted path inside the document, e.g. `spec.maxAgents`; '' for the whole document. */
  readonly field: string;
  readonly message: string;
  /** What a valid value looks like. */
  readonly hint: string;
  /** metadata.name of the document, when it has one: the AgentSpec in the cluster the error is reported on. */
  readonly specName?: string;
  /** Set on the error of a spec whose pool the organization lacks (its cluster status says PoolMissing). */
  readonly poolMissing?: true;
}

export function formatSpecError(e: SpecError): string {
  const where = e.field ? `${e.file}: ${e.field}` : e.file;
  return `${where}: ${e.message} (${e.hint})`;
}

/** One precise problem with one AgentSpec file: where, what is wrong, what would be right. */
export interface SpecError {
  readonly file: string;
  /** Dotted path inside the document, e.g. `spec.maxAgents`; '' for the whole document. */
  readonly field: string;
  readonly message: string;
  /** What a valid value looks like. */
  readonly hint: string;
}

export function formatSpecError(e: SpecError): string {
  const where = e.field ? `${e.file}: ${e.field}` : e.file;
  return `${where}: ${e.message} (${e.hint})`;
}

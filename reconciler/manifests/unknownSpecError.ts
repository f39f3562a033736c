// A plan names a spec the caller did not pass to fileChanges.
export class UnknownSpecError extends Error {
  constructor(specName: string, podName: string) {
    super(`plan adds pod ${podName} for AgentSpec ${specName}, which is not in the specs given to fileChanges; pass the same specs the plan was made from`);
    this.name = 'UnknownSpecError';
  }
}

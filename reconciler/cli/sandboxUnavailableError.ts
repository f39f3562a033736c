/** A `sandbox` command was run from a build that leaves the sandbox out (dist/, the npm package, the image). */
export class SandboxUnavailableError extends Error {
  override readonly name = 'SandboxUnavailableError';
  constructor() {
    super(
      'the sandbox is a development tool and is not part of this build (the npm package and the image ship the reconciler only). ' +
        'Run it from a checkout of the repository: npm install && npm start. ' +
        'To reconcile an organization instead, set AZDO_ORG_URL, AZDO_TOKEN, GIT_URL and GIT_TOKEN for azdo-gitops run',
    );
  }
}

// argv → a command. Unknown flags are errors, with the usage that would be right.

export type Command =
  | { readonly name: 'run' }
  | { readonly name: 'once' }
  | { readonly name: 'plan'; readonly json: boolean }
  | { readonly name: 'status'; readonly json: boolean }
  | { readonly name: 'validate'; readonly dir: string; readonly json: boolean; readonly strict: boolean }
  | { readonly name: 'sandbox-run' }
  | { readonly name: 'sandbox-serve' }
  | { readonly name: 'sandbox-demo'; readonly json: boolean; readonly jobs: number | undefined }
  | { readonly name: 'help' }
  | { readonly name: 'version' };

export const USAGE = `Usage: azdo-gitops <command> [options]

Commands:
  run                    reconcile continuously (default); needs AZDO_ORG_URL, AZDO_TOKEN,
                         GIT_URL and GIT_TOKEN
  once                   one pass (observe, plan, apply), then exit
  plan [--json]          observe and print the changes a pass would make; writes nothing
  status [--json]        agents, jobs and manifests per AgentSpec, and spec errors
  validate <dir> [--json] [--strict]
                         check a cluster-repo checkout (AgentSpecs, templates, agent manifests);
                         --strict also fails on pod safety warnings (hostNetwork, privileged, ...)
  sandbox run            start the sandbox and reconcile continuously against it (npm start)
  sandbox serve          start the emulated Azure DevOps, git server and cluster; print how to
                         reach them as one JSON line
  sandbox demo [--json] [--jobs N]
                         run a job trace through the real reconciler against the sandbox

Configuration is read from the environment; see the README. The sandbox commands are
development tools: they come with a checkout (npm start, node sandbox/main.ts), not with the
npm package or the image.`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(problem: string) {
    super(`${problem}\n\n${USAGE}`);
  }
}

export function parseArgs(argv: readonly string[]): Command {
  const flags = new Set(argv.filter((a) => a.startsWith('-')));
  const words = argv.filter((a) => !a.startsWith('-'));
  const json = flags.delete('--json');
  const allowOnly = (...allowed: string[]): void => {
    const extra = [...flags].filter((f) => !allowed.includes(f));
    if (extra.length) throw new UnknownOptionError(extra);
  };
  const [cmd = 'run', ...rest] = words;
  if (flags.has('--help') || flags.has('-h') || cmd === 'help') return { name: 'help' };
  if (flags.has('--version') || cmd === 'version') return { name: 'version' };
  switch (cmd) {
    case 'run':
    case 'once':
      allowOnly();
      if (json) throw new UsageError(`${cmd} does not take --json`);
      if (rest.length) throw new UsageError(`${cmd} takes no arguments, got "${rest.join(' ')}"`);
      return { name: cmd };
    case 'plan':
    case 'status':
      allowOnly();
      if (rest.length) throw new UsageError(`${cmd} takes no arguments, got "${rest.join(' ')}"`);
      return { name: cmd, json };
    case 'validate': {
      const strict = flags.delete('--strict');
      allowOnly();
      if (rest.length !== 1) throw new UsageError('validate takes one directory: azdo-gitops validate ./cluster-repo');
      return { name: 'validate', dir: rest[0]!, json, strict };
    }
    case 'sandbox': {
      const sub = rest[0];
      if (sub === 'run' || sub === 'serve') {
        allowOnly();
        if (json) throw new UsageError(`sandbox ${sub} does not take --json`);
        if (rest.length > 1) {
          // `npm start -- plan` lands here: npm start is `sandbox run`; other commands go through `npm run cli`.
          const also = sub === 'run' ? ` (npm start runs the sandbox; for another command use npm run cli -- ${rest.slice(1).join(' ')})` : '';
          throw new UsageError(`sandbox ${sub} takes no arguments, got "${rest.slice(1).join(' ')}"${also}`);
        }
        return { name: `sandbox-${sub}` };
      }
      if (sub === 'demo') {
        const jobsFlag = argv.find((a) => a.startsWith('--jobs='));
        const jobsIndex = argv.indexOf('--jobs');
        const raw = jobsFlag?.slice('--jobs='.length) ?? (jobsIndex >= 0 ? argv[jobsIndex + 1] : undefined);
        if (jobsFlag) flags.delete(jobsFlag);
        flags.delete('--jobs');
        allowOnly();
        const extraWords = rest.slice(1).filter((w) => w !== raw);
        if (extraWords.length) throw new UsageError(`sandbox demo takes no arguments, got "${extraWords.join(' ')}"`);
        if (raw !== undefined && !/^[1-9]\d*$/.test(raw)) throw new UsageError(`--jobs must be a whole number ≥ 1, got "${raw}"`);
        return { name: 'sandbox-demo', json, jobs: raw === undefined ? undefined : Number(raw) };
      }
      throw new UsageError(`unknown sandbox command "${sub ?? ''}": use "sandbox run", "sandbox serve" or "sandbox demo"`);
    }
    default:
      throw new UsageError(`unknown command "${cmd}"`);
  }
}

class UnknownOptionError extends UsageError {
  constructor(flags: readonly string[]) {
    super(`unknown option${flags.length > 1 ? 's' : ''} ${flags.join(', ')}`);
  }
}

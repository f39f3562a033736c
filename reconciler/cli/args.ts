// argv → a command. Unknown flags are errors, with the usage that would be right.
import { parseArgs as tokenize } from 'node:util';
import { parseHistoryArgs, type HistoryCommand } from './historyArgs.ts';

export type Command =
  | { readonly name: 'run' }
  | { readonly name: 'once' }
  | { readonly name: 'plan'; readonly json: boolean }
  | { readonly name: 'status'; readonly json: boolean }
  | { readonly name: 'validate'; readonly dir: string; readonly json: boolean; readonly strict: boolean }
  | HistoryCommand
  | { readonly name: 'diff'; readonly base: string; readonly head: string; readonly json: boolean; readonly live: boolean }
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
  history [DIR] [--since 24h|7d|all] [--spec NAME] [--json] [--job ID] [--chart FILE.svg]
                         the scaling decisions in a clone of the cluster repo (default .): one line
                         per commit and spec, totals per spec; --job tells one job request's story;
                         --chart draws agents over time as SVG (and sparklines in the terminal)
  diff <base-dir> <head-dir> [--json] [--live]
                         what a pull request to the cluster repo will do, as Markdown: specs
                         added/removed, pods that rotate, capacity and standby changes, the
                         standby schedule over the next 7 days, validation errors; offline, or
                         --live: idle vs busy agents from the pools (AZDO_ORG_URL, AZDO_TOKEN)
  sandbox run            start the sandbox and reconcile continuously against it (npm start)
  sandbox serve          start the emulated Azure DevOps, git server and cluster; print how to
                         reach them as one JSON line
  sandbox demo [--json] [--jobs N]
                         run a job trace through the real reconciler against the sandbox

Configuration is read from the environment; see the README. The sandbox commands are
development tools: they come with a checkout (npm start, node sandbox/cli/main.ts), not with the
npm package or the image.`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(problem: string) {
    super(`${problem}\n\n${USAGE}`);
  }
}

/**
 * Every option any command takes. node:util parseArgs runs non-strict so that the errors can be
 * this CLI's own: each unknown option named at once, and an option another command takes
 * (`once --json`) said to be the wrong command's.
 */
const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  json: { type: 'boolean' },
  strict: { type: 'boolean' },
  jobs: { type: 'string' },
  live: { type: 'boolean' },
} as const;

type OptionName = keyof typeof OPTIONS;

interface GivenOption {
  readonly name: string;
  /** As typed, e.g. `--port=1` or `-x`. */
  readonly spelled: string;
  readonly value: string | undefined;
}

function isOptionName(name: string): name is OptionName {
  return Object.hasOwn(OPTIONS, name);
}

export function parseArgs(argv: readonly string[]): Command {
  const { positionals, tokens } = tokenize({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const given: GivenOption[] = tokens.flatMap((t) =>
    t.kind === 'option' ? [{ name: t.name, spelled: t.inlineValue ? `${t.rawName}=${t.value}` : t.rawName, value: t.value }] : [],
  );
  const has = (name: OptionName): boolean => given.some((o) => o.name === name);
  const [cmd = 'run', ...rest] = positionals;
  if (has('help') || cmd === 'help') return { name: 'help' };
  if (has('version') || cmd === 'version') return { name: 'version' };
  const json = has('json');
  /** Options outside `allowed` are unknown here; --json, which some commands take, is judged by each command. */
  const allowOnly = (...allowed: OptionName[]): void => {
    const extra = [...new Set(given.filter((o) => o.name !== 'json' && !allowed.includes(o.name as OptionName)).map((o) => o.spelled))];
    if (extra.length) throw new UnknownOptionError(extra);
    const valued = given.find((o) => isOptionName(o.name) && OPTIONS[o.name].type === 'boolean' && o.value !== undefined);
    if (valued) throw new UsageError(`--${valued.name} takes no value, got "${valued.spelled}"`);
  };
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
      allowOnly('strict');
      if (rest.length !== 1) throw new UsageError('validate takes one directory: azdo-gitops validate ./cluster-repo');
      return { name: 'validate', dir: rest[0]!, json, strict: has('strict') };
    }
    case 'history':
      try {
        return parseHistoryArgs(argv.slice(argv.indexOf('history') + 1), new Date());
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    case 'diff': {
      allowOnly('live');
      if (rest.length !== 2) throw new UsageError('diff takes two directories: azdo-gitops diff ./base-checkout ./pr-checkout');
      return { name: 'diff', base: rest[0]!, head: rest[1]!, json, live: has('live') };
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
        allowOnly('jobs');
        if (rest.length > 1) throw new UsageError(`sandbox demo takes no arguments, got "${rest.slice(1).join(' ')}"`);
        const jobs = given.findLast((o) => o.name === 'jobs');
        if (jobs && !/^[1-9]\d*$/.test(jobs.value ?? '')) throw new UsageError(`--jobs must be a whole number ≥ 1, got ${jobs.value === undefined ? 'nothing' : `"${jobs.value}"`}`);
        return { name: 'sandbox-demo', json, jobs: jobs ? Number(jobs.value) : undefined };
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

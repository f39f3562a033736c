#!/usr/bin/env node
// The sandbox's entry point: `npm start` (run), `npm run sandbox` (serve), `npm run demo` (demo).
// A development tool from a checkout; the product's entry point is reconciler/main.ts.
import { parseArgs } from '../../reconciler/cli/args.ts';
import { exitWhenDone } from '../../reconciler/cli/exitWhenDone.ts';
import { runSandboxCommand } from './commands.ts';

export const SANDBOX_USAGE = `Usage: node sandbox/cli/main.ts <command> [options]

Commands:
  run                    start the sandbox and reconcile continuously against it (npm start)
  serve                  start the emulated Azure DevOps, git server and cluster; print how to
                         reach them as one JSON line (npm run sandbox)
  demo [--json] [--jobs N]
                         run a job trace through the real reconciler against the sandbox (npm run demo)`;

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  // The product's parser, so that `azdo-gitops sandbox …` and this entry point accept the same.
  const cmd = parseArgs(['sandbox', ...argv]);
  if (cmd.name === 'sandbox-run' || cmd.name === 'sandbox-serve' || cmd.name === 'sandbox-demo') return runSandboxCommand(cmd, env);
  process.stdout.write(SANDBOX_USAGE + '\n');
  return 0;
}

exitWhenDone(main(process.argv.slice(2), process.env));

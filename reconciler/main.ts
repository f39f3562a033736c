#!/usr/bin/env node
// azdo-gitops: Azure Pipelines agents on Kubernetes, scaled through git.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs, USAGE } from './cli/args.ts';
import { onceCommand, planCommand, runCommand, statusCommand, validateCommand } from './cli/commands.ts';
import { exitWhenDone } from './cli/exitWhenDone.ts';
import { historyCommand } from './cli/historyCommand.ts';
import { diffCommand } from './cli/diffCommand.ts';
import { loadSandboxCommands } from './cli/loadSandboxCommands.ts';

/** package.json sits one level up from the sources, two from the compiled dist/reconciler/. */
function packageVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(url)) return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const cmd = parseArgs(argv);
  switch (cmd.name) {
    case 'help':
      process.stdout.write(USAGE + '\n');
      return 0;
    case 'version':
      process.stdout.write(`azdo-gitops ${packageVersion()}\n`);
      return 0;
    case 'run':
      return runCommand(env);
    case 'once':
      return onceCommand(env);
    case 'plan':
      return planCommand(env, cmd.json);
    case 'status':
      return statusCommand(env, cmd.json);
    case 'validate':
      return validateCommand(env, cmd.dir, cmd.json, cmd.strict);
    case 'history':
      return historyCommand(env, cmd);
    case 'diff':
      return diffCommand(env, cmd.base, cmd.head, cmd.json, cmd.live);
    case 'sandbox-run':
    case 'sandbox-serve':
    case 'sandbox-demo':
      return (await loadSandboxCommands())(cmd, env);
  }
}

exitWhenDone(main(process.argv.slice(2), process.env));

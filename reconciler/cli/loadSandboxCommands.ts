// The sandbox is a development tool that lives beside the product in a checkout (sandbox/), never
// in the build (dist/, the npm package, the image). From the TypeScript sources `azdo-gitops
// sandbox …` still reaches it; compiled JavaScript answers SandboxUnavailableError. The module is
// named at run time so that neither the compiler nor the package follows it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from './args.ts';
import { SandboxUnavailableError } from './sandboxUnavailableError.ts';

export type SandboxCommand = Extract<Command, { name: 'sandbox-run' | 'sandbox-serve' | 'sandbox-demo' }>;

/** What sandbox/cli/commands.ts exports; it runs one sandbox command and returns the exit code. */
export type RunSandboxCommand = (cmd: SandboxCommand, env: Readonly<Record<string, string | undefined>>) => Promise<number>;

/** @throws SandboxUnavailableError when this is a build (compiled JavaScript), not a checkout. */
export async function loadSandboxCommands(): Promise<RunSandboxCommand> {
  if (!import.meta.url.endsWith('.ts')) throw new SandboxUnavailableError();
  const url = new URL('../../sandbox/cli/commands.ts', import.meta.url);
  if (!existsSync(fileURLToPath(url))) throw new SandboxUnavailableError();
  const mod = (await import(url.href)) as { runSandboxCommand: RunSandboxCommand };
  return mod.runSandboxCommand;
}

// The sandbox is a development tool, left out of the production build (dist/, the image) together
// with sandboxCommands.ts, the one product file that imports it (tsconfig.build.json). The module
// is named at run time so the compiler does not follow the import into the build.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from './args.ts';
import { SandboxUnavailableError } from './sandboxUnavailableError.ts';

export type SandboxCommand = Extract<Command, { name: 'sandbox-run' | 'sandbox-serve' | 'sandbox-demo' }>;

/** What sandboxCommands.ts exports; it runs one sandbox command and returns the exit code. */
export type RunSandboxCommand = (cmd: SandboxCommand, env: Readonly<Record<string, string | undefined>>) => Promise<number>;

/** @throws SandboxUnavailableError when this build has no sandbox. */
export async function loadSandboxCommands(): Promise<RunSandboxCommand> {
  // Next to this file: sandboxCommands.ts in the sources, sandboxCommands.js in a build that has it.
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const url = new URL(`./sandboxCommands.${ext}`, import.meta.url);
  if (!existsSync(fileURLToPath(url))) throw new SandboxUnavailableError();
  const mod = (await import(url.href)) as { runSandboxCommand: RunSandboxCommand };
  return mod.runSandboxCommand;
}

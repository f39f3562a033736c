// A command's outcome → the process exit. A problem the user fixes (usage, configuration, input,
// cluster access, a missing sandbox) exits 2 with its message, which says what to do; anything
// else exits 1.
import { ClusterAccessError } from '../errors/clusterAccessError.ts';
import { ConfigError } from '../errors/configError.ts';
import { InputError } from '../errors/inputError.ts';
import { UsageError } from './args.ts';
import { SandboxUnavailableError } from './sandboxUnavailableError.ts';

function isUsersToFix(err: unknown): err is Error {
  return err instanceof UsageError || err instanceof ConfigError || err instanceof InputError || err instanceof ClusterAccessError || err instanceof SandboxUnavailableError;
}

export function exitWhenDone(done: Promise<number>): void {
  done.then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`azdo-gitops: ${isUsersToFix(err) ? err.message : ((err as Error)?.message ?? String(err))}\n`);
      process.exit(isUsersToFix(err) ? 2 : 1);
    },
  );
}

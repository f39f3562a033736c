export { startGitServer, GIT_HTTP_BACKEND } from './gitServer.ts';
export type { GitServer, GitServerOptions, CreateRepoOptions } from './gitServer.ts';
export { runGit, sandboxGitEnv } from './gitCli.ts';
export type { GitResult } from './gitCli.ts';

/**
 * Which environment variables the Azure Pipelines agent publishes as system capabilities, as its
 * EnvironmentCapabilitiesProvider does: every variable except a few shell ones, those named in
 * the comma-separated VSO_AGENT_IGNORE (entries trimmed; names compared case-sensitively, as on
 * Linux), and values of 1024 characters or more. Nothing else protects a secret in the env: an
 * AZP_TOKEN not listed in VSO_AGENT_IGNORE is published, PAT and all.
 */
export const AGENT_IGNORE_VAR = 'VSO_AGENT_IGNORE';
const WELL_KNOWN_IGNORED = ['comp_wordbreaks', 'ls_colors', 'TERM', 'TERM_PROGRAM', 'TERM_PROGRAM_VERSION', 'SHLVL'];
const MAX_VALUE_LENGTH = 1024;

/** @param env the agent process's environment (the container's env, resolved). Pure. */
export function envCapabilities(env: ReadonlyMap<string, string>): Record<string, string> {
  const ignored = new Set(WELL_KNOWN_IGNORED);
  for (const e of (env.get(AGENT_IGNORE_VAR) ?? '').split(',')) {
    const name = e.trim();
    if (name !== '') ignored.add(name);
  }
  const out: Record<string, string> = {};
  for (const name of [...env.keys()].sort((a, b) => (a.toUpperCase() < b.toUpperCase() ? -1 : a.toUpperCase() > b.toUpperCase() ? 1 : 0))) {
    const value = env.get(name)!;
    if (name === '' || ignored.has(name) || value.length >= MAX_VALUE_LENGTH) continue;
    out[name] = value;
  }
  return out;
}

/** The simulated agent's version, as it registers and as its Agent.Version capability says. */
export const SIMULATED_AGENT_VERSION = '4.258.1';

/** All the system capabilities the simulated agent registers with: its env's, then its own `Agent.*`. Pure. */
export function agentSystemCapabilities(env: ReadonlyMap<string, string>, agentName: string, computerName: string): Record<string, string> {
  return {
    ...envCapabilities(env),
    'Agent.Name': agentName,
    'Agent.Version': SIMULATED_AGENT_VERSION,
    'Agent.OS': 'Linux',
    'Agent.OSArchitecture': 'X64',
    'Agent.ComputerName': computerName,
  };
}

// README.md's configuration table, printed from SETTINGS (tools/configTable.ts prints it; a unit
// test keeps the README equal to it).
import { SETTINGS, type Setting } from './config.ts';

const code = (s: string): string => `\`${s}\``;

function names(name: string, s: Setting<unknown>): string {
  const aliases = s.aliases?.length ? ` (${s.aliases.map(code).join(', ')})` : '';
  return `${code(name)}${aliases}${s.fromFile ? ` / ${code(`${name}_FILE`)}` : ''}`;
}

/** The default as shown: `—` for a required setting. */
export function shownDefault(s: Setting<unknown>): string {
  if (s.shownDefault !== undefined) return s.shownDefault;
  return s.default === undefined ? '—' : code(s.default);
}

export function configTableMarkdown(): string {
  const rows = Object.entries(SETTINGS).map(([name, s]: [string, Setting<unknown>]) => `| ${names(name, s)} | ${shownDefault(s)} | ${code(s.example)} | ${s.meaning} |`);
  return ['| variable | default | example | meaning |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}

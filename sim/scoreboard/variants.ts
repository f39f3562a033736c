// Settings of this project's policy the scoreboard can vary (`--variant interval=30,trigger=off`,
// `--sweep interval=5,10,15,30`), so a default is chosen from figures rather than guessed.
import { SETTINGS } from '../../reconciler/config/config.ts';

export interface AzdoGitopsVariant {
  /** POLL_INTERVAL_SECONDS. */
  readonly intervalSeconds: number;
  /** A pass at once when a pod of ours finishes (the pod watcher's trigger), or only on the interval. */
  readonly passOnPodCompletion: boolean;
  /** SYNC_REQUEST set (the syncer is asked to sync right after each push), or the syncer's own 30–60 s interval only. */
  readonly syncRequest: boolean;
  /** The `linux` spec's standby (the scoreboard's spec says 2; AgentSpec's default is 0). */
  readonly linuxStandby: number;
}

const DEFAULT_INTERVAL_SECONDS = Number(SETTINGS.POLL_INTERVAL_SECONDS.default);

export function defaultVariant(linuxStandby: number): AzdoGitopsVariant {
  return { intervalSeconds: DEFAULT_INTERVAL_SECONDS, passOnPodCompletion: true, syncRequest: true, linuxStandby };
}

export class VariantError extends Error {
  override readonly name = 'VariantError';
}

const KEYS = ['interval', 'trigger', 'sync', 'standby'] as const;
type Key = (typeof KEYS)[number];
const USAGE = `Write KEY=VALUE pairs separated by commas: interval=<seconds>, trigger=on|off (a pass on pod completion), sync=on|off (SYNC_REQUEST), standby=<linux spec standby>; e.g. interval=30,trigger=off`;

function onOff(key: string, v: string): boolean {
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new VariantError(`${key} must be on or off, got "${v}". ${USAGE}`);
}

function whole(key: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new VariantError(`${key} must be a whole number ≥ ${min}, got "${v}". ${USAGE}`);
  return n;
}

function apply(base: AzdoGitopsVariant, key: Key, v: string): AzdoGitopsVariant {
  switch (key) {
    case 'interval':
      return { ...base, intervalSeconds: whole(key, v, 1) };
    case 'trigger':
      return { ...base, passOnPodCompletion: onOff(key, v) };
    case 'sync':
      return { ...base, syncRequest: onOff(key, v) };
    case 'standby':
      return { ...base, linuxStandby: whole(key, v, 0) };
  }
}

function keyOf(k: string): Key {
  const key = KEYS.find((x) => x === k);
  if (!key) throw new VariantError(`unknown setting "${k}". ${USAGE}`);
  return key;
}

/** `interval=30,trigger=off` on top of `base`; the label is the text as given. */
export function parseVariant(text: string, base: AzdoGitopsVariant): { label: string; variant: AzdoGitopsVariant } {
  let variant = base;
  for (const pair of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [k, v, extra] = pair.split('=');
    if (k === undefined || v === undefined || extra !== undefined) throw new VariantError(`"${pair}" is not KEY=VALUE. ${USAGE}`);
    variant = apply(variant, keyOf(k.trim()), v.trim());
  }
  return { label: text.trim(), variant };
}

/** `interval=5,10,15,30` (one key, several values; other keys fixed with `;`: `interval=5,10;trigger=off`) → one variant per value. */
export function expandSweep(text: string): string[] {
  const [sweep, ...fixed] = text.split(';').map((s) => s.trim());
  const m = /^([a-z]+)=(.+)$/.exec(sweep ?? '');
  if (!m) throw new VariantError(`--sweep takes KEY=V1,V2,… (then ;KEY=VALUE for fixed ones), got "${text}". ${USAGE}`);
  keyOf(m[1]!);
  return m[2]!.split(',').map((v) => [`${m[1]}=${v.trim()}`, ...fixed].join(','));
}

// Pod name = agent name = `<prefix>-<suffix>`: a DNS-1123 label ≤ 63 chars, deterministic from a seed.
import { createHash } from 'node:crypto';
import { DNS1123_LABEL_MAX } from '../agentspec/dns1123.ts';

export const SUFFIX_LENGTH = 6;
export const PLACEHOLDER_SUFFIX = 'placeholder';

/** The deterministic suffix for (seed, prefix, index): base36 of sha256, SUFFIX_LENGTH chars. */
export function nameSuffix(seed: string, prefix: string, index: number): string {
  const hex = createHash('sha256').update(`${seed}\u0000${prefix}\u0000${index}`).digest('hex');
  return BigInt('0x' + hex.slice(0, 16)).toString(36).padStart(SUFFIX_LENGTH, '0').slice(-SUFFIX_LENGTH);
}

/**
 * `count` new names `<prefix>-<suffix>`, none in `taken` and all distinct, deterministic from
 * `seed`. A prefix too long for a 63-char label is cut (and trailing '-' trimmed).
 */
export function newPodNames(prefix: string, count: number, seed: string, taken: ReadonlySet<string>): string[] {
  const base = prefix.slice(0, DNS1123_LABEL_MAX - 1 - SUFFIX_LENGTH).replace(/-+$/, '');
  const out: string[] = [];
  // Only this call's names are collected apart: copying `taken` per call would make a pass of
  // many specs cost specs × agents.
  const mine = new Set<string>();
  for (let i = 0; out.length < count; i++) {
    const name = `${base}-${nameSuffix(seed, prefix, i)}`;
    if (taken.has(name) || mine.has(name)) continue;
    mine.add(name);
    out.push(name);
  }
  return out;
}

/** The one placeholder agent per spec (offline, so the service accepts jobs at zero agents). */
export function placeholderName(prefix: string): string {
  return `${prefix}-${PLACEHOLDER_SUFFIX}`;
}

/**
 * Named like a placeholder of some prefix (case-insensitive, as the pool compares names). Our pod
 * names end in a SUFFIX_LENGTH suffix, so only a placeholder (or a person) is named so; its
 * capabilities tell which.
 */
export function isPlaceholderNamed(agentName: string): boolean {
  return agentName.toLowerCase().endsWith(`-${PLACEHOLDER_SUFFIX}`);
}

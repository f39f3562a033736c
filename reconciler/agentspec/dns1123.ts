// DNS-1123 label rules (Kubernetes object names, pod names = agent names) and label-value safety.

export const DNS1123_LABEL_MAX = 63;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isDns1123Label(s: string): boolean {
  return s.length <= DNS1123_LABEL_MAX && DNS1123_LABEL.test(s);
}

/**
 * Best-effort DNS-1123 label from any string: lower-case, every invalid character → '-',
 * leading/trailing '-' trimmed, cut to `max` characters. '' when nothing usable remains.
 */
export function toDns1123Label(s: string, max = DNS1123_LABEL_MAX): string {
  let out = s.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  out = out.replace(/^-+/, '').slice(0, max).replace(/-+$/, '');
  return out;
}

export function isLabelValue(s: string): boolean {
  return s.length <= 63 && LABEL_VALUE.test(s);
}

/** A Kubernetes label value derived from any string (pool names may contain spaces etc.). */
export function toLabelValue(s: string): string {
  let out = s.replace(/[^A-Za-z0-9_.-]/g, '-');
  out = out.slice(0, 63).replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
  return out;
}

// What the Kubernetes API server refuses in object metadata, checked before a manifest is
// committed (a refused pod would be refused on every pass): label and annotation key syntax,
// label value syntax and length, and the total size of annotations.
import { isLabelValue } from './dns1123.ts';

/** The API server's limit on the sum of all annotation keys and values (bytes). */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;
/** Room kept for the annotations the reconciler adds to every pod (created-at, job requests, Argo CD). */
export const RECONCILER_ANNOTATION_BYTES = 1024;

const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** The longest prefix (before "/") of a qualified name. */
export const QUALIFIED_NAME_PREFIX_MAX = 253;
/**
 * A qualified name in one pattern, for the CRD's CEL rules (the prefix length is checked apart):
 * the same rules as qualifiedNameProblem, which says which part is wrong.
 */
export const QUALIFIED_NAME_PATTERN = `^(${DNS1123_SUBDOMAIN.source.slice(1, -1)}/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`;

/** A qualified name (`name` or `prefix/name`), as label and annotation keys must be; undefined when valid. */
export function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > QUALIFIED_NAME_PREFIX_MAX || !DNS1123_SUBDOMAIN.test(prefix))) {
    return 'its prefix (before "/") must be a DNS subdomain of at most 253 characters (lower-case letters, digits, "-", ".")';
  }
  if (name.length === 0 || name.length > 63) return 'its name part must be 1 to 63 characters';
  if (!NAME_PART.test(name)) return 'its name part must be letters, digits, "-", "_", "." and start and end with a letter or digit';
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return `the value is ${value.length} characters, over 63`;
  if (!isLabelValue(value)) return 'the value must be empty or letters, digits, "-", "_", "." starting and ending with a letter or digit';
  return undefined;
}

export function annotationBytes(annotations: Readonly<Record<string, string>>): number {
  let n = 0;
  for (const [k, v] of Object.entries(annotations)) n += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(v, 'utf8');
  return n;
}

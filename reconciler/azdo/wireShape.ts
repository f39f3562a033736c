// What a read must look like before anything is concluded from it. The client gives no sign of
// a 2xx it could not read: an unparseable body (a proxy's HTML page, a maintenance page, a body
// cut short) and a 404 both resolve as null, and `{}` passes through as it is (only an object
// with a `value` array is unwrapped into a list). Read as "no jobs" or "no agents", any of them
// scales down; so anything but the expected shape is unreadable, like a 5xx.
import { AzdoUnreadableResponseError } from '../errors/azdoErrors.ts';

/** Fields an item must carry (a positive integer id, a non-empty name) to be used at all. */
export type RequiredFields = Readonly<Record<string, 'id' | 'name'>>;

export const JOB_REQUEST_FIELDS: RequiredFields = { requestId: 'id' };
export const AGENT_FIELDS: RequiredFields = { id: 'id', name: 'name' };
export const POOL_FIELDS: RequiredFields = { id: 'id', name: 'name' };

function kindOf(got: unknown): string {
  if (got === null || got === undefined) return 'no JSON: the client reads an HTML page, a body cut short, an empty body and a 404 all as null';
  if (Array.isArray(got)) return 'a list';
  if (typeof got === 'object') return Object.keys(got).length === 0 ? 'an empty object {}' : `an object without a "value" list (keys: ${Object.keys(got).slice(0, 5).join(', ')})`;
  return `a ${typeof got}`;
}

function hasOwnKey(o: object): boolean {
  for (const key in o) if (Object.hasOwn(o, key)) return true;
  return false;
}

// Checked for every item of every list read (thousands a pass): nothing is allocated unless it fails.
function missingField(item: unknown, fields: RequiredFields): string | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return `is not an object (${item === null ? 'null' : Array.isArray(item) ? 'a list' : typeof item})`;
  const o = item as Record<string, unknown>;
  if (!hasOwnKey(o)) return 'is an empty object {}';
  for (const field in fields) {
    const kind = fields[field];
    const v = o[field];
    const ok = kind === 'id' ? Number.isSafeInteger(v) && (v as number) > 0 : typeof v === 'string' && v !== '';
    if (!ok) return `has no ${kind === 'id' ? 'numeric ' : ''}${field}`;
  }
  return undefined;
}

/** A list read: an array whose every item carries `fields`; anything else throws unreadable. */
export function expectList<T>(operation: string, got: unknown, fields: RequiredFields): T[] {
  if (!Array.isArray(got)) throw new AzdoUnreadableResponseError(operation, kindOf(got));
  for (let i = 0; i < got.length; i++) expectListItem(operation, got[i], i, fields, got.length);
  return got as T[];
}

/**
 * One item of a list (`index`: its position, of `length` where the whole list is known, not while
 * it streams); throws unreadable as expectList would.
 */
export function expectListItem<T>(operation: string, item: unknown, index: number, fields: RequiredFields, length?: number): T {
  const problem = missingField(item, fields);
  if (problem) throw new AzdoUnreadableResponseError(operation, `item ${index}${length === undefined ? '' : ` of ${length}`} ${problem}`);
  return item as T;
}

/** A single-object read that returned something: it must be an object carrying `fields`, with `id` if given. */
export function expectItem<T>(operation: string, got: unknown, fields: RequiredFields, id?: number): T {
  if (Array.isArray(got)) throw new AzdoUnreadableResponseError(operation, 'a list where one object was expected');
  const problem = missingField(got, fields);
  if (problem) throw new AzdoUnreadableResponseError(operation, `the object ${problem}`);
  const gotId = (got as { id?: unknown }).id;
  if (id !== undefined && gotId !== id) throw new AzdoUnreadableResponseError(operation, `id ${String(gotId)} where ${id} was asked for`);
  return got as T;
}

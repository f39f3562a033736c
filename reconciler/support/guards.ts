// Narrowing of parsed input (YAML, JSON) before its fields are read.

/** A plain mapping: not null, not an array, not a Date (the YAML parser yields Dates for timestamps). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

// Object-name validation with the apiserver's own wording (a cause's message is the error body
// without its field, as in the real Status), so a consumer's bad name fails the
// same way in the sandbox as on a real cluster.
import type { StatusCause } from './status.ts';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

export function invalidValue(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${detail}`, field };
}

export function required(field: string, detail = ''): StatusCause {
  return { reason: 'FieldValueRequired', message: `Required value${detail ? ': ' + detail : ''}`, field };
}

export function forbidden(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field };
}

export function notSupported(field: string, value: unknown, supported: string[]): StatusCause {
  return { reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`, field };
}

/** Errors for a DNS-1123 subdomain (most object names). */
export function validateSubdomain(field: string, name: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (name.length > 253) out.push(invalidValue(field, name, 'must be no more than 253 characters'));
  if (!SUBDOMAIN.test(name)) out.push(invalidValue(field, name, SUBDOMAIN_MSG));
  return out;
}

/** Errors for a DNS-1123 label (namespace and container names). */
export function validateLabel(field: string, name: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (name.length > 63) out.push(invalidValue(field, name, 'must be no more than 63 characters'));
  if (!LABEL.test(name)) out.push(invalidValue(field, name, LABEL_MSG));
  return out;
}

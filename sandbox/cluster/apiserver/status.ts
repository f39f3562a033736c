// Kubernetes `Status` failures: every API error leaves the server as one of these, with the
// reason/code/message shapes the real apiserver uses, because clients branch on them.
import type { ResourceDef } from './resources.ts';

export interface StatusCause { reason: string; message: string; field?: string }

export class StatusError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: number, reason: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'StatusError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
  toStatus(): Record<string, unknown> {
    return statusBody(this.code, this.reason, this.message, this.details);
  }
}

export function statusBody(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason };
  if (details) body.details = details;
  body.code = code;
  return body;
}

export function successStatus(details: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

/** `pods` for core, `leases.coordination.k8s.io` otherwise — how the apiserver names a resource in messages. */
export function qualifiedResource(def: ResourceDef): string {
  return def.group ? `${def.plural}.${def.group}` : def.plural;
}

function details(def: ResourceDef, name: string): Record<string, unknown> {
  const d: Record<string, unknown> = { name };
  if (def.group) d.group = def.group;
  d.kind = def.plural;
  return d;
}

export function notFound(def: ResourceDef, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualifiedResource(def)} "${name}" not found`, details(def, name));
}

export function alreadyExists(def: ResourceDef, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${qualifiedResource(def)} "${name}" already exists`, details(def, name));
}

export function conflict(def: ResourceDef, name: string): StatusError {
  return new StatusError(409, 'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(def)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details(def, name));
}

export function invalid(def: ResourceDef, name: string, causes: StatusCause[]): StatusError {
  const text = (c: StatusCause): string => (c.field ? `${c.field}: ${c.message}` : c.message);
  const summary = causes.length === 1 ? text(causes[0]!) : `[${causes.map(text).join(', ')}]`;
  const d: Record<string, unknown> = { name };
  if (def.group) d.group = def.group;
  d.kind = def.kind;
  d.causes = causes;
  return new StatusError(422, 'Invalid', `${def.kind} "${name}" is invalid: ${summary}`, d);
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

export function pathNotFound(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function methodNotAllowed(method: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`, {});
}

export function unsupportedMediaType(contentType: string): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${contentType})`);
}

export function expired(requested: string, oldest: string): StatusError {
  return new StatusError(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
}

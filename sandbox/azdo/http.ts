// Small HTTP helpers shared by the REST and admin handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badArgument, badJson, ServiceError } from './errors.ts';
import type { JsonPieces } from './jobListing.ts';

const MAX_BODY = 1024 * 1024;

/** Reads and parses a JSON body; an empty body is `undefined`. Throws 400 service errors. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw badArgument('The request body is larger than 1 MiB.');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badJson((err as Error).message);
  }
}

/** A JSON object body, or a 400 naming what was expected. */
export async function readObject(req: IncomingMessage, what: string): Promise<Record<string, unknown>> {
  const body = await readJson(req);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badArgument(`The request body must be a JSON object (${what}).`);
  }
  return body as Record<string, unknown>;
}

/** The content type the service answers with (api-version included). */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8; api-version=7.2-preview.1';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendText(res, status, JSON_CONTENT_TYPE, body === undefined ? '' : JSON.stringify(body), headers);
}

/** Any body with its content type (omitted when the body is empty). */
export function sendText(res: ServerResponse, status: number, contentType: string, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  // Set one by one (not through writeHead) so the server can read Content-Length back for its stats.
  const all: Record<string, string | number> = {
    ...headers,
    ...(text ? { 'Content-Type': contentType } : {}),
    'Content-Length': Buffer.byteLength(text),
    'ActivityId': crypto.randomUUID(),
  };
  for (const [k, v] of Object.entries(all)) res.setHeader(k, v);
  res.writeHead(status);
  res.end(text);
}

/**
 * A JSON body written piece by piece as the socket drains (a body too large to be one string),
 * with the same headers as sendText.
 */
export async function sendJsonPieces(res: ServerResponse, status: number, body: JsonPieces, headers: Record<string, string> = {}): Promise<void> {
  if (res.headersSent || res.destroyed) return;
  const all: Record<string, string | number> = {
    ...headers,
    'Content-Type': JSON_CONTENT_TYPE,
    'Content-Length': body.bytes,
    'ActivityId': crypto.randomUUID(),
  };
  for (const [k, v] of Object.entries(all)) res.setHeader(k, v);
  res.writeHead(status);
  for (const piece of body.pieces) {
    if (res.destroyed) return;
    if (!res.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  res.end();
}

/** The whole text of a body in pieces (for a fault that cuts it short; small bodies only). */
export function joinPieces(body: JsonPieces): string {
  return Buffer.concat([...body.pieces].map((p) => (typeof p === 'string' ? Buffer.from(p) : p))).toString('utf8');
}

export function sendError(res: ServerResponse, err: ServiceError, headers: Record<string, string> = {}): void {
  sendJson(res, err.status, err.body(), headers);
}

/** Converts anything thrown by a handler into a service error (never crash on bad input). */
export function asServiceError(err: unknown): ServiceError {
  if (err instanceof ServiceError) return err;
  return new ServiceError(500, 'InternalServerErrorException',
    `Internal emulator error: ${(err as Error)?.message ?? String(err)}. This is an emulator bug; report it.`, 'System');
}

/** Parses an integer route/query value; undefined when absent, 400 when malformed. */
export function intParam(value: string | null | undefined, name: string): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw badArgument(`The value '${value}' is not valid for ${name}: expected an integer.`);
  return Number.parseInt(value, 10);
}

export function boolParam(value: string | null): boolean {
  return value !== null && value.toLowerCase() === 'true';
}

// What every REST handler gets: the shared state and services, plus the parsed request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JobListing, JsonPieces } from './jobListing.ts';
import type { EmulatorState } from './state.ts';
import type { Scheduler } from './scheduler.ts';
import type { Wire } from './wire.ts';

export interface Emulator {
  state: EmulatorState;
  scheduler: Scheduler;
  wire: Wire;
  /** The job-request listing's body, matchedAgents serialized once per eligible set. */
  listing: JobListing;
  messageLongPollMs: number;
  /** Set by close(): long-polls answer at once. */
  closing: boolean;
  /** Wakes every open long-poll (used by close()). */
  wakeAll(): void;
}

export interface RequestContext {
  emu: Emulator;
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  /** A JSON body already serialized, in pieces (instead of `body`). */
  json?: JsonPieces;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RequestContext) => Promise<RouteResult> | RouteResult;

export interface Route {
  method: string;
  /** Path under `{org}/_apis/`, with `{param}` segments. */
  pattern: string;
  handler: Handler;
}

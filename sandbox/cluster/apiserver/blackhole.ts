// The "blackhole" fault: what a client sees behind a network partition that drops packets rather
// than refusing them. Its connections are accepted and its requests read, but nothing is ever
// written back, and its open watches go silent without ending. No RST, no timeout from the server:
// only the client's own timeouts can tell.
import type { IncomingMessage, ServerResponse } from 'node:http';

export class Blackhole {
  #all = false;
  readonly #clients = new Set<string>();
  readonly #held = new Set<ServerResponse>();

  /** Starts swallowing `client`'s requests (every client's, unauthenticated ones included, when omitted). */
  start(client?: string): void {
    if (client === undefined) this.#all = true;
    else this.#clients.add(client);
  }

  /**
   * New requests are answered again. Requests held meanwhile stay unanswered (their packets
   * were lost); each ends when its client gives up on it or the server closes.
   */
  end(): void {
    this.#all = false;
    this.#clients.clear();
  }

  affects(client: string | undefined): boolean {
    return this.#all || (client !== undefined && this.#clients.has(client));
  }

  /** Reads the request to its end and never answers it. */
  hold(req: IncomingMessage, res: ServerResponse): void {
    this.#held.add(res);
    res.on('close', () => this.#held.delete(res));
    req.resume();
  }

  get heldCount(): number {
    return this.#held.size;
  }
}

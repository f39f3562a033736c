// The seam between the cluster adapters and the wire: the few REST calls they make, JSON in and
// out. kubeHttp.ts implements it over node:https; the adapters parse what comes back into the
// narrow shapes they read.

export interface KubeRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** From the server root, e.g. /api/v1/namespaces/x/pods. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Default application/json; a merge patch says application/merge-patch+json. */
  readonly contentType?: string;
  /** The request fails with a TimeoutError after this long (from when it is sent). */
  readonly timeoutMs: number;
  /** Aborting it fails the request with the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface KubeWatchRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Until the server answers (status and headers). */
  readonly connectTimeoutMs: number;
  /** The watch ends with a TimeoutError once nothing at all has come for this long. */
  readonly idleTimeoutMs: number;
}

export interface KubeClient {
  /** The API server's URL (for messages). */
  readonly server: string;
  /** The parsed JSON body of a 2xx answer. Throws KubeApiError on any other status; a network error or timeout as is. */
  request(req: KubeRequest): Promise<unknown>;
  /**
   * Opens a watch (`?watch=true`) and resolves once the server answered: with `opened` true on
   * 200, the events then arrive through `onEvent`; otherwise `done` has already been called
   * with the failure (a KubeApiError carrying the status). `done` is called exactly once: with
   * undefined when the server ended the stream, with the error otherwise. Aborting the returned
   * controller ends the watch without calling `done` again.
   */
  watch(req: KubeWatchRequest, onEvent: (type: string, object: unknown) => void, done: (err: unknown) => void): Promise<AbortController>;
}

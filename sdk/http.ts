/** @module The SDK's tiny JSON-over-HTTP client for the 1Backend server and its typed errors. */

/**
 * A non-2xx answer from the server. `message` is the server's own message (`{"error": ...}`), `code`
 * its stable code (`user.slug_taken`, `user.invalid_token`, …) when it sent one.
 *
 * @example
 * try { await api.call("POST", "/user-svc/login", { body }) }
 * catch (e) { if (e instanceof ServerError && e.status === 401) console.error(e.message) }
 */
export class ServerError extends Error {
  override name = "ServerError";
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    /** Seconds from a `Retry-After` header (429), when present. */
    readonly retryAfter?: number,
    /** The answer's body as sent (empty when there was none). */
    readonly body = "",
  ) {
    super(message);
  }
}

/**
 * Options of one {@link ApiClient.call}.
 *
 * @example
 * await api.call("GET", "/registry-svc/instances", { token, query: { slug: "skeleton-svc" } });
 */
export interface CallOptions {
  body?: unknown;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Query parameters; pairs allow a repeated name. */
  query?: Record<string, string | undefined> | [string, string][];
  signal?: AbortSignal;
  /** Milliseconds before the request is aborted; default 10 000. */
  timeoutMs?: number;
  /** `fetch`'s redirect mode; default `follow` (the CLI shows a redirect as it is: `manual`). */
  redirect?: "follow" | "manual" | "error";
}

/**
 * Calls the server's JSON API. Throws {@link ServerError} on a non-2xx status and the underlying
 * `TypeError`/`DOMException` on network failures or timeouts (see {@link isTransient}).
 *
 * @example
 * const api = new ApiClient("http://127.0.0.1:11337");
 * const { publicKey } = await api.call<{ publicKey: string }>("GET", "/user-svc/public-key");
 */
export class ApiClient {
  readonly baseUrl: string;
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
  }

  /** Sends one request and returns the parsed JSON body (`{}` for an empty body). */
  async call<T = unknown>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const text = await this.text(method, path, options);
    if (text.trim() === "") return {} as T;
    return JSON.parse(text) as T;
  }

  /** Sends one request and returns the body as text; the same errors as {@link ApiClient.call}. */
  async text(method: string, path: string, options: CallOptions = {}): Promise<string> {
    const url = new URL(this.baseUrl + path);
    const query = options.query ?? {};
    for (const [k, v] of Array.isArray(query) ? query : Object.entries(query)) if (v !== undefined) url.searchParams.append(k, v);
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
    const combined = options.signal ? eitherSignal(options.signal, timeout) : undefined;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: combined?.signal ?? timeout,
        redirect: options.redirect,
      });
      text = await response.text();
    } finally {
      combined?.release();
    }
    if (!response.ok) throw toServerError(response, text);
    return text;
  }
}

/**
 * A signal aborted when either `a` or `b` is, and `release` to drop its listeners once the call is
 * over (a caller's long-lived signal must not collect one per call). `AbortSignal.any` would do, but
 * only from Node.js 20.3, and the package promises 20.
 */
function eitherSignal(a: AbortSignal, b: AbortSignal): { signal: AbortSignal; release(): void } {
  const both = new AbortController();
  const listeners = new AbortController();
  for (const source of [a, b]) {
    if (source.aborted) both.abort(source.reason);
    else source.addEventListener("abort", () => both.abort(source.reason), { once: true, signal: listeners.signal });
  }
  return { signal: both.signal, release: () => listeners.abort() };
}

function toServerError(response: Response, text: string): ServerError {
  let message = text.trim() || response.statusText || `HTTP ${response.status}`;
  let code: string | undefined;
  try {
    const body = JSON.parse(text) as { error?: unknown; code?: unknown };
    if (typeof body.error === "string") message = body.error;
    if (typeof body.code === "string") code = body.code;
  } catch {
    // Not JSON (a proxy in between, or an old server): keep the raw text as the message.
  }
  const retry = Number(response.headers.get("retry-after"));
  return new ServerError(response.status, message, code, Number.isFinite(retry) && retry > 0 ? retry : undefined, text);
}

/**
 * True when retrying later may succeed: network errors, timeouts, 429 and 5xx. 4xx answers
 * (bad input, wrong password, conflict) are not transient, and neither is any other error (a
 * `SlugTakenError`, a bad credentials file): retrying those would only delay the real message.
 *
 * @example
 * if (!isTransient(err)) throw err; // give up; otherwise back off and retry
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof ServerError) return err.status === 429 || err.status >= 500;
  // fetch failures (refused, reset, DNS) are TypeErrors; a timeout is a DOMException "TimeoutError".
  return err instanceof TypeError || (err instanceof DOMException && err.name === "TimeoutError");
}

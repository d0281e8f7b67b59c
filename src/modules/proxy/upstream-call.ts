/**
 * @module One attempt to get response headers from one instance, with the proxy's two deadlines:
 * - connect (`OB_PROXY_CONNECT_TIMEOUT`): when no response has come by then and the body was not sent,
 *   a TCP probe decides whether the instance accepts connections at all (probe.ts); if it does not,
 *   the attempt is a connect failure and the caller tries another instance;
 * - response (`OB_PROXY_TIMEOUT`, to the response headers): after it the attempt is abandoned (504).
 * The client's abort signal cancels the upstream request at any point, body streaming included.
 *
 * The client's body stream is handed to fetch as is (native streaming, flat memory). Bun reads it only
 * once connected: after a refused connect `request.bodyUsed` is still false and the same stream can
 * go to the next instance; once bytes were sent (or the attempt was aborted) it is true and the
 * failure is final.
 */
import { canConnect } from "./probe";

/** How an attempt ended when it did not produce a response. */
export type FailureKind = "connect" | "timeout" | "client" | "other";

export interface CallTimeouts {
  connectMs: number;
  responseMs: number;
}

/** Error codes fetch gives when the TCP connection itself could not be made (nothing was sent). */
const CONNECT_ERRORS = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ConnectionRefused",
  "FailedToOpenSocket",
  "UnableToConnect",
]);

/**
 * One attempt: an AbortController (its signal goes to fetch) carrying the attempt's state, so the hot
 * path allocates one object and no closures for the deadlines or the client's abort.
 */
export class UpstreamCall extends AbortController {
  private kind: FailureKind | undefined;
  private settled = false;
  private timer: Timer | undefined;

  constructor(
    private readonly request: Request,
    private readonly instanceUrl: string,
    private readonly timeouts: CallTimeouts,
  ) {
    super();
  }

  /** Sends the request to `url`; resolves with the response headers or rejects (see {@link failureOf}). */
  send(url: string, headers: Headers): Promise<Response> {
    const clientSignal = this.request.signal;
    if (clientSignal.aborted) this.fail("client");
    else clientSignal.addEventListener("abort", this, { once: true });
    this.timer = setTimeout(this.onConnectDeadline, Math.min(this.timeouts.connectMs, this.timeouts.responseMs), this);
    return fetch(url, {
      method: this.request.method,
      headers,
      body: this.request.body,
      redirect: "manual",
      decompress: false,
      // Bun's idle timer would cut quiet streams (SSE); deadlines are ours, client aborts cancel.
      timeout: false,
      signal: this.signal,
    } as RequestInit);
  }

  /** Response headers arrived or the attempt failed: the deadlines are over. */
  settle(): void {
    this.settled = true;
    clearTimeout(this.timer);
  }

  /** Why the attempt failed, from our own abort reason or fetch's error code. */
  failureOf(error: unknown): FailureKind {
    if (this.kind !== undefined) return this.kind;
    const code = (error as { code?: string } | null)?.code;
    return code !== undefined && CONNECT_ERRORS.has(code) ? "connect" : "other";
  }

  /** The client went away (EventListener interface of the request's signal). */
  handleEvent(): void {
    this.fail("client");
  }

  private fail(why: FailureKind): void {
    // Deadlines end with the response headers; a client abort also cancels the body that follows.
    if (this.settled && why !== "client") return;
    this.kind ??= why;
    this.abort();
  }

  private onConnectDeadline(this: void, call: UpstreamCall): void {
    const rest = call.timeouts.responseMs - call.timeouts.connectMs;
    if (rest <= 0) return call.fail("timeout");
    call.timer = setTimeout((c: UpstreamCall) => c.fail("timeout"), rest, call);
    if (call.request.bodyUsed) return; // body bytes were read, so the connection was made
    canConnect(call.instanceUrl, call.timeouts.connectMs).then((ok) => ok || call.fail("connect"));
  }
}

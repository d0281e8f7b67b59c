/**
 * @module One attempt to get response headers from one instance, with the proxy's two deadlines:
 * - connect (`OB_PROXY_CONNECT_TIMEOUT`): when no response has come by then and the body was not sent,
 *   a TCP probe decides whether the instance accepts connections at all (../../lib/tcp-probe.ts); if it does not,
 *   the attempt is a connect failure and the caller tries another instance;
 * - response (`OB_PROXY_TIMEOUT`, to the response headers): after it the attempt is abandoned (504).
 *
 * Client aborts: once response headers are in, Bun cancels the response body (our fetch's body) when
 * the client goes away, which closes the upstream request. Before that, the client's `request.signal`
 * cancels the attempt; it is watched only from `CLIENT_WATCH_MS` on, because creating a server
 * request's signal and listening to it costs ~5 µs, a quarter of the module's per-request CPU, and
 * most answers come sooner. A signal first read after the client left is already aborted, so a client
 * abort still cancels the upstream request, at most `CLIENT_WATCH_MS` late.
 *
 * A host-name instance is connected at the address the registry checked (forward.ts passes its pinned
 * base URL, and for https its TLS server name): the connect probe below goes there too.
 *
 * The client's body stream is handed to fetch as is (native streaming, flat memory). Bun reads it only
 * once connected: after a refused connect `request.bodyUsed` is still false and the same stream can
 * go to the next instance; once bytes were sent (or the attempt was aborted) it is true and the
 * failure is final.
 */
import { canConnect } from "../../lib/tcp-probe";

/** How an attempt ended when it did not produce a response. */
export type FailureKind = "connect" | "timeout" | "client" | "other";

/** What every attempt shares: the deadlines and the fetch of the proxy's own connection pool. */
export interface CallSettings {
  connectMs: number;
  responseMs: number;
  /** `fetch` of the forwarder's `Bun.FetchSession` (see forward.ts). */
  fetch: (url: string, init: RequestInit & { tls?: { serverName: string } }) => Promise<Response>;
}

/** When an attempt still has no response headers after this long, the client's abort signal is watched. */
export const CLIENT_WATCH_MS = 50;

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
 * path allocates one object and no closures for the deadlines or the client's abort. One timer walks
 * the attempt through its checkpoints: client watch, connect deadline, response deadline.
 */
export class UpstreamCall extends AbortController {
  private readonly settings: CallSettings;
  // The attempt's own values come with send(): the constructor takes the shared settings alone, as
  // an options object of per-attempt values would be one more allocation per request.
  private request!: Request;
  private instanceUrl = "";
  private kind: FailureKind | undefined;
  private settled = false;
  private timer: Timer | undefined;

  constructor(settings: CallSettings) {
    super();
    this.settings = settings;
  }

  /**
   * Sends `request` to `url` at the instance whose base URL is `instanceUrl` (the pinned one when there
   * is a pin: the connect probe goes there); resolves with the response headers or rejects (see
   * {@link failureOf}). `tls` (pinned https only) names the host for SNI and the certificate check,
   * which Bun makes against `serverName` (chain and name, checked in
   * test/registry/address-pinning.test.ts); such requests share pooled connections per server name.
   */
  send(request: Request, instanceUrl: string, url: string, headers: Headers, tls?: { serverName: string }): Promise<Response> {
    this.request = request;
    this.instanceUrl = instanceUrl;
    this.timer = setTimeout(UpstreamCall.onWatch, Math.min(CLIENT_WATCH_MS, this.connectMs()), this);
    return this.settings.fetch(url, {
      method: request.method,
      headers,
      body: request.body,
      redirect: "manual",
      decompress: false,
      // Bun's idle timer would cut quiet streams (SSE); deadlines are ours, client aborts cancel.
      timeout: false,
      signal: this.signal,
      tls,
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

  /** The connect deadline, never past the response deadline. */
  private connectMs(): number {
    return Math.min(this.settings.connectMs, this.settings.responseMs);
  }

  private fail(why: FailureKind): void {
    // Deadlines end with the response headers; a client abort also cancels the body that follows.
    if (this.settled && why !== "client") return;
    this.kind ??= why;
    this.abort();
  }

  private static onWatch(this: void, call: UpstreamCall): void {
    const clientSignal = call.request.signal;
    if (clientSignal.aborted) return call.fail("client");
    clientSignal.addEventListener("abort", call, { once: true });
    const rest = call.connectMs() - CLIENT_WATCH_MS;
    if (rest <= 0) return UpstreamCall.onConnectDeadline(call);
    call.timer = setTimeout(UpstreamCall.onConnectDeadline, rest, call);
  }

  private static onConnectDeadline(this: void, call: UpstreamCall): void {
    const rest = call.settings.responseMs - call.settings.connectMs;
    if (rest <= 0) return call.fail("timeout");
    call.timer = setTimeout((c: UpstreamCall) => c.fail("timeout"), rest, call);
    if (call.request.bodyUsed) return; // body bytes were read, so the connection was made
    canConnect(call.instanceUrl, call.settings.connectMs).then((ok) => ok || call.fail("connect"));
  }
}

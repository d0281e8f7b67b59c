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

export type CallResult = { response: Response } | { failure: FailureKind; error: unknown };

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

/** Sends the request to `url` and waits for the response headers. Never throws. */
export async function callUpstream(
  request: Request,
  instanceUrl: string,
  url: string,
  headers: Headers,
  timeouts: CallTimeouts,
): Promise<CallResult> {
  const controller = new AbortController();
  let kind: FailureKind | undefined;
  let settled = false;
  const abort = (why: FailureKind) => {
    // Deadlines end with the response headers; a client abort also cancels the body that follows.
    if (settled && why !== "client") return;
    kind ??= why;
    controller.abort();
  };
  const clientSignal = request.signal;
  if (clientSignal.aborted) return { failure: "client", error: undefined };
  clientSignal.addEventListener("abort", () => abort("client"), { once: true });
  let timer: Timer;
  const connectDeadline = () => {
    const rest = timeouts.responseMs - timeouts.connectMs;
    if (rest <= 0) return abort("timeout");
    timer = setTimeout(abort, rest, "timeout");
    if (request.bodyUsed) return; // body bytes were read, so the connection was made
    canConnect(instanceUrl, timeouts.connectMs).then((ok) => ok || abort("connect"));
  };
  timer = setTimeout(connectDeadline, Math.min(timeouts.connectMs, timeouts.responseMs));
  try {
    const response = await fetch(url, {
      method: request.method,
      headers,
      body: request.body,
      redirect: "manual",
      decompress: false,
      // Bun's idle timer would cut quiet streams (SSE); deadlines are ours, client aborts cancel.
      timeout: false,
      signal: controller.signal,
    } as RequestInit);
    return { response };
  } catch (error) {
    const code = (error as { code?: string } | null)?.code;
    return { failure: kind ?? (code !== undefined && CONNECT_ERRORS.has(code) ? "connect" : "other"), error };
  } finally {
    settled = true;
    clearTimeout(timer);
  }
}

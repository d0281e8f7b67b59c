/**
 * @module WebSocket proxying. The upstream connection is opened first, so the subprotocol the
 * upstream picked can be put in our 101 answer and a failed connection can be retried on another
 * instance (try-instances.ts, the loop the HTTP path uses too) or answered with a normal HTTP error.
 * Then the client is upgraded (raw Bun.serve, so frames stay byte-exact: text stays text, binary
 * stays binary) and frames are piped both ways; a close on either side closes the other with the
 * same code.
 *
 * Backpressure both ways, so a slow reader never makes the proxy buffer without bound (nor lose
 * frames: past `backpressureLimit` a server socket's send() drops the message and returns 0):
 * - upstream → client: when the client's send() reports backpressure (-1) the upstream socket is
 *   paused until the client's `drain`;
 * - client → upstream: Bun's client WebSocket has no drain event, so when its `bufferedAmount` passes
 *   a high-water mark the client socket is paused and the buffer is polled until it is half empty.
 * A frame dropped anyway (a burst already read past the limit) closes both sides with 1011 rather
 * than silently corrupting the stream.
 *
 * Handshake fields: the upstream gets the headers forward.ts prepared (hop-by-hop and
 * `Connection`-listed fields removed, `authorization` as the token gate decided, the hop count set) minus
 * the handshake fields its WebSocket client writes itself. Back to the client goes our own 101 with
 * only the subprotocol the upstream picked: Bun's client exposes nothing else of the upstream's 101,
 * so none of its fields (hop-by-hop, `Connection`-listed or not) can reach the client. A handshake the
 * upstream refuses (a 508 from a hop past the loop bound included: Bun reports no status, only an
 * error event) is answered 502 here.
 *
 * The requested subprotocols are checked before any upstream socket is opened: `Sec-WebSocket-Protocol`
 * is `1#token` (RFC 6455 §4.1, §11.3.4; token per RFC 9110 §5.6.2), each name once. A list that is not
 * (`a b`, `chat, chat`, an empty item) is answered 400 `proxy.bad_handshake`: Bun's client would throw
 * on it, and it is the client's mistake, not the instance's. Duplicates are compared case-insensitively,
 * as Bun's client does. Any other synchronous throw of the upstream `new WebSocket` is answered 502.
 *
 * A host-name instance is connected at the address its network-policy verdict checked (the pin),
 * with the `Host` field and TLS server name of its URL, as on the HTTP path (forward.ts).
 */
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import { canConnect } from "../../lib/tcp-probe";
import type { InstanceRouting, PinnedConnect, RoutedInstance } from "../registry/routing";
import { renderError } from "../../http/render-error";
import * as errors from "./errors";
import type { Picker } from "./pick";
import type { ProxyTarget } from "./target";
import { InstanceLoop } from "./try-instances";

/** Per-connection state, kept in the server socket's `data`. */
interface Pipe {
  upstream: WebSocket;
  client?: ServerWebSocket<unknown>;
  /** Upstream frames that arrived before the client socket opened. */
  early: (string | ArrayBuffer)[];
  upstreamClose?: { code: number; reason: string };
  /** Polls the upstream's send buffer while the client socket is paused (see the module note). */
  drainPoll?: Timer;
}

/** Bytes queued toward the upstream before the client's socket stops being read. */
const UPSTREAM_HIGH_WATER = 4 * 1024 * 1024;
const DRAIN_POLL_MS = 10;

export interface WebSocketProxy {
  /**
   * Connects to an instance of `target.slug` (`instances`: the forwarder's read of them) and upgrades
   * the client; a Response when that is not possible.
   */
  upgrade(request: Request, server: Server<unknown>, target: ProxyTarget, headers: Headers, instances: readonly RoutedInstance[]): Promise<Response | undefined>;
  handlers: WebSocketHandler<unknown>;
}

export interface WebSocketProxyOptions {
  routing: InstanceRouting;
  picker: Picker;
  /** `OB_PROXY_RETRIES`. */
  retries: number;
  /** `OB_PROXY_CONNECT_TIMEOUT`: how long an upstream socket may take to open. */
  connectTimeoutMs: number;
}

/** Handshake fields the WebSocket client sets itself; the rest of the client's headers are forwarded. */
const HANDSHAKE = ["sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol"];

export function createWebSocketProxy(options: WebSocketProxyOptions): WebSocketProxy {
  const { routing, picker, retries, connectTimeoutMs } = options;

  /** One try of one instance: an open upstream socket, or the answer; `protocols` are the client's subprotocols. */
  async function openAt(loop: InstanceLoop<WebSocket | Response, string[]>, request: Request, target: ProxyTarget, headers: Headers, tried: string[] | undefined, instance: RoutedInstance, pin: PinnedConnect | undefined, protocols: string[]): Promise<WebSocket | Response> {
    const base = pin === undefined ? instance.url : pin.url;
    let upstream: WebSocket | undefined;
    try {
      upstream = await open(base.replace(/^http/, "ws") + target.pathAndQuery, headers, protocols, connectTimeoutMs, pin?.tls);
    } catch {
      // A synchronous throw of `new WebSocket` (the protocols were checked before): never a rejection.
      return renderError(errors.badGateway(), request);
    }
    if (upstream !== undefined) return upstream;
    // Open failed: a refused TCP connect means the instance is down; anything else (e.g. the
    // upstream answered the handshake with 404) is the instance's answer and is not retried.
    if (await canConnect(base, connectTimeoutMs)) return renderError(errors.badGateway(), request);
    return loop.connectFailed(request, target, headers, tried, instance, undefined, protocols);
  }

  const loop = new InstanceLoop<WebSocket | Response, string[]>({
    routing,
    picker,
    retries,
    attempt: openAt,
    answer: (request, _slug, error) => renderError(error, request),
  });

  async function upgrade(request: Request, server: Server<unknown>, target: ProxyTarget, headers: Headers, instances: readonly RoutedInstance[]) {
    const protocols = subprotocolsOf(request.headers.get("sec-websocket-protocol"));
    if (protocols === undefined) return renderError(errors.badHandshake(), request);
    for (const name of HANDSHAKE) headers.delete(name);
    const upstream = await loop.run(request, target, headers, instances, protocols);
    if (upstream instanceof Response) return upstream;
    const pipe: Pipe = { upstream, early: [] };
    listen(pipe);
    const chosen = upstream.protocol ? { "sec-websocket-protocol": upstream.protocol } : undefined;
    try {
      if (server.upgrade(request, { data: pipe, headers: chosen })) return undefined;
    } catch (err) {
      upstream.close(); // the caller (forward.ts) logs the rejection and answers 500
      throw err;
    }
    upstream.close();
    return renderError(errors.badGateway(), request);
  }

  const handlers: WebSocketHandler<unknown> = {
    open(ws) {
      const pipe = ws.data as Pipe;
      pipe.client = ws;
      for (const frame of pipe.early) toClient(pipe, ws, frame);
      pipe.early.length = 0;
      if (pipe.upstreamClose) ws.close(clientCode(pipe.upstreamClose.code), pipe.upstreamClose.reason);
    },
    message(ws, message) {
      const pipe = ws.data as Pipe;
      pipe.upstream.send(message);
      if (pipe.upstream.bufferedAmount > UPSTREAM_HIGH_WATER && pipe.drainPoll === undefined) pauseClient(pipe, ws);
    },
    drain(ws) {
      (ws.data as Pipe).upstream.resume();
    },
    close(ws, code, reason) {
      const pipe = ws.data as Pipe;
      clearInterval(pipe.drainPoll);
      const { upstream } = pipe;
      if (upstream.readyState === WebSocket.OPEN || upstream.readyState === WebSocket.CONNECTING) upstream.close(upstreamCode(code), reason);
    },
  };
  return { upgrade, handlers };
}

/** RFC 9110 §5.6.2 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The subprotocols of a `Sec-WebSocket-Protocol` value (`1#token`, each once; see the module note):
 * `[]` when the field is absent, `undefined` when it is malformed.
 */
export function subprotocolsOf(field: string | null): string[] | undefined {
  if (field === null) return [];
  const protocols = field.split(",").map((p) => p.replace(/^[ \t]+|[ \t]+$/g, ""));
  if (!protocols.every((p) => TOKEN.test(p))) return undefined;
  return new Set(protocols.map((p) => p.toLowerCase())).size === protocols.length ? protocols : undefined;
}

/** Opens a WebSocket to `url`; `undefined` when it fails or does not open within `timeoutMs`. */
function open(url: string, headers: Headers, protocols: string[], timeoutMs: number, tls: { serverName: string } | undefined): Promise<WebSocket | undefined> {
  const socket = new WebSocket(url, { headers, protocols, tls } as unknown as string[]);
  socket.binaryType = "arraybuffer";
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.close();
      resolve(undefined);
    }, timeoutMs);
    socket.onopen = () => {
      clearTimeout(timer);
      resolve(socket);
    };
    socket.onerror = () => {
      clearTimeout(timer);
      resolve(undefined);
    };
  });
}

/** Relays upstream frames and close to the client (buffering until the client socket is open). */
function listen(pipe: Pipe): void {
  const { upstream } = pipe;
  upstream.onerror = null;
  upstream.onmessage = (event) => {
    if (pipe.client) toClient(pipe, pipe.client, event.data);
    else pipe.early.push(event.data);
  };
  upstream.onclose = (event) => {
    if (pipe.client) pipe.client.close(clientCode(event.code), event.reason);
    else pipe.upstreamClose = { code: event.code, reason: event.reason };
  };
}

/** Sends one upstream frame to the client, pausing the upstream on backpressure (see the module note). */
function toClient(pipe: Pipe, client: ServerWebSocket<unknown>, frame: string | ArrayBuffer): void {
  const status = client.send(frame);
  if (status === -1) pipe.upstream.pause();
  else if (status === 0 && client.readyState === WebSocket.OPEN && sizeOf(frame) > 0) {
    client.close(1011, "proxy buffer full");
    pipe.upstream.close(1000, "client too slow");
  }
}

/** Stops reading the client until the upstream's send buffer is half drained. */
function pauseClient(pipe: Pipe, client: ServerWebSocket<unknown>): void {
  client.pause();
  pipe.drainPoll = setInterval(() => {
    if (pipe.upstream.readyState === WebSocket.OPEN && pipe.upstream.bufferedAmount > UPSTREAM_HIGH_WATER / 2) return;
    clearInterval(pipe.drainPoll);
    pipe.drainPoll = undefined;
    client.resume();
  }, DRAIN_POLL_MS);
}

function sizeOf(frame: string | ArrayBuffer): number {
  return typeof frame === "string" ? frame.length : frame.byteLength;
}

/** 1005/1006/1015 are reported locally, never sent: map them to a code a peer may receive. */
function clientCode(code: number): number {
  if (code === 1005) return 1000;
  return code === 1006 || code === 1015 ? 1011 : code;
}

/** A WebSocket client may only send 1000 or 3000–4999. */
function upstreamCode(code: number): number {
  return code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000;
}

/**
 * @module WebSocket proxying. The upstream connection is opened first, so the subprotocol the
 * upstream picked can be put in our 101 answer and a failed connection can be retried on another
 * instance or answered with a normal HTTP error. Then the client is upgraded (raw Bun.serve, so
 * frames stay byte-exact: text stays text, binary stays binary) and frames are piped both ways;
 * a close on either side closes the other with the same code.
 */
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import type { InstanceRouting } from "../registry/routing";
import * as errors from "./errors";
import type { Picker } from "./pick";
import { canConnect } from "./probe";
import type { ProxyTarget } from "./target";

/** Per-connection state, kept in the server socket's `data`. */
interface Pipe {
  upstream: WebSocket;
  client?: ServerWebSocket<unknown>;
  /** Upstream frames that arrived before the client socket opened. */
  early: (string | ArrayBuffer)[];
  upstreamClose?: { code: number; reason: string };
}

export interface WebSocketProxy {
  /** Connects to an instance and upgrades the client; a Response when that is not possible. */
  upgrade(request: Request, server: Server<unknown>, target: ProxyTarget, headers: Headers): Promise<Response | undefined>;
  handlers: WebSocketHandler<unknown>;
}

/** Handshake fields the WebSocket client sets itself; the rest of the client's headers are forwarded. */
const HANDSHAKE = ["sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol"];

export function createWebSocketProxy(routing: InstanceRouting, picker: Picker, retries: number, connectTimeoutMs: number): WebSocketProxy {
  async function upgrade(request: Request, server: Server<unknown>, target: ProxyTarget, headers: Headers) {
    const protocols = (request.headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim()).filter(Boolean);
    for (const name of HANDSHAKE) headers.delete(name);
    let tried: string[] | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      const instance = picker.pick(target.slug, routing.instancesOf(target.slug), tried);
      if (instance === undefined) return errors.proxyErrorResponse(request, errors.noHealthyInstances());
      const url = instance.url.replace(/^http/, "ws") + target.pathAndQuery;
      const upstream = await open(url, headers, protocols, connectTimeoutMs);
      if (upstream !== undefined) {
        const pipe: Pipe = { upstream, early: [] };
        listen(pipe);
        const chosen = upstream.protocol ? { "sec-websocket-protocol": upstream.protocol } : undefined;
        if (server.upgrade(request, { data: pipe, headers: chosen })) return undefined;
        upstream.close();
        return errors.proxyErrorResponse(request, errors.badGateway());
      }
      // Open failed: a refused TCP connect means the instance is down; anything else (e.g. the
      // upstream answered the handshake with 404) is the instance's answer and is not retried.
      if (await canConnect(instance.url, connectTimeoutMs)) return errors.proxyErrorResponse(request, errors.badGateway());
      routing.reportConnectFailure(instance.id);
      (tried ??= []).push(instance.id);
    }
    return errors.proxyErrorResponse(request, errors.upstreamUnreachable());
  }

  const handlers: WebSocketHandler<unknown> = {
    open(ws) {
      const pipe = ws.data as Pipe;
      pipe.client = ws;
      for (const frame of pipe.early) ws.send(frame);
      pipe.early.length = 0;
      if (pipe.upstreamClose) ws.close(clientCode(pipe.upstreamClose.code), pipe.upstreamClose.reason);
    },
    message(ws, message) {
      (ws.data as Pipe).upstream.send(message);
    },
    close(ws, code, reason) {
      const { upstream } = ws.data as Pipe;
      if (upstream.readyState === WebSocket.OPEN || upstream.readyState === WebSocket.CONNECTING) upstream.close(upstreamCode(code), reason);
    },
  };
  return { upgrade, handlers };
}

/** Opens a WebSocket to `url`; `undefined` when it fails or does not open within `timeoutMs`. */
function open(url: string, headers: Headers, protocols: string[], timeoutMs: number): Promise<WebSocket | undefined> {
  const socket = new WebSocket(url, { headers, protocols } as unknown as string[]);
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
    if (pipe.client) pipe.client.send(event.data);
    else pipe.early.push(event.data);
  };
  upstream.onclose = (event) => {
    if (pipe.client) pipe.client.close(clientCode(event.code), event.reason);
    else pipe.upstreamClose = { code: event.code, reason: event.reason };
  };
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

/**
 * @module Proxy: every request whose first path segment is not built-in goes to an instance of that
 * slug (contract §5). Split by concern: target.ts (slug and raw path), pick.ts (selection),
 * headers.ts + ../../http/trust.ts (header rules), forward.ts + upstream-call.ts (the streaming
 * request path with deadlines), try-instances.ts (the retry loop HTTP and WebSocket share),
 * websocket.ts. It has no built-in routes: `/proxy-svc/*` is the edge module's (modules/edge/routes.ts).
 */
import type { Server, WebSocketHandler } from "bun";
import { Elysia } from "elysia";
import type { BaseDeps } from "../module";
import type { AuthGate } from "../auth-gate";
import type { Module } from "../module";
import type { InstanceRouting } from "../registry/routing";
import { Forwarder, URL_ROUTING, type EdgeForward } from "./forward";
import { createPicker } from "./pick";
import { createTrustCheck } from "../../http/trust";
import { createWebSocketProxy } from "./websocket";
import { ProxyMetrics } from "../observability/proxy-metrics";
import { Registry } from "prom-client";

export interface ProxyModule extends Module {
  /**
   * Forwards a request whose first segment is a slug. `server` gives the client IP and WebSocket
   * upgrades; `pathStart` and `segment` are where the path starts in `request.url` and the scan of its
   * first segment (target.ts), as the server's handler found them.
   */
  forward(request: Request, server?: Server<unknown>, pathStart?: number, segment?: number): Promise<Response | undefined>;
  /** Bun.serve WebSocket handlers for proxied upgrades. */
  websocket: WebSocketHandler<unknown>;
  /** The same engine for the edge listeners (issue 13): routes to a slug or to an absolute URL. */
  edge: EdgeForward;
}

/** Builds the proxy from the registry's in-memory routing view and the User Svc's token gate. */
export function createProxyModule(deps: BaseDeps, gate: AuthGate, routing: InstanceRouting): ProxyModule {
  const { config, log } = deps;
  const picker = createPicker();
  const trust = createTrustCheck(config.trustedProxies);
  const websockets = createWebSocketProxy({ routing, picker, retries: config.proxyRetries, connectTimeoutMs: config.proxyConnectTimeoutMs });
  const urlWebsockets = createWebSocketProxy({ routing: URL_ROUTING, picker, retries: 0, connectTimeoutMs: config.proxyConnectTimeoutMs });
  // Without the server's metrics (module-level tests, the proxy benchmark harness) the counts go to a
  // registry of their own, so the request path is the same either way.
  const metrics = deps.metrics?.proxy ?? new ProxyMetrics(new Registry());
  const forwarder = new Forwarder({ config, log, gate, routing, picker, trust, websockets, urlWebsockets, metrics });
  return { routes: new Elysia({ name: "proxy" }), forward: forwarder.forward, websocket: websockets.handlers, edge: forwarder.edge, stop: () => forwarder.close() };
}

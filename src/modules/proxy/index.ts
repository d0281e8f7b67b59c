/** @module Proxy: everything whose first path segment is not built-in goes to an instance (contract §5). Placeholder. */
import { Elysia } from "elysia";
import type { Server, WebSocketHandler } from "bun";
import type { BaseDeps } from "../../deps";
import type { AuthGate } from "../../http/auth-guard";
import { errorResponse, notFound } from "../../http/errors";
import type { Module } from "../module";
import type { InstanceRouting } from "../registry/routing";

export interface ProxyModule extends Module {
  /** Forwards a request whose first segment is a slug. `server` gives the client IP and WebSocket upgrades. */
  forward(request: Request, server?: Server<unknown>): Promise<Response | undefined>;
  /** Bun.serve WebSocket handlers for proxied upgrades. */
  websocket: WebSocketHandler<unknown>;
}

export function createProxyModule(_deps: BaseDeps, _gate: AuthGate, _routing: InstanceRouting): ProxyModule {
  return {
    routes: new Elysia({ name: "proxy-svc" }),
    forward: async () => errorResponse(notFound("proxy.no_instances", "no instances found")),
    websocket: { message() {} },
  };
}

/**
 * @module Benchmark harness without the registry: the proxy module behind a raw Bun.serve, routing
 * `skeleton-svc` to UPSTREAM (default http://127.0.0.1:19311). Prints its URL; runs until killed.
 *   PORT=19501 UPSTREAM=http://127.0.0.1:19311 bun bench/proxy/harness.ts
 */
import { createLogger } from "../../src/lib/log";
import { loadConfig } from "../../src/config";
import { createProxyModule } from "../../src/modules/proxy";
import type { BaseDeps } from "../../src/modules/module";
import type { RoutedInstance } from "../../src/modules/registry/routing";

const upstreamUrl = process.env.UPSTREAM ?? "http://127.0.0.1:19311";
const instances: RoutedInstance[] = [{ id: "inst-bench", slug: "skeleton-svc", url: upstreamUrl, status: "Healthy" }];
const config = loadConfig({ OB_FOLDER: "/tmp", OB_LOG_LEVEL: "warn" });
const deps = { config, log: createLogger("warn"), clock: { now: Date.now } } as unknown as BaseDeps;
const proxy = createProxyModule(
  deps,
  { authenticate: async () => { throw new Error("unused"); }, hasPermission: () => false, grantDefaultPermits: () => {}, authorizationForUpstream: async (a) => a },
  { instancesOf: (slug) => (slug === "skeleton-svc" ? instances : []), reportConnectFailure: () => {}, subscribe: () => () => {} },
);
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 19501),
  fetch: (request, srv) => proxy.forward(request, srv),
  websocket: proxy.websocket,
  maxRequestBodySize: Number.MAX_SAFE_INTEGER,
  idleTimeout: 255,
});
console.log(`http://127.0.0.1:${server.port}/skeleton-svc/hello`);

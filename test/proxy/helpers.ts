/**
 * @module Proxy test harness: the proxy module alone behind a raw Bun.serve on port 0, with a fake
 * registry view and a fake token gate, and real upstream servers on port 0. `await using` everything.
 */
import type { Server, WebSocketHandler } from "bun";
import type { BaseDeps } from "../../src/modules/module";
import type { AuthGate } from "../../src/modules/auth-gate";
import { revokedTokenRefusal, unknownTokenRefusal } from "../helpers/gate-refusals";
import { createLogger, type LogLevel } from "../../src/lib/log";
import { createProxyModule, type ProxyModule } from "../../src/modules/proxy";
import type { InstanceRouting, InstanceStatus, RoutedInstance } from "../../src/modules/registry/routing";
import { testConfig } from "../helpers/config";

/** An in-memory registry view whose connect-failure reports flip the status at once, like the real one. */
export class FakeRouting implements InstanceRouting {
  private readonly bySlug = new Map<string, RoutedInstance[]>();
  readonly failures: string[] = [];
  private next = 0;

  add(slug: string, url: string, status: InstanceStatus = "Healthy"): RoutedInstance {
    const instance: RoutedInstance = { id: `inst-${++this.next}`, slug, url: url.replace(/\/$/, ""), status };
    this.bySlug.set(slug, [...(this.bySlug.get(slug) ?? []), instance]);
    return instance;
  }
  setStatus(id: string, status: InstanceStatus): void {
    for (const list of this.bySlug.values()) for (const i of list) if (i.id === id) i.status = status;
  }
  instancesOf(slug: string): readonly RoutedInstance[] {
    return this.bySlug.get(slug) ?? [];
  }
  reportConnectFailure(instanceId: string): void {
    this.failures.push(instanceId);
    this.setStatus(instanceId, "Unreachable");
  }
  subscribe(): () => void {
    return () => {};
  }
}

/** Tokens as the User Svc gate treats them: `expired-active` is refreshed, `revoked` is refused. */
export const fakeGate: AuthGate = {
  authenticate: async (authorization) => {
    throw unknownTokenRefusal(authorization);
  },
  hasPermission: () => false,
  grantDefaultPermits: () => {},
  authorizationForUpstream: async (authorization) => {
    if (authorization === "Bearer expired-active") return "Bearer refreshed";
    if (authorization === "Bearer revoked") throw revokedTokenRefusal();
    return authorization;
  },
};

export interface Harness {
  url: string;
  proxy: ProxyModule;
  routing: FakeRouting;
  logs: string[];
  [Symbol.asyncDispose](): Promise<void>;
}

/** The proxy behind Bun.serve(port 0). `env` sets OB_* variables (timeouts, retries, trusted proxies). */
export function proxyHarness(options: { env?: Record<string, string>; routing?: FakeRouting; gate?: AuthGate; logLevel?: LogLevel } = {}): Harness {
  const routing = options.routing ?? new FakeRouting();
  const logs: string[] = [];
  const log = createLogger(options.logLevel ?? "warn", (line) => logs.push(line));
  const config = testConfig("/tmp", options.env);
  const deps = { config, log, clock: { now: () => Date.now() } } as unknown as BaseDeps;
  const proxy = createProxyModule(deps, options.gate ?? fakeGate, routing);
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request, srv) => proxy.forward(request, srv),
    websocket: proxy.websocket as WebSocketHandler<unknown>,
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    idleTimeout: 255,
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    proxy,
    routing,
    logs,
    async [Symbol.asyncDispose]() {
      await server.stop(true);
    },
  };
}

export interface Upstream {
  url: string;
  server: Server<unknown>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A real upstream on port 0 running `fetch`; `websocket` handlers for WebSocket tests. */
export function upstream(fetch: (request: Request, server: Server<unknown>) => Response | Promise<Response> | undefined, websocket?: WebSocketHandler<unknown>): Upstream {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: fetch as never,
    websocket: websocket as never,
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    idleTimeout: 255,
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    server,
    async [Symbol.asyncDispose]() {
      await server.stop(true);
    },
  };
}

/** An upstream that answers with what it received: method, raw URL path, headers, body length. */
export function echoUpstream(name = "echo"): Upstream {
  return upstream(async (request) => {
    const body = await request.arrayBuffer();
    const url = request.url;
    return Response.json({
      name,
      method: request.method,
      path: url.slice(url.indexOf("/", url.indexOf("//") + 2)),
      headers: Object.fromEntries(request.headers),
      bodyLength: body.byteLength,
    });
  });
}

/** Sends a request line exactly as given (no client-side URL normalisation) and returns status and body. */
export async function rawRequest(baseUrl: string, method: string, target: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  const lines = [`${method} ${target} HTTP/1.1`, `host: ${hostname}:${port}`, "connection: close", ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  const chunks: Uint8Array[] = [];
  await new Promise<void>((resolve, reject) => {
    Bun.connect({
      hostname,
      port: Number(port),
      socket: {
        open: (socket) => void socket.write(lines.join("\r\n") + "\r\n\r\n"),
        data: (_socket, data) => void chunks.push(new Uint8Array(data)),
        close: () => resolve(),
        error: (_socket, err) => reject(err),
        connectError: (_socket, err) => reject(err),
      },
    }).catch(reject);
  });
  const text = Buffer.concat(chunks).toString("latin1");
  const status = Number(text.slice(9, 12));
  return { status, body: text.slice(text.indexOf("\r\n\r\n") + 4) };
}

/** The JSON body of a response (or of a pending fetch), untyped for terse assertions. */
export async function json(response: Response | Promise<Response>): Promise<any> {
  return (await response).json();
}

export interface ProxyProcess {
  url: string;
  pid: number;
  /** Resident memory of the proxy process now, in bytes. */
  rss(): number;
  /** Peak resident memory since the last `resetPeak()`, in bytes. */
  peak(): number;
  /** Restarts peak tracking (Linux `clear_refs` 5). */
  resetPeak(): void;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Runs the proxy in a child process routing `routes` (slug → upstream URL). */
export async function proxyProcess(routes: Record<string, string>): Promise<ProxyProcess> {
  const child = Bun.spawn(["bun", `${import.meta.dir}/fixtures/proxy-process.ts`], {
    env: { ...process.env, ROUTES: JSON.stringify(routes) },
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("proxy process exited before printing its URL");
    text += new TextDecoder().decode(value);
  }
  const status = (field: string) => {
    const line = require("node:fs").readFileSync(`/proc/${child.pid}/status`, "utf8").split("\n").find((l: string) => l.startsWith(field));
    return Number(line.split(/\s+/)[1]) * 1024;
  };
  return {
    url: text.trim(),
    pid: child.pid,
    rss: () => status("VmRSS:"),
    peak: () => status("VmHWM:"),
    resetPeak: () => require("node:fs").writeFileSync(`/proc/${child.pid}/clear_refs`, "5"),
    async [Symbol.asyncDispose]() {
      child.kill();
      await child.exited;
    },
  };
}

/**
 * @module Starts the server: config → database → migrations → modules → listen → background jobs,
 * and stops it gracefully (in-flight requests finish, jobs stop, the database closes).
 */
import type { Server } from "bun";
import type { Config } from "./config";
import { createApp } from "./app";
import { createDeps, type Deps, type DepsOverrides } from "./deps";
import { createHandler, type RequestHandler } from "./handler";
import { serverStarting } from "./http/errors";
import { formatAddress, listen } from "./http/listen";
import { renderError } from "./http/render-error";
import { createLogger } from "./lib/log";
import { LIVE_WHILE_STARTING } from "./modules/observability/liveness";

export interface RunningServer {
  /** Base URL clients use, e.g. `http://127.0.0.1:11337` (the real port when 0 was asked for). */
  url: string;
  port: number;
  deps: Deps;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), stops jobs, closes the database. */
  stop(graceMs?: number): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts listening on the configured address. Port 0 picks a free port and OB_SELF_URL follows it.
 * Throws `ListenError` (http/listen.ts) when the address is in use and OB_REUSE_PORT is not set.
 */
export async function startServer(config: Config, inputOverrides: DepsOverrides = {}): Promise<RunningServer> {
  // One logger from the first moment, so errors Bun reports before the modules exist are logged too.
  const overrides = { ...inputOverrides, log: inputOverrides.log ?? createLogger(config.logLevel, undefined, config.logFormat) };
  // Between bind and ready (migrations, key pair) requests get a proper error, not a hang.
  // Liveness is true already (the process answers; liveness.ts says why); readiness and everything else wait.
  let handle: RequestHandler = async (request) => (isLivenessProbe(request) ? Response.json(LIVE_WHILE_STARTING) : renderError(serverStarting()));
  let deps: Deps | undefined;
  // The socket is bound first so a port-0 server knows its port before modules read OB_SELF_URL.
  const server: Server<unknown> = listen<unknown>({
    hostname: config.listenHost,
    port: config.listenPort,
    fetch: (request, srv) => handle(request, srv),
    websocket: {
      open: (ws) => deps?.proxy.websocket.open?.(ws),
      message: (ws, message) => deps?.proxy.websocket.message?.(ws, message),
      close: (ws, code, reason) => deps?.proxy.websocket.close?.(ws, code, reason),
      drain: (ws) => deps?.proxy.websocket.drain?.(ws),
    },
    // Proxied bodies stream without limit; built-in JSON bodies are bounded by OB_BODY_LIMIT instead.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    idleTimeout: 255,
    development: false,
  }, config.reusePort, overrides.log);
  const port = server.port!;
  const selfUrl = config.listenPort === 0 ? withPort(config.selfUrl, port) : config.selfUrl;
  try {
    // The real port too: the registry refuses instance URLs pointing at this listener (self-addresses.ts).
    deps = await createDeps({ ...config, selfUrl, listenPort: port }, overrides);
  } catch (err) {
    server.stop(true);
    throw err;
  }
  const app = createApp(deps);
  // Elysia's context `server` (client IPs via requestIP) is only set by app.listen(); we serve it ourselves.
  app.server = server as never;
  handle = createHandler(deps, app);
  const modules = [deps.user, deps.registry, deps.proxy, deps.edge, deps.observability];
  for (const m of modules) await m.start?.();
  const url = `http://${formatAddress(config.listenHost, port)}`;
  deps.log.info("listening", { url, selfUrl, folder: config.folder });

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 10_000) =>
    (stopping ??= (async () => {
      const drained = server.stop(false);
      for (const m of modules) m.drain?.();
      const timer = setTimeout(() => server.stop(true), graceMs);
      await drained;
      clearTimeout(timer);
      for (const m of [...modules].reverse()) await m.stop?.();
      await deps!.close();
    })());
  return { url, port, deps, stop, [Symbol.asyncDispose]: () => stop(1000) };
}

function withPort(url: string, port: number): string {
  const u = new URL(url);
  u.port = String(port);
  return u.toString().replace(/\/$/, "");
}

/** `GET /livez` or `/healthz`, whatever the origin in `request.url`. */
function isLivenessProbe(request: Request): boolean {
  if (request.method !== "GET") return false;
  const path = new URL(request.url, "http://localhost").pathname;
  return path === "/livez" || path === "/healthz";
}

/**
 * @module `startService`: everything a service needs in one call — its account, its registered and
 * heartbeating instance, and request authentication — configured from the environment by default.
 */
import { Authenticator } from "./auth.js";
import { defaultCredentialsFile } from "./credentials.js";
import { selfUrlFromEnv, serverUrlFromEnv, type Env } from "./env.js";
import { InstanceRegistration } from "./instance.js";
import { ServiceSession } from "./session.js";

/**
 * Options of {@link startService}; every one but `slug` has an environment default.
 *
 * @example
 * await startService({ slug: "skeleton-svc", selfUrl: "http://127.0.0.1:9311", heartbeatIntervalMs: 5_000 });
 */
export interface ServiceOptions {
  /** The service's slug, e.g. `skeleton-svc`; requests to `/<slug>/...` on the server reach this service. */
  slug: string;
  name?: string;
  /** Default `OB_SERVER_URL`, then `OB_URL`, then `http://127.0.0.1:11337`. */
  serverUrl?: string;
  /**
   * This instance's URL. Default `SELF_URL`, then `OB_INSTANCE_URL` (never `OB_SELF_URL`: that is the
   * server's own URL); required one way or the other.
   */
  selfUrl?: string;
  /** Default `OB_CREDENTIALS_FILE`, then `~/.1backend/services/<slug>.json`. */
  credentialsFile?: string;
  /** Heartbeat interval in ms; default 10 000. */
  heartbeatIntervalMs?: number;
  /** Path the server GETs to probe this instance (default: TCP connect). */
  healthCheckPath?: string;
  /** Region this instance runs in, e.g. `eu-west-1`, shown and filterable in listings (default: none). */
  region?: string;
  /** How long to wait for an unreachable server at start; default 60 000 ms. */
  startTimeoutMs?: number;
  /** Log sink; default one JSON line per event on stderr. */
  log?: (level: "info" | "warn", msg: string, fields?: Record<string, unknown>) => void;
  /** Where the defaults are read from; default `process.env`. */
  env?: Env;
}

/**
 * A running service registration; see {@link startService}.
 *
 * @example
 * const svc = await startService({ slug: "skeleton-svc" });
 * await fetch(`${svc.serverUrl}/other-svc/thing`, { headers: { authorization: `Bearer ${await svc.token()}` } });
 * await svc.stop();
 */
export interface Service {
  readonly slug: string;
  readonly serverUrl: string;
  readonly selfUrl: string;
  readonly credentialsFile: string;
  readonly session: ServiceSession;
  readonly instance: InstanceRegistration;
  /** Verifies callers: `auth.authenticate(request, permission?)`, `auth.guard(handler)`. */
  readonly auth: Authenticator;
  /** The service account's current token, for calling other services through the server. */
  token(): Promise<string>;
  /** Stops heartbeating and deregisters the instance. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Registers or logs in the service account, registers the instance and keeps it heartbeating. Call it
 * once the service listens: the server may route requests to it as soon as the instance is registered.
 *
 * @example
 * const server = Bun.serve({ port: 9311, fetch: (req) => Response.json({ hello: "world" }) });
 * const svc = await startService({ slug: "skeleton-svc", selfUrl: "http://127.0.0.1:9311" });
 * process.on("SIGTERM", async () => { await svc.stop(); process.exit(0); });
 */
export async function startService(options: ServiceOptions): Promise<Service> {
  const env = options.env ?? process.env;
  const serverUrl = options.serverUrl ? options.serverUrl.replace(/\/+$/, "") : serverUrlFromEnv(env);
  const selfUrl = (options.selfUrl ?? selfUrlFromEnv(env)).replace(/\/+$/, "");
  const log = options.log ?? defaultLog;
  const credentialsFile = options.credentialsFile ?? defaultCredentialsFile(options.slug, env);
  const session = new ServiceSession({
    serverUrl,
    slug: options.slug,
    name: options.name,
    credentialsFile,
    retryTimeoutMs: options.startTimeoutMs,
    onRetry: (err, delayMs) => log("warn", "server not ready, retrying", { error: String(err), delayMs: Math.round(delayMs) }),
  });
  await session.token();
  log("info", session.account?.registered ? "service account registered" : "service account logged in", {
    slug: options.slug,
    credentialsFile,
  });
  const instance = new InstanceRegistration({
    serverUrl,
    selfUrl,
    session,
    intervalMs: options.heartbeatIntervalMs,
    healthCheckPath: options.healthCheckPath,
    region: options.region,
    log,
  });
  await instance.start();
  log("info", "instance registered", { url: selfUrl, server: serverUrl });
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= instance.stop());
  return {
    slug: options.slug,
    serverUrl,
    selfUrl,
    credentialsFile,
    session,
    instance,
    auth: new Authenticator(serverUrl),
    token: () => session.token(),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

function defaultLog(level: "info" | "warn", msg: string, fields?: Record<string, unknown>): void {
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + "\n");
}

/**
 * @module Keeps this service's instance registered: PUT /registry-svc/instance on start and then on an
 * interval (re-registering the same URL is the heartbeat, and it re-creates the instance after the
 * server restarted on a new database or evicted it), and DELETE on shutdown.
 */
import { Type } from "@sinclair/typebox";
import { ListInstancesResponse } from "../src/contracts/registry/instances.js";
import { checkAnswer } from "./answer.js";
import { ApiClient, isTransient, ServerError } from "./http.js";
import { sleep } from "./retry.js";
import type { TokenSource } from "./session.js";

/**
 * Options of {@link InstanceRegistration}.
 *
 * @example
 * const options: InstanceOptions = { serverUrl, selfUrl: "http://127.0.0.1:9311", session, intervalMs: 5_000 };
 */
export interface InstanceOptions {
  serverUrl: string;
  /** This instance's URL as the server should reach it, e.g. `http://127.0.0.1:9311`. */
  selfUrl: string;
  session: TokenSource;
  /** Heartbeat interval; default 10 000 ms (the server also probes instances on its own). */
  intervalMs?: number;
  /** Optional path the server GETs to probe health instead of a TCP connect, e.g. `/skeleton-svc/health`. */
  healthCheckPath?: string;
  /** Region this instance runs in, e.g. `eu-west-1` (lowercase letters, digits, `.`, `_`, `-`; at most 64), listed with it. */
  region?: string;
  /**
   * How long `stop()` waits for the last heartbeat and the deregistration; default 5 000 ms. Bounded
   * so a service can exit within its shutdown grace period even when the server is gone.
   */
  stopTimeoutMs?: number;
  log?: (level: "info" | "warn", msg: string, fields?: Record<string, unknown>) => void;
  /**
   * Waits between heartbeats and registration retries, resolving early when `signal` aborts; default
   * real timers. Tests pass a fake clock's, so they move time instead of sleeping.
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * The instance's registration lifecycle: `start()` registers (retrying while the server is down) and
 * starts heartbeating; `stop()` stops and deregisters. `runOnce()` is one heartbeat, for tests.
 *
 * @example
 * const instance = new InstanceRegistration({ serverUrl, selfUrl: "http://127.0.0.1:9311", session });
 * await instance.start();
 * process.on("SIGTERM", async () => { await instance.stop(); process.exit(0); });
 */
export class InstanceRegistration {
  private readonly api: ApiClient;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private inflight: Promise<void> | undefined;
  private readonly sleep: NonNullable<InstanceOptions["sleep"]>;

  constructor(private readonly options: InstanceOptions) {
    this.api = new ApiClient(options.serverUrl);
    this.sleep = options.sleep ?? sleep;
  }

  /** Registers now (retrying transient failures until it succeeds or `stop()`), then heartbeats. */
  async start(): Promise<void> {
    for (let failures = 0; !this.stopping.signal.aborted; failures++) {
      try {
        await this.beat();
        break;
      } catch (err) {
        if (!isTransient(err)) throw err;
        this.log("warn", "instance registration failed, retrying", { error: String(err) });
        await this.sleep(backoff(failures, this.interval), this.stopping.signal);
      }
    }
    this.loop ??= this.heartbeatLoop();
  }

  /** One registration/heartbeat; on 401 the session logs in again and it is retried once. */
  runOnce(): Promise<void> {
    return this.beat();
  }

  /**
   * Stops heartbeating, waits for an in-flight heartbeat, and removes the instance from the registry.
   * Rejects when that takes longer than `stopTimeoutMs` (the server is unreachable, or its login is
   * being retried): the registry's sweeper then marks the instance Unreachable on its own.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    const timeoutMs = this.options.stopTimeoutMs ?? 5_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`deregistration did not finish within ${timeoutMs} ms (is the server reachable?)`)), timeoutMs);
    });
    try {
      await Promise.race([this.finish(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Removes every registry entry of this URL owned by this service (normally one). */
  async deregister(): Promise<void> {
    const token = await this.options.session.token();
    const answer = await this.api.call("GET", "/registry-svc/instances", { token, query: { slug: this.options.session.slug } });
    const { instances = [] } = checkAnswer(InstanceList, answer, "GET /registry-svc/instances");
    const mine = normaliseUrl(this.options.selfUrl);
    for (const instance of instances.filter((i) => normaliseUrl(i.url) === mine)) {
      await this.api.call("DELETE", `/registry-svc/instance/${encodeURIComponent(instance.id)}`, { token }).catch((err) => {
        if (!(err instanceof ServerError && err.status === 404)) throw err;
      });
      this.log("info", "instance deregistered", { id: instance.id, url: instance.url });
    }
  }

  private async finish(): Promise<void> {
    await this.loop;
    await this.inflight?.catch(() => {});
    await this.deregister();
  }

  private get interval(): number {
    return this.options.intervalMs ?? 10_000;
  }

  private beat(): Promise<void> {
    const run = (async () => {
      const body = { url: this.options.selfUrl, healthCheckPath: this.options.healthCheckPath, region: this.options.region };
      try {
        await this.api.call("PUT", "/registry-svc/instance", { token: await this.options.session.token(), body });
      } catch (err) {
        if (!(err instanceof ServerError && err.status === 401)) throw err;
        await this.api.call("PUT", "/registry-svc/instance", { token: await this.options.session.renew(), body });
      }
    })();
    this.inflight = run;
    return run;
  }

  private async heartbeatLoop(): Promise<void> {
    let failures = 0;
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      await this.sleep(failures === 0 ? this.interval : backoff(failures, this.interval), signal);
      if (signal.aborted) break;
      try {
        await this.beat();
        if (failures > 0) this.log("info", "instance registered again", { url: this.options.selfUrl });
        failures = 0;
      } catch (err) {
        failures++;
        this.log("warn", "heartbeat failed", { error: String(err), failures });
      }
    }
  }

  private log(level: "info" | "warn", msg: string, fields?: Record<string, unknown>): void {
    this.options.log?.(level, msg, fields);
  }
}

/** The instance listing as clients read it: 1Backend leaves out an empty list. */
const InstanceList = Type.Partial(ListInstancesResponse);

/** 250 ms doubling per failure, capped at the heartbeat interval. */
function backoff(failures: number, cap: number): number {
  return Math.min(cap, 250 * 2 ** Math.min(failures, 10));
}

/**
 * The server's URL normalisation (contract §4): scheme and host lowercased, default port explicit,
 * trailing slash dropped.
 *
 * @example
 * normaliseUrl("HTTP://Localhost/") // "http://localhost:80"
 */
export function normaliseUrl(raw: string): string {
  try {
    const u = new URL(raw);
    const port = u.port || (u.protocol === "https:" ? "443" : u.protocol === "http:" ? "80" : "");
    const path = u.pathname.replace(/\/+$/, "");
    return `${u.protocol}//${u.hostname}${port ? `:${port}` : ""}${path}`;
  } catch {
    return raw;
  }
}

/**
 * @module The server's metrics (issue 10), in one prom-client Registry per server (never the global
 * one: tests run several servers in one process). Modules receive the recorders they need through
 * BaseDeps and count into plain slots (counters.ts, proxy-metrics.ts); values that already live in
 * memory (instances by status) are read when scraped. Process metrics come from prom-client's
 * defaults, less the event-loop percentiles Bun cannot feed (event-loop-lag.ts has ours).
 */
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { FixedCounter, PlainCounter } from "./counters";
import { EventLoopLag } from "./event-loop-lag";
import { ProxyMetrics } from "./proxy-metrics";

/**
 * prom-client default series left out: the event-loop percentiles rest on monitorEventLoopDelay, which
 * Bun leaves empty; the `*_total` gauges repeat `nodejs_active_{handles,requests,resources}` under a
 * counter's suffix, which `promtool check metrics` rejects.
 */
const LEFT_OUT = [
  ...["min", "max", "mean", "stddev", "p50", "p90", "p99"].map((s) => `nodejs_eventloop_lag_${s}_seconds`),
  ...["handles", "requests", "resources"].map((s) => `nodejs_active_${s}_total`),
];

const INSTANCE_STATUSES = ["Unknown", "Healthy", "Degraded", "Unreachable"] as const;

/** Counters of the User Svc's front door. */
export interface UserMetrics {
  /** Every login request that got as far as the limits. */
  loginAttempts: PlainCounter;
  /** Wrong password or unknown slug/contact. */
  loginFailures: PlainCounter;
  /** Refused with 429 by the login limits. */
  loginLimited: PlainCounter;
  /** Token checks: answered from the verified cache, verified by the RSA check now, or invalid. */
  tokenChecks: FixedCounter<"cache_hit" | "verified" | "invalid">;
  /** Accounts registered through POST /user-svc/register. */
  registrations: PlainCounter;
}

/** Counters and sources of the Registry Svc. */
export interface RegistryMetrics {
  /** Probe outcomes: refused = the network policy stopped it before any packet. */
  probes: FixedCounter<"healthy" | "degraded" | "unreachable" | "refused">;
  /** Instance registrations: new (or taken over) vs the owner's re-registration (a heartbeat). */
  registrations: FixedCounter<"new" | "heartbeat">;
  /** Set by the registry module: instance counts by status, read at scrape time. */
  instancesByStatus?: () => Record<string, number>;
}

/** Everything a server measures; `text()` renders the Prometheus exposition. */
export class Metrics {
  readonly registry = new Registry();
  readonly proxy: ProxyMetrics;
  readonly user: UserMetrics;
  readonly registryMetrics: RegistryMetrics;
  readonly eventLoop: EventLoopLag;

  constructor() {
    const r = this.registry;
    collectDefaultMetrics({ register: r });
    for (const name of LEFT_OUT) r.removeSingleMetric(name);
    this.eventLoop = new EventLoopLag(r);
    this.proxy = new ProxyMetrics(r);
    this.user = {
      loginAttempts: new PlainCounter(r, "ob_user_login_attempts_total", "Login requests (POST /user-svc/login) that reached the limits check."),
      loginFailures: new PlainCounter(r, "ob_user_login_failures_total", "Logins refused with 401: wrong password, or unknown slug or contact."),
      loginLimited: new PlainCounter(r, "ob_user_login_limited_total", "Logins refused with 429 by the login limits."),
      tokenChecks: new FixedCounter(r, "ob_user_token_checks_total", "Token checks (built-in endpoints and proxy): cache_hit = verified before, verified = RSA check now, invalid = not ours or malformed.", "result", ["cache_hit", "verified", "invalid"]),
      registrations: new PlainCounter(r, "ob_user_registrations_total", "Accounts registered through POST /user-svc/register."),
    };
    const registryMetrics: RegistryMetrics = {
      probes: new FixedCounter(r, "ob_registry_probes_total", "Health probes of instances by result (refused: the network policy denied the address, nothing was sent).", "result", ["healthy", "degraded", "unreachable", "refused"]),
      registrations: new FixedCounter(r, "ob_registry_instance_registrations_total", "Instance registrations: new (or taken over) and heartbeat (the owner re-registering).", "kind", ["new", "heartbeat"]),
    };
    this.registryMetrics = registryMetrics;
    new Gauge({
      name: "ob_registry_instances",
      help: "Registered instances by status.",
      labelNames: ["status"],
      registers: [r],
      collect() {
        const counts = registryMetrics.instancesByStatus?.() ?? {};
        for (const status of INSTANCE_STATUSES) this.set({ status }, counts[status] ?? 0);
      },
    });
  }

  /** Content-Type of {@link text}: the Prometheus text format 0.0.4. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

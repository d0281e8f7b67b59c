/**
 * @module The proxy's metrics, per slug: requests by method class and status class, upstream latency
 * (a histogram), connect failures, retries and the proxy's own error answers by status. The request
 * path pays one Map lookup by slug (like the routing lookup it follows), a bucket search and array
 * increments; everything reaches prom-client only when scraped. The latency histogram is kept in a
 * Float64Array too and handed to the registry as a histogram of its own (prom-client's `observe`,
 * even on a child bound to the slug, allocates, hashes the labels and stringifies the bound on every
 * call: 0.3-0.5 µs measured, against a few nanoseconds here). bench/proxy/README.md has the on/off runs. Labels stay bounded: a slug gets its own series only once it has instances
 * (slugs are bounded by accounts), every other first segment counts under {@link UNKNOWN_SLUG}; no
 * path, URL or instance id is ever a label.
 */
import { Counter, type Metric, type Registry } from "prom-client";

/** The slug label of requests whose first segment names no registered slug. */
export const UNKNOWN_SLUG = "_unknown";

const METHOD_CLASSES = ["read", "write", "other"] as const;
const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;
/** Statuses the proxy answers itself (errors.ts), 502/503/504 among them. */
const OWN_STATUSES = [401, 404, 500, 502, 503, 504, 508] as const;

/** Seconds; from 1 ms (a loopback upstream) to the 60 s default response timeout. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Counts of one slug. Counters are array slots; the histogram child is bound to the slug once. */
export class SlugStats {
  /** [method class × 5 + status class]. */
  readonly responses = new Float64Array(METHOD_CLASSES.length * STATUS_CLASSES.length);
  readonly ownErrors = new Float64Array(OWN_STATUSES.length);
  connectFailures = 0;
  retries = 0;
  /** Latency counts per bucket (not cumulative), the last one past the largest bound. */
  readonly latencyBuckets = new Float64Array(LATENCY_BUCKETS.length + 1);
  latencySum = 0;

  constructor(readonly slug: string) {}

  /** One proxied request answered with `status` (the upstream's, or the proxy's own error). */
  response(method: string, status: number): void {
    const statusClass = status >= 100 && status < 600 ? ((status / 100) | 0) - 1 : 4;
    this.responses[methodClassOf(method) * STATUS_CLASSES.length + statusClass]!++;
  }

  /** The upstream's response headers arrived `ms` after the attempt started. */
  upstreamLatency(ms: number): void {
    const seconds = ms / 1000;
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
    this.latencyBuckets[i]!++;
    this.latencySum += seconds;
  }

  /** The proxy answered with an error of its own (errors.ts). */
  ownError(method: string, status: number): void {
    const i = OWN_STATUSES.indexOf(status as (typeof OWN_STATUSES)[number]);
    if (i >= 0) this.ownErrors[i]!++;
    this.response(method, status);
  }
}

/** GET, HEAD and OPTIONS read; POST, PUT, PATCH and DELETE write; anything else is other (bounded). */
function methodClassOf(method: string): number {
  switch (method) {
    case "GET":
    case "HEAD":
    case "OPTIONS":
      return 0;
    case "POST":
    case "PUT":
    case "PATCH":
    case "DELETE":
      return 1;
    default:
      return 2;
  }
}

/** The proxy's metrics in `registry`; {@link ProxyMetrics.of} gives the per-slug counts to record into. */
export class ProxyMetrics {
  private readonly bySlug = new Map<string, SlugStats>();
  readonly unknown: SlugStats;

  constructor(registry: Registry) {
    const stats = () => this.bySlug.values();
    registry.registerMetric(latencyHistogram(stats));
    new Counter({
      name: "ob_proxy_requests_total",
      help: "Proxied requests by slug, method class (read, write, other) and status class of the answer.",
      labelNames: ["slug", "method", "code"],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of stats()) {
          for (let m = 0; m < METHOD_CLASSES.length; m++) {
            for (let c = 0; c < STATUS_CLASSES.length; c++) {
              const n = s.responses[m * STATUS_CLASSES.length + c]!;
              if (n > 0) this.inc({ slug: s.slug, method: METHOD_CLASSES[m]!, code: STATUS_CLASSES[c]! }, n);
            }
          }
        }
      },
    });
    perSlug(registry, stats, "ob_proxy_connect_failures_total", "Connections to an instance that failed (the instance is marked Unreachable).", (s) => s.connectFailures);
    perSlug(registry, stats, "ob_proxy_retries_total", "Requests sent to another instance after a connection failure.", (s) => s.retries);
    new Counter({
      name: "ob_proxy_error_responses_total",
      help: "Errors the proxy answered itself (no instances 404, 502 bad gateway or unreachable, 503 none healthy, 504 timeout, 508 loop), by slug and status.",
      labelNames: ["slug", "status"],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of stats()) {
          for (let i = 0; i < OWN_STATUSES.length; i++) if (s.ownErrors[i]! > 0) this.inc({ slug: s.slug, status: String(OWN_STATUSES[i]) }, s.ownErrors[i]!);
        }
      },
    });
    this.unknown = this.create(UNKNOWN_SLUG);
  }

  /** The counts of `slug`, created on first use; call it only for slugs that have instances. */
  of(slug: string): SlugStats {
    return this.bySlug.get(slug) ?? this.create(slug);
  }

  private create(slug: string): SlugStats {
    const stats = new SlugStats(slug);
    this.bySlug.set(slug, stats);
    return stats;
  }
}

function perSlug(registry: Registry, stats: () => Iterable<SlugStats>, name: string, help: string, value: (s: SlugStats) => number): void {
  new Counter({
    name,
    help,
    labelNames: ["slug"],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of stats()) if (value(s) > 0) this.inc({ slug: s.slug }, value(s));
    },
  });
}

const LATENCY = "ob_proxy_upstream_duration_seconds";

/**
 * The latency histogram as prom-client's registry renders one (cumulative `_bucket` series with `le`,
 * then `_sum` and `_count`), from the slugs' arrays. Slugs that never reached an instance are left out.
 */
function latencyHistogram(stats: () => Iterable<SlugStats>): Metric {
  const get = async () => {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const s of stats()) {
      let count = 0;
      for (let i = 0; i <= LATENCY_BUCKETS.length; i++) count += s.latencyBuckets[i]!;
      if (count === 0) continue;
      let cumulative = 0;
      for (let i = 0; i <= LATENCY_BUCKETS.length; i++) {
        cumulative += s.latencyBuckets[i]!;
        values.push({ labels: { le: i < LATENCY_BUCKETS.length ? LATENCY_BUCKETS[i]! : "+Inf", slug: s.slug }, value: cumulative, metricName: `${LATENCY}_bucket` });
      }
      values.push({ labels: { slug: s.slug }, value: s.latencySum, metricName: `${LATENCY}_sum` });
      values.push({ labels: { slug: s.slug }, value: count, metricName: `${LATENCY}_count` });
    }
    return { name: LATENCY, help: "Time from sending a proxied request to an instance to its response headers, per slug.", type: "histogram", values, aggregator: "sum" };
  };
  return { name: LATENCY, get, reset: () => {} } as unknown as Metric;
}

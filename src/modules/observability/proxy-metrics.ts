/**
 * @module The proxy's metrics, per slug: requests by method class and status class, upstream latency
 * (a histogram), connect failures, retries and the proxy's own error answers by status. The request
 * path pays one Map lookup by slug (like the routing lookup it follows), a bucket search and array
 * increments; everything reaches prom-client only when scraped. The latency histogram is kept in a
 * Float64Array too and handed to the registry as a histogram of its own (prom-client's `observe`,
 * even on a child bound to the slug, allocates, hashes the labels and stringifies the bound on every
 * call: 0.3-0.5 µs measured, against a few nanoseconds here). bench/proxy/README.md has the on/off runs.
 *
 * Labels stay bounded. A slug gets its own series only once it has instances; every other first
 * segment counts under {@link UNKNOWN_SLUG}; no path, URL or instance id is ever a label. Accounts
 * are free to register, so "slugs with instances" alone is no bound (register, add an instance, send
 * one request, remove it, repeat): at most {@link MAX_SLUG_LABELS} slugs have series of their own,
 * any slug past that counts under {@link OTHER_SLUG}, and a slug whose counts stayed unchanged for
 * {@link IDLE_SLUG_MS} is dropped at the next scrape, which frees its place. Both checks cost the
 * request path nothing new: the cap is one size comparison on a lookup miss (the miss was there
 * before), and idleness is judged at scrape time by comparing the slug's totals with the last scrape's.
 */
import { Counter, type Metric, type Registry } from "prom-client";

/** The slug label of requests whose first segment names no registered slug. */
export const UNKNOWN_SLUG = "_unknown";

/** The slug label of requests for slugs past {@link MAX_SLUG_LABELS} (slugs never contain `_`). */
export const OTHER_SLUG = "_other";

/**
 * Slugs with series of their own, besides {@link UNKNOWN_SLUG} and {@link OTHER_SLUG}. Why a cap: a
 * slug costs up to ~40 series (15 request classes, 7 own errors, 2 counters, 18 for the latency
 * histogram; ~20 in practice), so 1000 slugs are 20-40 thousand series, a few MB per scrape, about
 * what one Prometheus target should carry; far more distinct busy slugs on one node than this is not
 * a deployment we expect, and past the cap their traffic is still counted, under `_other`.
 */
export const MAX_SLUG_LABELS = 1000;

/**
 * A slug's entry is dropped at a scrape once its counts have not changed for this long, so slugs that
 * came and went (or stopped being used) give their place under {@link MAX_SLUG_LABELS} back. Ten
 * minutes is far longer than any scrape interval (Prometheus's default is 1 min), so every scraper
 * has exported the entry's final counts before it goes. Idleness needs no signal from the registry
 * (such as "last instance removed") and also covers slugs that keep an instance nobody calls. A slug that comes back
 * starts new series from 0, which Prometheus treats as a new series (a counter reset for rate()).
 */
export const IDLE_SLUG_MS = 10 * 60_000;

const METHOD_CLASSES = ["read", "write", "other"] as const;
/** The status classes of {@link SlugStats.responses}, in slot order (per method class). */
export const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;
/** Statuses the proxy answers itself (errors.ts), 502/503/504 among them. */
const OWN_STATUSES = [401, 404, 500, 502, 503, 504, 508] as const;

/** Seconds; from 1 ms (a loopback upstream) to the 60 s default response timeout. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

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
  /** {@link activity} at the scrape that last saw it change, and when (scrape-time bookkeeping only). */
  scrapedActivity = 0;
  changedAt = 0;

  constructor(readonly slug: string) {}

  /** Grows with every count of the slug (every latency comes with a response, own errors count as responses). */
  activity(): number {
    let n = this.connectFailures + this.retries;
    for (let i = 0; i < this.responses.length; i++) n += this.responses[i]!;
    return n;
  }

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
  readonly other: SlugStats;

  /** `now`: milliseconds, monotonic; read only when scraped (tests pass a fake one). */
  constructor(registry: Registry, private readonly now: () => number = () => performance.now()) {
    const stats = () => this.bySlug.values();
    // The first of the proxy's metrics a scrape reads (prom-client reads them in registration order)
    // drops the idle slugs first, so the scrape's metrics agree on the set of slugs.
    registry.registerMetric(
      latencyHistogram(() => {
        this.dropIdle();
        return stats();
      }),
    );
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
    this.unknown = this.add(UNKNOWN_SLUG);
    this.other = this.add(OTHER_SLUG);
  }

  /**
   * The counts of `slug`, created on first use, or those of {@link OTHER_SLUG} while
   * {@link MAX_SLUG_LABELS} slugs have their own; call it only for slugs that have instances.
   */
  of(slug: string): SlugStats {
    return this.bySlug.get(slug) ?? this.create(slug);
  }

  /**
   * Every slug's counts now ({@link UNKNOWN_SLUG} and {@link OTHER_SLUG} too), for readers other than
   * the scrape (the console's traffic sampler). A slug dropped as idle and seen again is a new object
   * whose counts start from 0.
   */
  slugs(): IterableIterator<SlugStats> {
    return this.bySlug.values();
  }

  /** Distinct slugs with series of their own, {@link UNKNOWN_SLUG} and {@link OTHER_SLUG} not included. */
  get slugCount(): number {
    return this.bySlug.size - FIXED_SLUGS;
  }

  private create(slug: string): SlugStats {
    return this.bySlug.size - FIXED_SLUGS < MAX_SLUG_LABELS ? this.add(slug) : this.other;
  }

  private add(slug: string): SlugStats {
    const stats = new SlugStats(slug);
    this.bySlug.set(slug, stats);
    return stats;
  }

  /**
   * At a scrape: drops the slugs whose counts did not change for {@link IDLE_SLUG_MS}. An entry goes
   * only after a scrape exported its final counts (the one that saw them change, at `changedAt`);
   * the request path looks its slug up anew each time, so no request holds a dropped entry.
   */
  private dropIdle(): void {
    const now = this.now();
    for (const [slug, s] of this.bySlug) {
      const activity = s.activity();
      if (activity !== s.scrapedActivity) {
        s.scrapedActivity = activity;
        s.changedAt = now;
      } else if (now - s.changedAt >= IDLE_SLUG_MS && s !== this.unknown && s !== this.other) {
        this.bySlug.delete(slug); // deleting the current entry while iterating a Map is safe
      }
    }
  }
}

/** {@link UNKNOWN_SLUG} and {@link OTHER_SLUG}, always in the map, never dropped. */
const FIXED_SLUGS = 2;

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

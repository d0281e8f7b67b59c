/**
 * @module The console's traffic chart (`GET /proxy-svc/traffic`): every {@link INTERVAL_MS} this job
 * reads the proxy's per-slug counters (proxy-metrics.ts, the same slots `/metrics` renders) and keeps
 * what changed since its last run as one sample: requests by status class and the upstream latency's
 * p50/p95, estimated from the interval's histogram bucket deltas. The request path is not touched:
 * the proxy counts as it always did, and this reads the counts off it, {@link KEPT} samples deep.
 */
import type { TrafficSample, TrafficResponse, SlugTraffic } from "../../contracts/proxy/traffic";
import { BackgroundJob } from "../../lib/background-job";
import { isoTime, type Clock } from "../../lib/clock";
import type { Logger } from "../../lib/log";
import { LATENCY_BUCKETS, STATUS_CLASSES, type ProxyMetrics, type SlugStats } from "./proxy-metrics";

/** One sample per 10 s: fine enough for a chart of minutes, 90 of them are 15 minutes. */
export const INTERVAL_MS = 10_000;
/** Samples kept (15 minutes). */
export const KEPT = 90;

/** The classes a sample reports (1xx, i.e. WebSocket upgrades, is left out: it is no answer to chart). */
const REPORTED = ["2xx", "3xx", "4xx", "5xx"] as const;
const CLASS_SLOT = REPORTED.map((c) => STATUS_CLASSES.indexOf(c));

/** A slug's totals at the last run. */
interface Totals {
  requests: number[];
  buckets: Float64Array;
}

/** What the sampler reads and how it tells time. */
export interface TrafficSamplerOptions {
  proxy: ProxyMetrics;
  clock: Clock;
  log: Logger;
}

/** Samples the proxy's counters every 10 s; the first run only takes the totals the next one subtracts. */
export class TrafficSampler extends BackgroundJob {
  private readonly samples: TrafficSample[] = [];
  /** Keyed by the slug's counts object: one dropped as idle and made again starts from 0, and is another key. */
  private last: Map<SlugStats, Totals> | undefined;

  constructor(private readonly o: TrafficSamplerOptions) {
    super({ name: "traffic sampler", intervalMs: INTERVAL_MS, log: o.log, runAtStart: true });
  }

  /** The samples kept, oldest first. */
  response(): TrafficResponse {
    return { intervalSeconds: INTERVAL_MS / 1000, samples: this.samples };
  }

  /** One sample: the change of every slug's counts since the last run (none at the first run). */
  runOnce(): void {
    const first = this.last === undefined;
    const previous = this.last ?? new Map<SlugStats, Totals>();
    const next = new Map<SlugStats, Totals>();
    const slugs: Record<string, SlugTraffic> = {};
    for (const stats of this.o.proxy.slugs()) {
      const now = totalsOf(stats);
      next.set(stats, now);
      const before = previous.get(stats);
      const requests = now.requests.map((n, i) => n - (before?.requests[i] ?? 0));
      if (requests.every((n) => n === 0)) continue;
      const buckets = now.buckets.map((n, i) => n - (before?.buckets[i] ?? 0));
      slugs[stats.slug] = {
        requests: { "2xx": requests[0]!, "3xx": requests[1]!, "4xx": requests[2]!, "5xx": requests[3]! },
        latencyMs: { p50: quantileMs(buckets, 0.5), p95: quantileMs(buckets, 0.95) },
      };
    }
    this.last = next;
    if (first) return;
    this.samples.push({ at: isoTime(this.o.clock.now()), slugs });
    if (this.samples.length > KEPT) this.samples.splice(0, this.samples.length - KEPT);
  }
}

function totalsOf(stats: SlugStats): Totals {
  const perClass = STATUS_CLASSES.length;
  const requests = CLASS_SLOT.map((slot) => {
    let n = 0;
    for (let m = slot; m < stats.responses.length; m += perClass) n += stats.responses[m]!;
    return n;
  });
  return { requests, buckets: stats.latencyBuckets.slice() };
}

/**
 * The `q` quantile (ms) of a histogram's per-bucket counts (the last past the largest bound): linear
 * within the bucket holding the rank, from its lower bound (0 for the first); the largest bound when
 * the rank falls past it. Null for no observations. Rounded to µs.
 */
export function quantileMs(buckets: ArrayLike<number>, q: number): number | null {
  let total = 0;
  for (let i = 0; i < buckets.length; i++) total += buckets[i]!;
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
    const inBucket = buckets[i]!;
    if (inBucket > 0 && below + inBucket >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BUCKETS[i - 1]!;
      const seconds = lower + (LATENCY_BUCKETS[i]! - lower) * ((rank - below) / inBucket);
      return Math.round(seconds * 1e6) / 1e3;
    }
    below += inBucket;
  }
  return LATENCY_BUCKETS.at(-1)! * 1000;
}

/**
 * @module `GET /proxy-svc/traffic` (TypeBox): the proxy's own request counts and upstream latency per
 * slug over the last minutes, in fixed intervals, for the console's chart. Counts are per interval
 * (deltas, not totals); percentiles are estimated from the latency histogram's bucket deltas of the
 * interval, as Prometheus's histogram_quantile does.
 */
import { Type as t, type Static } from "@sinclair/typebox";
import { Integer } from "../integer.js";

const count = (description: string) => Integer({ minimum: 0, description });
const millis = (description: string) => t.Union([t.Number({ minimum: 0 }), t.Null()], { description });

/** One slug's traffic in one interval. */
export const SlugTraffic = t.Object({
  requests: t.Object(
    {
      "2xx": count("Answered 2xx (by the instance)."),
      "3xx": count("Answered 3xx."),
      "4xx": count("Answered 4xx (incl. the proxy's own 401/404)."),
      "5xx": count("Answered 5xx (incl. the proxy's own 502/503/504/508)."),
    },
    { description: "Proxied requests answered in the interval, by status class." },
  ),
  latencyMs: t.Object(
    {
      p50: millis("Median time to the instance's response headers (ms), interpolated within its histogram bucket; null when no instance answered in the interval."),
      p95: millis("95th percentile, likewise; past the largest bucket (60 s) it reads 60000."),
    },
    { description: "Upstream latency of the interval's requests that reached an instance." },
  ),
});
export type SlugTraffic = Static<typeof SlugTraffic>;

/** One interval. */
export const TrafficSample = t.Object({
  at: t.String({ description: "End of the interval (RFC 3339, UTC)." }),
  slugs: t.Record(t.String(), SlugTraffic, { description: "Slugs with requests in the interval (others are left out); `_unknown` counts paths naming no slug with instances, `_other` slugs past the metrics' label cap." }),
});
export type TrafficSample = Static<typeof TrafficSample>;

/** Answer of `GET /proxy-svc/traffic`. */
export const TrafficResponse = t.Object({
  intervalSeconds: Integer({ minimum: 1, description: "Length of each interval (10 s)." }),
  samples: t.Array(TrafficSample, { description: "Oldest first; the last 15 minutes (90 intervals) at most, fewer after a start. Only this node's proxy." }),
});
export type TrafficResponse = Static<typeof TrafficResponse>;

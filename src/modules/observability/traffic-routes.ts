/**
 * @module `GET /proxy-svc/traffic`: the proxy's traffic per slug over the last 15 minutes, in 10 s
 * samples (traffic-sampler.ts), for the console's chart. Guarded by `metrics:view`, like `/metrics`
 * (admins hold it): the same numbers, in another shape.
 */
import { Elysia } from "elysia";
import { authGuard } from "../../http/auth-guard";
import { errors } from "../../contracts/error";
import { TrafficResponse } from "../../contracts/proxy/traffic";
import type { AuthGate } from "../auth-gate";
import { METRICS_VIEW } from "./permissions";
import type { TrafficSampler } from "./traffic-sampler";

/** The traffic route over `sampler`. */
export function trafficRoutes(gate: AuthGate, sampler: TrafficSampler) {
  return new Elysia({ name: "proxy-svc-traffic" }).use(authGuard(gate)).get("/proxy-svc/traffic", () => sampler.response(), {
    auth: METRICS_VIEW,
    response: { 200: TrafficResponse, ...errors(401, 403) },
    detail: {
      operationId: "getProxyTraffic",
      summary: "Proxied traffic per slug, last 15 minutes in 10 s samples (needs metrics:view)",
      description:
        "This node's proxied requests per slug and interval (deltas) by status class, with the upstream latency's p50 and p95 estimated from the interval's histogram buckets. " +
        "Oldest sample first, 90 at most; a slug appears in a sample only when it had requests in it. The same counters as `/metrics`, read every 10 s.",
      tags: ["Proxy Svc"],
    },
  });
}

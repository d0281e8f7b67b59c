/**
 * `GET /proxy-svc/traffic` (the console's chart): the sampler turns the proxy's counter and histogram
 * deltas into per-interval samples on a fake clock (exact counts and interpolated percentiles), keeps
 * 90, treats a slug dropped as idle and seen again as new; the route needs `metrics:view`; real
 * proxied requests show up in the next sample.
 */
import { describe, expect, test } from "bun:test";
import { Registry } from "prom-client";
import { silentLogger } from "../../src/lib/log";
import { IDLE_SLUG_MS, ProxyMetrics } from "../../src/modules/observability/proxy-metrics";
import { KEPT, TrafficSampler, quantileMs } from "../../src/modules/observability/traffic-sampler";
import { call } from "../helpers/call";
import { FakeClock } from "../helpers/fake-clock";
import { testServer } from "../helpers/server";

const START = Date.parse("2026-03-01T10:00:00Z");

function sampler(now: () => number = () => 0) {
  const registry = new Registry();
  const proxy = new ProxyMetrics(registry, now);
  const clock = new FakeClock(START);
  return { proxy, registry, clock, sampler: new TrafficSampler({ proxy, clock, log: silentLogger }) };
}

describe("the traffic sampler", () => {
  test("each run after the first is one sample of what changed: counts by status class, p50/p95 from the bucket deltas", () => {
    const { proxy, clock, sampler: s } = sampler();
    const a = proxy.of("a-svc");
    a.response("GET", 200); // before the first run: part of the baseline, in no sample
    a.upstreamLatency(40_000);
    s.runOnce();
    expect(s.response()).toEqual({ intervalSeconds: 10, samples: [] });

    for (const [method, status] of [["GET", 200], ["GET", 200], ["GET", 204], ["POST", 201], ["GET", 302], ["GET", 404], ["DELETE", 404], ["GET", 101]] as const) a.response(method, status);
    a.ownError("GET", 503);
    for (const ms of [0.5, 3, 3, 20]) a.upstreamLatency(ms);
    clock.advance(10_000);
    s.runOnce();
    // p50: rank 2 of 4 falls in (2.5, 5] ms holding 2, one below it: 2.5 + 2.5 × 1/2. p95: rank 3.8 in (10, 25] ms: 10 + 15 × 0.8.
    const first = { at: "2026-03-01T10:00:10.000Z", slugs: { "a-svc": { requests: { "2xx": 4, "3xx": 1, "4xx": 2, "5xx": 1 }, latencyMs: { p50: 3.75, p95: 22 } } } };
    expect(s.response().samples).toEqual([first]);

    a.response("GET", 200);
    a.upstreamLatency(70_000); // past the largest bound (60 s)
    proxy.of("b-svc").ownError("GET", 502); // no instance answered: no latency
    clock.advance(10_000);
    s.runOnce();
    clock.advance(10_000);
    s.runOnce(); // a quiet interval
    expect(s.response().samples).toEqual([
      first,
      {
        at: "2026-03-01T10:00:20.000Z",
        slugs: {
          "a-svc": { requests: { "2xx": 1, "3xx": 0, "4xx": 0, "5xx": 0 }, latencyMs: { p50: 60_000, p95: 60_000 } },
          "b-svc": { requests: { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 1 }, latencyMs: { p50: null, p95: null } },
        },
      },
      { at: "2026-03-01T10:00:30.000Z", slugs: {} },
    ]);
  });

  test("90 samples are kept, the oldest dropped first", () => {
    const { proxy, clock, sampler: s } = sampler();
    s.runOnce();
    for (let i = 1; i <= KEPT + 10; i++) {
      proxy.of("a-svc").response("GET", 200);
      clock.advance(10_000);
      s.runOnce();
    }
    const samples = s.response().samples;
    expect(KEPT).toBe(90);
    expect(samples).toHaveLength(90);
    expect(samples[0]!.at).toBe(new Date(START + 11 * 10_000).toISOString());
    expect(samples.at(-1)!.at).toBe(new Date(START + 100 * 10_000).toISOString());
    expect(samples.every((sample) => sample.slugs["a-svc"]!.requests["2xx"] === 1)).toBe(true);
  });

  test("a slug dropped as idle by a scrape and seen again counts from zero, not from its old totals", async () => {
    let now = 0;
    const { proxy, registry, clock, sampler: s } = sampler(() => now);
    for (let i = 0; i < 5; i++) proxy.of("idle-svc").response("GET", 200);
    s.runOnce();
    await registry.metrics(); // the scrape that sees the counts change
    now += IDLE_SLUG_MS;
    await registry.metrics(); // unchanged for 10 minutes: dropped
    proxy.of("idle-svc").response("GET", 500);
    clock.advance(10_000);
    s.runOnce();
    expect(s.response().samples[0]!.slugs).toEqual({ "idle-svc": { requests: { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 1 }, latencyMs: { p50: null, p95: null } } });
  });

  test("quantiles interpolate within the bucket holding the rank", () => {
    const buckets = new Float64Array(16);
    expect(quantileMs(buckets, 0.5)).toBeNull();
    buckets[0] = 10; // all within 1 ms
    expect(quantileMs(buckets, 0.5)).toBe(0.5);
    expect(quantileMs(buckets, 0.95)).toBe(0.95);
  });
});

describe("GET /proxy-svc/traffic", () => {
  test("needs metrics:view: 401 without a token, 403 for a plain user, 200 for an admin; proxied requests show up in the next sample", async () => {
    await using s = await testServer({ env: { OB_HEALTH_INTERVAL: "1h", OB_UNHEALTHY_AFTER: "1h" } });
    await using upstream = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (r) => new Response("ok", { status: new URL(r.url).pathname.endsWith("/missing") ? 404 : 200 }) });
    const admin = (await call("POST", `${s.url}/user-svc/login`, { appHost: "traffic.app", slug: "1backend", password: "changeme" })).body.token.token;
    const svc = (await call("POST", `${s.url}/user-svc/register`, { appHost: "traffic.app", slug: "traffic-svc", password: "traffic-svc-password" })).body.token.token;
    expect((await call("GET", `${s.url}/proxy-svc/traffic`)).status).toBe(401);
    const plain = await call("GET", `${s.url}/proxy-svc/traffic`, undefined, svc);
    expect(plain).toEqual({ status: 403, body: { error: expect.stringContaining("metrics:view"), code: expect.any(String) } });
    expect((await call("PUT", `${s.url}/registry-svc/instance`, { url: `http://127.0.0.1:${upstream.port}` }, svc)).status).toBe(201);

    for (let i = 0; i < 3; i++) expect((await fetch(`${s.url}/traffic-svc/hello`)).status).toBe(200);
    expect((await fetch(`${s.url}/traffic-svc/missing`)).status).toBe(404);
    s.deps.observability.traffic.runOnce();

    const r = await call("GET", `${s.url}/proxy-svc/traffic`, undefined, admin);
    expect(r.status).toBe(200);
    expect(r.body.intervalSeconds).toBe(10);
    // The job runs every 10 s on its own too, so the requests may straddle two samples: their sum is exact.
    const mine = r.body.samples.map((sample: any) => sample.slugs["traffic-svc"]).filter(Boolean);
    const sum = (k: string) => mine.reduce((n: number, t: any) => n + t.requests[k], 0);
    expect({ "2xx": sum("2xx"), "3xx": sum("3xx"), "4xx": sum("4xx"), "5xx": sum("5xx") }).toEqual({ "2xx": 3, "3xx": 0, "4xx": 1, "5xx": 0 });
    const last = mine.at(-1);
    expect(last.latencyMs.p50).toBeGreaterThan(0);
    expect(last.latencyMs.p95).toBeGreaterThanOrEqual(last.latencyMs.p50);
    expect(Number.isNaN(Date.parse(r.body.samples.at(-1).at))).toBe(false);
  });
});

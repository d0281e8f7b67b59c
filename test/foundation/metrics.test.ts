/**
 * GET /metrics (issue 10): the Prometheus text format, checked by Prometheus's own `promtool check
 * metrics` (scripts/test.sh installs it); guarded by metrics:view unless OB_METRICS_PUBLIC=true; the
 * proxy, login, token, registry and database series count what happened; labels stay bounded.
 */
import { describe, expect, test } from "bun:test";
import { Registry } from "prom-client";
import { IDLE_SLUG_MS, MAX_SLUG_LABELS, OTHER_SLUG, ProxyMetrics } from "../../src/modules/observability/proxy-metrics";
import { testServer, type TestServer } from "../helpers/server";
import { echoUpstream, upstream } from "../proxy/helpers";
import { waitFor } from "../helpers/wait";

const APP = "metrics.test";
const ADMIN_PASSWORD = "admin-password-1";

async function post(s: TestServer, path: string, body: unknown, token?: string) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await fetch(`${s.url}${path}`, { method: path.includes("instance") ? "PUT" : "POST", headers, body: JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

async function adminToken(s: TestServer): Promise<string> {
  return (await post(s, "/user-svc/login", { appHost: APP, slug: "1backend", password: ADMIN_PASSWORD })).body.token.token;
}

async function scrape(s: TestServer, token?: string): Promise<string> {
  const r = await fetch(`${s.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(r.status).toBe(200);
  expect(r.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  return r.text();
}

/** The value of the series `name{labels}` exactly as exposed, or undefined. */
function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** The distinct `slug` label values in `text`. */
function slugLabels(text: string): Set<string> {
  return new Set([...text.matchAll(/slug="([^"]*)"/g)].map((m) => m[1]!));
}

/** Runs `promtool check metrics` on `text`: exit code and what it printed. */
async function promtool(text: string): Promise<{ code: number; output: string }> {
  const child = Bun.spawn(["promtool", "check", "metrics"], { stdin: new Blob([text]), stdout: "pipe", stderr: "pipe" });
  const output = (await new Response(child.stdout).text()) + (await new Response(child.stderr).text());
  return { code: await child.exited, output };
}

describe("GET /metrics", () => {
  test("needs metrics:view: 401 without a token, 403 for a user, 200 for the admin", async () => {
    await using s = await testServer({ env: { OB_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    const none = await fetch(`${s.url}/metrics`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).code).toBe("user.missing_token");
    const user = (await post(s, "/user-svc/register", { appHost: APP, slug: "plain-user", password: "plain-user-password" })).body.token.token;
    const denied = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${user}` } });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ error: "permission metrics:view is required", code: "auth.permission_denied" });
    expect(await scrape(s, await adminToken(s))).toContain("# TYPE ob_proxy_requests_total counter");
  });

  test("OB_METRICS_PUBLIC=true serves it without a token", async () => {
    await using s = await testServer({ env: { OB_METRICS_PUBLIC: "true" } });
    expect(await scrape(s)).toContain("process_resident_memory_bytes");
  });

  test("counts proxied requests, errors, logins, tokens, registrations, instances and queries; promtool accepts the exposition", async () => {
    await using up = echoUpstream();
    await using s = await testServer({ env: { OB_ADMIN_PASSWORD: ADMIN_PASSWORD, OB_METRICS_PUBLIC: "true", OB_HEALTH_INTERVAL: "100ms" } });
    const token = (await post(s, "/user-svc/register", { appHost: APP, slug: "skeleton-svc", password: "skeleton-svc-password" })).body.token.token;
    expect((await post(s, "/registry-svc/instance", { url: up.url }, token)).status).toBe(201);
    expect((await post(s, "/registry-svc/instance", { url: up.url }, token)).status).toBe(201); // heartbeat
    for (let i = 0; i < 3; i++) expect((await fetch(`${s.url}/skeleton-svc/hello`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${s.url}/skeleton-svc/hello`, { method: "POST", body: "x" })).status).toBe(200);
    expect((await fetch(`${s.url}/no-such-svc/a/b/c`)).status).toBe(404);
    expect((await post(s, "/user-svc/login", { appHost: APP, slug: "skeleton-svc", password: "wrong-password" })).status).toBe(401);
    await waitFor("a probe of the instance", async () => (value(await scrape(s), 'ob_registry_probes_total{result="healthy"}') ?? 0) > 0);

    const text = await scrape(s);
    expect(value(text, 'ob_proxy_requests_total{slug="skeleton-svc",method="read",code="2xx"}')).toBe(3);
    expect(value(text, 'ob_proxy_requests_total{slug="skeleton-svc",method="write",code="2xx"}')).toBe(1);
    expect(value(text, 'ob_proxy_requests_total{slug="_unknown",method="read",code="4xx"}')).toBe(1);
    expect(value(text, 'ob_proxy_error_responses_total{slug="_unknown",status="404"}')).toBe(1);
    expect(value(text, 'ob_proxy_upstream_duration_seconds_count{slug="skeleton-svc"}')).toBe(4);
    expect(value(text, 'ob_proxy_upstream_duration_seconds_bucket{le="+Inf",slug="skeleton-svc"}')).toBe(4);
    expect(value(text, "ob_user_registrations_total")).toBe(1);
    expect(value(text, "ob_user_login_attempts_total")).toBe(1);
    expect(value(text, "ob_user_login_failures_total")).toBe(1);
    expect(value(text, "ob_user_login_limited_total")).toBe(0);
    // Two registrations and three proxied requests with the one token: verified once, then from the cache.
    expect(value(text, 'ob_user_token_checks_total{result="verified"}')).toBe(1);
    expect(value(text, 'ob_user_token_checks_total{result="cache_hit"}')).toBe(4);
    expect(value(text, 'ob_registry_instance_registrations_total{kind="new"}')).toBe(1);
    expect(value(text, 'ob_registry_instance_registrations_total{kind="heartbeat"}')).toBe(1);
    expect(value(text, 'ob_registry_instances{status="Healthy"}')).toBe(1);
    expect(value(text, 'ob_db_query_duration_seconds_count{op="write"}')).toBeGreaterThan(0);
    expect(value(text, 'ob_db_query_duration_seconds_count{op="read"}')).toBeGreaterThan(0);
    for (const name of ["process_cpu_seconds_total", "process_resident_memory_bytes", "nodejs_eventloop_lag_seconds", "ob_event_loop_lag_max_seconds"]) expect(text).toContain(`\n${name} `);
    // No path, URL or query ever becomes a label.
    expect(text).not.toContain("/hello");
    expect(text).not.toContain(up.url);
    expect(text).not.toContain("no-such-svc");

    const checked = await promtool(text);
    expect(checked).toEqual({ code: 0, output: "" });
  });

  test("counts connect failures, retries on another instance and the proxy's own 504", async () => {
    await using live = echoUpstream();
    const dead = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    const deadUrl = `http://127.0.0.1:${dead.port}`;
    await dead.stop(true); // a loopback port that refuses connections
    await using hung = upstreamThatNeverAnswers();
    await using s = await testServer({ env: { OB_METRICS_PUBLIC: "true", OB_PROXY_TIMEOUT: "300ms", OB_PROXY_CONNECT_TIMEOUT: "200ms" } });
    await s.deps.registry.prober.stop(); // no probe may mark the dead instance first: the proxy must meet it
    const token = (await post(s, "/user-svc/register", { appHost: APP, slug: "flaky-svc", password: "flaky-svc-password" })).body.token.token;
    for (const url of [deadUrl, live.url]) expect((await post(s, "/registry-svc/instance", { url }, token)).status).toBe(201);
    // Round robin over two Unknown instances: one of the two requests meets the dead one first.
    for (let i = 0; i < 2; i++) expect((await fetch(`${s.url}/flaky-svc/x`)).status).toBe(200);
    const slow = (await post(s, "/user-svc/register", { appHost: APP, slug: "slow-svc", password: "slow-svc-password" })).body.token.token;
    expect((await post(s, "/registry-svc/instance", { url: hung.url }, slow)).status).toBe(201);
    expect((await fetch(`${s.url}/slow-svc/x`)).status).toBe(504);

    const text = await scrape(s);
    expect(value(text, 'ob_proxy_connect_failures_total{slug="flaky-svc"}')).toBe(1);
    expect(value(text, 'ob_proxy_retries_total{slug="flaky-svc"}')).toBe(1);
    expect(value(text, 'ob_proxy_requests_total{slug="flaky-svc",method="read",code="2xx"}')).toBe(2);
    expect(value(text, 'ob_proxy_error_responses_total{slug="slow-svc",status="504"}')).toBe(1);
    expect(value(text, 'ob_proxy_requests_total{slug="slow-svc",method="read",code="5xx"}')).toBe(1);
    expect(value(text, 'ob_registry_instances{status="Unreachable"}')).toBe(1);
    expect((await promtool(text)).code).toBe(0);
  });

  test("counts logins refused by the limits apart from failures", async () => {
    await using s = await testServer({ env: { OB_METRICS_PUBLIC: "true", OB_LOGIN_LIMIT_PER_SLUG_IP: "2" } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(s, "/user-svc/login", { appHost: APP, slug: "1backend", password: "wrong-password" })).status);
    expect(statuses).toEqual([401, 401, 429, 429]);
    const text = await scrape(s);
    expect([value(text, "ob_user_login_attempts_total"), value(text, "ob_user_login_failures_total"), value(text, "ob_user_login_limited_total")]).toEqual([4, 2, 2]);
  });

  test("labels stay bounded: first segments without instances all count as _unknown", async () => {
    await using s = await testServer({ env: { OB_METRICS_PUBLIC: "true" } });
    for (let i = 0; i < 40; i++) await fetch(`${s.url}/random-${i}-${crypto.randomUUID()}/x?y=${i}`, { method: i % 2 ? "GET" : "PATCH" });
    const text = await scrape(s);
    const series = text.split("\n").filter((l) => l.startsWith("ob_proxy_requests_total{"));
    expect(series.sort()).toEqual([
      'ob_proxy_requests_total{slug="_unknown",method="read",code="4xx"} 20',
      'ob_proxy_requests_total{slug="_unknown",method="write",code="4xx"} 20',
    ]);
    expect(text).not.toContain("random-");
  });
});

describe("per-slug series stay bounded (proxy-metrics.ts)", () => {
  /** One proxied request of `slug` answered 200 after 3 ms, as forward.ts counts it. */
  const request = (m: ProxyMetrics, slug: string) => {
    const s = m.of(slug);
    s.upstreamLatency(3);
    s.response("GET", 200);
  };

  test(`past MAX_SLUG_LABELS (${MAX_SLUG_LABELS}) slugs, new slugs count under ${OTHER_SLUG}; the slug label values stay bounded`, async () => {
    const registry = new Registry();
    const m = new ProxyMetrics(registry);
    for (let i = 0; i < MAX_SLUG_LABELS + 500; i++) request(m, `svc-${i}`);
    request(m, "svc-0"); // a slug under the cap keeps its own series
    request(m, `svc-${MAX_SLUG_LABELS + 7}`); // one past the cap stays in _other
    expect(m.slugCount).toBe(MAX_SLUG_LABELS);
    const text = await registry.metrics();
    const labels = slugLabels(text);
    expect(labels.size).toBe(MAX_SLUG_LABELS + 1); // _unknown counted nothing, so it has no series
    expect(labels.has(OTHER_SLUG)).toBe(true);
    expect(labels.has(`svc-${MAX_SLUG_LABELS - 1}`)).toBe(true);
    expect(labels.has(`svc-${MAX_SLUG_LABELS}`)).toBe(false);
    expect(value(text, 'ob_proxy_requests_total{slug="svc-0",method="read",code="2xx"}')).toBe(2);
    expect(value(text, `ob_proxy_requests_total{slug="${OTHER_SLUG}",method="read",code="2xx"}`)).toBe(501);
    expect(value(text, `ob_proxy_upstream_duration_seconds_count{slug="${OTHER_SLUG}"}`)).toBe(501);
    expect(await promtool(text)).toEqual({ code: 0, output: "" });
  });

  test("a slug idle for IDLE_SLUG_MS disappears from /metrics after one scrape exported its final counts, and frees its place", async () => {
    let now = 0;
    const registry = new Registry();
    const m = new ProxyMetrics(registry, () => now);
    for (let i = 0; i < MAX_SLUG_LABELS; i++) request(m, `gone-${i}`);
    request(m, "busy-svc"); // past the cap: _other
    m.of("busy-svc").connectFailures++;
    const first = await registry.metrics();
    expect(value(first, 'ob_proxy_requests_total{slug="gone-0",method="read",code="2xx"}')).toBe(1);
    expect(value(first, `ob_proxy_connect_failures_total{slug="${OTHER_SLUG}"}`)).toBe(1);

    now = IDLE_SLUG_MS - 1; // not idle long enough yet
    expect(value(await registry.metrics(), 'ob_proxy_requests_total{slug="gone-0",method="read",code="2xx"}')).toBe(1);
    request(m, "gone-1"); // counted since: stays
    now = IDLE_SLUG_MS;
    const later = await registry.metrics();
    expect([...slugLabels(later)].sort()).toEqual([OTHER_SLUG, "gone-1"]);
    expect(value(later, 'ob_proxy_requests_total{slug="gone-1",method="read",code="2xx"}')).toBe(2);
    expect(m.slugCount).toBe(1);

    request(m, "busy-svc"); // the places are free again: its own series, from 0
    const text = await registry.metrics();
    expect(value(text, 'ob_proxy_requests_total{slug="busy-svc",method="read",code="2xx"}')).toBe(1);
    expect(value(text, `ob_proxy_requests_total{slug="${OTHER_SLUG}",method="read",code="2xx"}`)).toBe(1); // _other is never dropped
    expect(await promtool(text)).toEqual({ code: 0, output: "" });
  });
});

/** An upstream that accepts the request and never sends response headers. */
function upstreamThatNeverAnswers() {
  return upstream(() => new Promise<Response>(() => {}));
}

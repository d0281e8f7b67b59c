/** Proxy routing: raw path and query to the slug's instance, balancing by health tier, 404s and hostile paths. */
import { describe, expect, test } from "bun:test";
import { echoUpstream, json, proxyHarness, rawRequest, upstream } from "./helpers";

describe("proxy routing", () => {
  test("path and query reach the instance unchanged, after the instance's own path prefix", async () => {
    await using up = echoUpstream();
    await using h = proxyHarness();
    h.routing.add("skeleton-svc", up.url);
    h.routing.add("prefixed-svc", `${up.url}/base/v1`);
    const r = await fetch(`${h.url}/skeleton-svc/a%2Fb/c%20d?x=1&y=%zz&x=2`);
    expect(r.status).toBe(200);
    expect((await json(r)).path).toBe("/skeleton-svc/a%2Fb/c%20d?x=1&y=%zz&x=2");
    const p = await json(fetch(`${h.url}/prefixed-svc/hello?q`));
    expect(p.path).toBe("/base/v1/prefixed-svc/hello?q");
    const bare = await json(fetch(`${h.url}/skeleton-svc`));
    expect(bare.path).toBe("/skeleton-svc");
  });

  test("methods, request bodies and upstream statuses pass through", async () => {
    await using up = upstream(async (req) => new Response(`${req.method}:${await req.text()}`, { status: 418, headers: { "x-mock": "yes" } }));
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    const r = await fetch(`${h.url}/svc/x`, { method: "PATCH", body: "payload" });
    expect(r.status).toBe(418);
    expect(r.headers.get("x-mock")).toBe("yes");
    expect(await r.text()).toBe("PATCH:payload");
  });

  test("requests are balanced round-robin across three healthy instances", async () => {
    await using a = echoUpstream("a");
    await using b = echoUpstream("b");
    await using c = echoUpstream("c");
    await using h = proxyHarness();
    for (const up of [a, b, c]) h.routing.add("svc", up.url);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 30; i++) counts[(await json(fetch(`${h.url}/svc/x`))).name]! += 1;
    expect(counts).toEqual({ a: 10, b: 10, c: 10 });
  });

  test("Healthy instances are preferred over Degraded, Degraded over Unknown; Unreachable is never used", async () => {
    await using healthy = echoUpstream("healthy");
    await using degraded = echoUpstream("degraded");
    await using unknown = echoUpstream("unknown");
    await using h = proxyHarness();
    const u = h.routing.add("svc", unknown.url, "Unknown");
    const d = h.routing.add("svc", degraded.url, "Degraded");
    const hh = h.routing.add("svc", healthy.url, "Healthy");
    const name = async () => (await json(fetch(`${h.url}/svc/x`))).name;
    expect([await name(), await name()]).toEqual(["healthy", "healthy"]);
    h.routing.setStatus(hh.id, "Unreachable");
    expect(await name()).toBe("degraded");
    h.routing.setStatus(d.id, "Unreachable");
    expect(await name()).toBe("unknown");
    h.routing.setStatus(u.id, "Unreachable");
    const r = await fetch(`${h.url}/svc/x`);
    expect(r.status).toBe(503);
    expect(await json(r)).toEqual({ error: "no healthy instances found", code: "proxy.no_healthy_instances" });
  });

  test("an unknown slug is 404 no instances found, with CORS and a request id", async () => {
    await using h = proxyHarness();
    const r = await fetch(`${h.url}/nobody-svc/x`, { headers: { origin: "http://app.example" } });
    expect(r.status).toBe(404);
    expect(await json(r)).toEqual({ error: "no instances found", code: "proxy.no_instances" });
    expect(r.headers.get("access-control-allow-origin")).toBe("http://app.example");
    expect(r.headers.get("x-request-id")).toBeTruthy();
  });

  test("hostile paths never reach another slug's instance and never cause a 500", async () => {
    const seen: string[] = [];
    await using victim = upstream((req) => (seen.push(req.url), new Response("victim")));
    await using own = upstream((req) => new Response(req.url.slice(req.url.indexOf("/", 8))));
    await using h = proxyHarness();
    h.routing.add("skeleton-svc", victim.url);
    h.routing.add("other-svc", own.url);
    for (const target of ["/skel%65ton-svc/x", "/..%2fskeleton-svc/x", "//skeleton-svc/x", "/Skeleton-svc/x", "/skeleton-svc%2Fx", "/-skeleton-svc/x", "/skeleton--svc/x"]) {
      const r = await rawRequest(h.url, "GET", target);
      expect({ target, status: r.status }).toEqual({ target, status: 404 });
    }
    // Dot segments are resolved before routing, so the request goes to the slug the URL names.
    const climbed = await rawRequest(h.url, "GET", "/other-svc/../other-svc/a/%2e%2e/b");
    expect(climbed).toEqual({ status: 200, body: "/other-svc/b" });
    expect(await rawRequest(h.url, "GET", "/%2e%2e/other-svc/c")).toEqual({ status: 200, body: "/other-svc/c" });
    const long = await rawRequest(h.url, "GET", `/other-svc/${"a".repeat(8000)}`);
    expect(long.status).toBe(200);
    expect(long.body).toBe(`/other-svc/${"a".repeat(8000)}`);
    const huge = await rawRequest(h.url, "GET", `/skeleton-svc/${"a".repeat(200_000)}`);
    expect(huge.status).toBeGreaterThanOrEqual(400);
    expect(huge.status).toBeLessThan(500);
    const weirdHost = await rawRequest(h.url, "GET", "/other-svc/h", { host: "evil.example/skeleton-svc" });
    expect(weirdHost).toEqual({ status: 200, body: "/other-svc/h" });
    expect(seen).toEqual([]);
  });
});

/**
 * Proxy loops end (contract §5 "Loops"): two real proxies on loopback whose slug `s` points at each
 * other answer one request with 508 `proxy.loop_detected` after a bounded number of hops, HTTP and
 * WebSocket alike; and hop counts a client sends cannot stretch or break the bound.
 */
import { describe, expect, test } from "bun:test";
import type { BaseDeps } from "../../src/modules/module";
import { createLogger } from "../../src/lib/log";
import { createProxyModule } from "../../src/modules/proxy";
import { HOPS_HEADER, MAX_HOPS } from "../../src/modules/proxy/hops";
import { testConfig } from "../helpers/config";
import { testServer, type TestServer } from "../helpers/server";
import { waitFor } from "../helpers/wait";
import { echoUpstream, fakeGate, FakeRouting, json, proxyHarness, rawRequest } from "./helpers";

/** Far more requests than a bounded loop makes: past it the test server stops forwarding, so the old unbounded loop fails fast instead of eating a core. */
const RUNAWAY = 100;

/** Requests both proxies received, in order, with the hop count each carried. */
type Seen = (string | null)[];

/** A proxy (the module behind Bun.serve on port 0) recording every request's hop count into the shared `seen`. */
function countingProxy(seen: Seen) {
  const routing = new FakeRouting();
  const deps = { config: testConfig("/tmp"), log: createLogger("silent"), clock: { now: () => Date.now() } } as unknown as BaseDeps;
  const proxy = createProxyModule(deps, fakeGate, routing);
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request, srv) {
      seen.push(request.headers.get(HOPS_HEADER));
      if (seen.length > RUNAWAY) return new Response("runaway loop", { status: 500 });
      return proxy.forward(request, srv);
    },
    websocket: proxy.websocket,
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    routing,
    server,
    async [Symbol.asyncDispose]() {
      proxy.stop?.();
      await server.stop(true);
    },
  };
}

/** The hop counts of one request looping A → B → A …: none from the client, then 1 … MAX_HOPS. */
const LOOP: Seen = [null, ...Array.from({ length: MAX_HOPS }, (_, i) => String(i + 1))];

describe("proxy loop detection", () => {
  test("two proxies whose slug points at each other answer one GET with 508 proxy.loop_detected after MAX_HOPS forwards, nothing left in flight", async () => {
    const seen: Seen = [];
    await using a = countingProxy(seen);
    await using b = countingProxy(seen);
    a.routing.add("s", b.url);
    b.routing.add("s", a.url);

    const r = await fetch(`${a.url}/s/x`, { headers: { origin: "https://app.example", "x-request-id": "loop-1" } });
    expect(r.status).toBe(508);
    expect(await r.json()).toEqual({ error: "request passed through too many proxies (a proxy loop?)", code: "proxy.loop_detected" });
    expect(r.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(r.headers.get("x-request-id")).toBe("loop-1");
    expect(seen).toEqual(LOOP);
    await waitFor("no request in flight on either proxy", () => a.server.pendingRequests + b.server.pendingRequests === 0);

    // A second request costs the same bounded number of hops: nothing accumulates.
    expect((await fetch(`${b.url}/s/y`)).status).toBe(508);
    expect(seen).toEqual([...LOOP, ...LOOP]);
    await waitFor("no request in flight on either proxy", () => a.server.pendingRequests + b.server.pendingRequests === 0);
  });

  test("a WebSocket upgrade looping between the two proxies ends at the same bound, the client refused", async () => {
    const seen: Seen = [];
    await using a = countingProxy(seen);
    await using b = countingProxy(seen);
    a.routing.add("s", b.url);
    b.routing.add("s", a.url);

    const client = new WebSocket(`${a.url.replace("http", "ws")}/s/socket`);
    const outcome = await new Promise<string>((resolve) => {
      client.onopen = () => resolve("open");
      client.onerror = (e) => resolve((e as ErrorEvent).message);
    });
    // The hop past the bound answers 508; the proxies before it see a refused handshake and answer 502.
    expect(outcome).toMatch(/Expected 101 status code: 50[28]/);
    expect(seen).toEqual(LOOP);
    await waitFor("no request or socket in flight", () => a.server.pendingRequests + b.server.pendingRequests + a.server.pendingWebSockets + b.server.pendingWebSockets === 0);
  });

  test("a client-sent hop count: garbage, negative or empty starts at 0; several count as the largest; MAX_HOPS or more, even huge, is 508", async () => {
    await using up = echoUpstream();
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    // rawRequest sends each key as its own header line, so differently cased keys make several lines.
    const cases: [Record<string, string>, number | string][] = [
      [{}, "1"],
      [{ [HOPS_HEADER]: "0" }, "1"],
      [{ [HOPS_HEADER]: String(MAX_HOPS - 1) }, String(MAX_HOPS)],
      [{ [HOPS_HEADER]: "-5" }, "1"],
      [{ [HOPS_HEADER]: "-99999999999999999999" }, "1"],
      [{ [HOPS_HEADER]: "abc" }, "1"],
      [{ [HOPS_HEADER]: "1.5" }, "1"],
      [{ [HOPS_HEADER]: "0x9" }, "1"],
      [{ [HOPS_HEADER]: "" }, "1"],
      [{ [HOPS_HEADER]: "3", "X-1backend-Hops": "1" }, "4"],
      [{ [HOPS_HEADER]: " 2 ,, junk, 5 " }, "6"],
      [{ [HOPS_HEADER]: String(MAX_HOPS) }, 508],
      [{ [HOPS_HEADER]: "1", "X-1backend-Hops": String(MAX_HOPS) }, 508],
      [{ [HOPS_HEADER]: "99999999999999999999999999999999" }, 508],
      [{ [HOPS_HEADER]: "007" }, "8"],
      // Listing the count in Connection makes it this hop's, which is where it is read: no way around the bound.
      [{ connection: HOPS_HEADER, [HOPS_HEADER]: String(MAX_HOPS) }, 508],
    ];
    const results: [Record<string, string>, number | string][] = [];
    for (const [headers] of cases) {
      const r = await rawRequest(h.url, "GET", "/svc/x", headers);
      const body = JSON.parse(r.body.slice(r.body.indexOf("{"), r.body.lastIndexOf("}") + 1));
      results.push([headers, r.status === 200 ? body.headers[HOPS_HEADER] : r.status === 508 && body.code === "proxy.loop_detected" ? 508 : `${r.status} ${body.code}`]);
    }
    expect(results).toEqual(cases);
  });
});

describe("proxy loop detection in the real server", () => {
  async function registerLoop(s: TestServer, to: string): Promise<void> {
    const call = (path: string, body: unknown, token?: string) =>
      fetch(`${s.url}${path}`, { method: path.includes("instance") ? "PUT" : "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    const registered = await json(call("/user-svc/register", { appHost: "loops.test", slug: "s", password: "s-password", name: "s" }));
    expect((await call("/registry-svc/instance", { url: to }, registered.token.token)).status).toBe(201);
  }

  test("servers A and B, each with slug s registered at the other, answer GET /s/x with 508 proxy.loop_detected", async () => {
    await using a = await testServer();
    await using b = await testServer();
    await registerLoop(a, b.url);
    await registerLoop(b, a.url);
    const r = await fetch(`${a.url}/s/x`);
    expect([r.status, await r.json()]).toEqual([508, { error: "request passed through too many proxies (a proxy loop?)", code: "proxy.loop_detected" }]);
  });
});

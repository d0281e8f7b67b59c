/**
 * The edge handler on the test-mode plain listener (OB_EDGE_PROXY_TEST_MODE=true), real sockets, the
 * table filled directly: precedence, redirects (statuses, suffix, queries, fragment, self-redirects),
 * routes to an absolute URL and to `slug:` instances through the proxy's engine, and the 404s.
 */
import { describe, expect, test } from "bun:test";
import { echoUpstream, upstream } from "../proxy/helpers";
import { edgeHarness, redirects, routes } from "./helpers";

interface Echo {
  name: string;
  path: string;
  headers: Record<string, string>;
}

/** A port nothing listens on (bound, then closed). */
function deadUrl(): string {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const url = `http://127.0.0.1:${server.port}`;
  server.stop(true);
  return url;
}

function get(base: string, path: string, host: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(base + path, { headers: { host, ...headers }, redirect: "manual" });
}

describe("edge routing (test mode)", () => {
  test("redirects before routes, the longest prefix first, host case and port", async () => {
    await using a = echoUpstream("a");
    await using b = echoUpstream("b");
    await using edge = await edgeHarness({ testMode: true });
    edge.table.setRoutes(routes({ "x.test": a.url, "x.test/app": b.url, "x.test:8443/app": a.url, "r.test/keep": a.url }));
    edge.table.setRedirects(redirects({ "x.test/old": { target: "https://new.test/fresh" }, "r.test": { target: "https://elsewhere.test" } }));

    const body = async (r: Response) => ((await r.json()) as Echo).name;
    expect(await body(await get(edge.httpUrl, "/", "x.test"))).toBe("a");
    expect(await body(await get(edge.httpUrl, "/app/z", "X.TEST"))).toBe("b");
    expect(await body(await get(edge.httpUrl, "/apple", "x.test"))).toBe("a");
    expect(await body(await get(edge.httpUrl, "/app/z", "x.test:8443"))).toBe("a"); // the id names the port
    expect(await body(await get(edge.httpUrl, "/app/z", "x.test:9999"))).toBe("b"); // a portless id takes any port
    const old = await get(edge.httpUrl, "/old/page", "x.test");
    expect([old.status, old.headers.get("location")]).toEqual([308, "https://new.test/fresh/page"]);
    // A bare-host redirect wins over a longer route of its host: redirects come first.
    const shadowed = await get(edge.httpUrl, "/keep/1", "r.test");
    expect([shadowed.status, shadowed.headers.get("location")]).toEqual([308, "https://elsewhere.test/keep/1"]);
  });

  test("every redirect status, the suffix, merged queries and the target's fragment; no body", async () => {
    await using edge = await edgeHarness({ testMode: true });
    const statuses = [301, 302, 303, 307, 308] as const;
    edge.table.setRedirects([
      ...statuses.flatMap((statusCode) => redirects({ [`s${statusCode}.test`]: { target: `https://t.test/base?from=${statusCode}#frag`, statusCode } })),
      ...redirects({ "d.test": { target: "https://t.test" } }),
    ]);
    for (const status of statuses) {
      const r = await get(edge.httpUrl, "/a/b?q=1&r=2", `s${status}.test`);
      expect({ status: r.status, location: r.headers.get("location"), body: await r.text() }).toEqual({ status, location: `https://t.test/base/a/b?from=${status}&q=1&r=2#frag`, body: "" });
    }
    const dflt = await get(edge.httpUrl, "/", "d.test");
    expect([dflt.status, dflt.headers.get("location")]).toEqual([308, "https://t.test/"]);
  });

  test("a self-redirect is skipped and the request goes on to the routes", async () => {
    await using a = echoUpstream("a");
    await using edge = await edgeHarness({ testMode: true });
    const self = `http://loop.test:${edge.listeners.httpPort}`;
    edge.table.setRoutes(routes({ "loop.test": a.url }));
    edge.table.setRedirects(redirects({ "loop.test/same": { target: `${self}/same` }, "loop.test/other": { target: `${self}/elsewhere` } }));
    const host = `loop.test:${edge.listeners.httpPort}`;
    const same = await get(edge.httpUrl, "/same", host);
    expect(same.status).toBe(200);
    expect(((await same.json()) as Echo).path).toBe("/same");
    // Below its prefix it points at the request too (the suffix is appended): skipped again.
    const deeper = await get(edge.httpUrl, "/same/x?q=1", host);
    expect([deeper.status, ((await deeper.json()) as Echo).path]).toEqual([200, "/same/x?q=1"]);
    // A redirect of the same host elsewhere is answered.
    const other = await get(edge.httpUrl, "/other/y", host);
    expect([other.status, other.headers.get("location")]).toEqual([308, `${self}/elsewhere/y`]);
  });

  test("a route to an absolute URL gets the full path and query, the client's Host and X-Forwarded-*", async () => {
    await using a = echoUpstream("a");
    await using edge = await edgeHarness({ testMode: true });
    edge.table.setRoutes(routes({ "u.test/app": `${a.url}/` }));
    const r = await get(edge.httpUrl, "/app/deep/x?y=1&z=%20", "u.test", { "x-forwarded-proto": "https", connection: "keep-alive, x-drop", "x-drop": "1" });
    expect(r.status).toBe(200);
    const seen = (await r.json()) as Echo;
    expect(seen.path).toBe("/app/deep/x?y=1&z=%20");
    expect(seen.headers.host).toBe("u.test");
    // The client is not a trusted proxy: its X-Forwarded-Proto is replaced by the listener's scheme.
    expect(seen.headers["x-forwarded-proto"]).toBe("http");
    expect(seen.headers["x-forwarded-host"]).toBe("u.test");
    expect(seen.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen.headers["x-1backend-hops"]).toBe("1");
    expect(seen.headers["x-drop"]).toBeUndefined();
  });

  test("a route back to the edge itself stops at the hop bound with 508 (the proxy's loop protection)", async () => {
    await using edge = await edgeHarness({ testMode: true });
    edge.table.setRoutes(routes({ "loop.test": edge.httpUrl }));
    const r = await get(edge.httpUrl, "/", "loop.test");
    expect([r.status, ((await r.json()) as { code: string }).code]).toEqual([508, "proxy.loop_detected"]);
  });

  test("a trusted proxy's X-Forwarded-Proto and -For are kept", async () => {
    await using a = echoUpstream("a");
    await using edge = await edgeHarness({ testMode: true, env: { OB_TRUSTED_PROXIES: "127.0.0.1" } });
    edge.table.setRoutes(routes({ "t.test": a.url }));
    const seen = (await (await get(edge.httpUrl, "/", "t.test", { "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.9" })).json()) as Echo;
    expect([seen.headers["x-forwarded-proto"], seen.headers["x-forwarded-for"]]).toEqual(["https", "203.0.113.9, 127.0.0.1"]);
  });

  test("an upload streams through the edge to the upstream", async () => {
    await using a = echoUpstream("a");
    await using edge = await edgeHarness({ testMode: true });
    edge.table.setRoutes(routes({ "up.test": a.url }));
    const chunk = new Uint8Array(256 * 1024).fill(7);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 16) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const r = await fetch(`${edge.httpUrl}/upload`, { method: "POST", body, headers: { host: "up.test" }, duplex: "half" } as RequestInit);
    expect(((await r.json()) as { bodyLength: number }).bodyLength).toBe(16 * chunk.length);
  });

  test("a slug: route balances over the live instances; a dead one costs no failed request", async () => {
    await using one = echoUpstream("one");
    await using two = echoUpstream("two");
    await using edge = await edgeHarness({ testMode: true });
    const dead = edge.routing.add("web", deadUrl());
    edge.routing.add("web", one.url);
    edge.routing.add("web", two.url);
    edge.table.setRoutes(routes({ "s.test": "slug:web" }));
    const names: string[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await get(edge.httpUrl, `/p/${i}?n=${i}`, "s.test");
      expect(r.status).toBe(200);
      const seen = (await r.json()) as Echo;
      expect([seen.path, seen.headers.host]).toEqual([`/p/${i}?n=${i}`, "s.test"]);
      names.push(seen.name);
    }
    expect(edge.routing.failures).toEqual([dead.id]);
    // Round robin over the two live ones once the dead one is marked.
    expect(names.filter((n) => n === "one").length).toBeGreaterThanOrEqual(14);
    expect(names.filter((n) => n === "two").length).toBeGreaterThanOrEqual(14);
  });

  test("no match, the built-in API and unreachable targets answer the JSON error body", async () => {
    await using edge = await edgeHarness({ testMode: true });
    edge.table.setRoutes(routes({ "dead.test": deadUrl(), "none.test": "slug:nobody" }));
    const cases = [
      { path: "/user-svc/login", host: "other.test", status: 404, code: "edge.route_not_found" },
      { path: "/healthz", host: "127.0.0.1", status: 404, code: "edge.route_not_found" },
      { path: "/x", host: "dead.test", status: 502, code: "proxy.upstream_unreachable" },
      { path: "/x", host: "none.test", status: 404, code: "proxy.no_instances" },
    ];
    for (const c of cases) {
      const r = await get(edge.httpUrl, c.path, c.host);
      expect(r.headers.get("content-type")).toBe("application/json");
      expect({ status: r.status, code: ((await r.json()) as { code: string }).code }).toEqual({ status: c.status, code: c.code });
    }
  });

  test("a route saved while serving is matched by the next request (the index follows the table)", async () => {
    await using a = echoUpstream("a");
    await using b = upstream(() => new Response("b"));
    await using edge = await edgeHarness({ testMode: true });
    edge.table.setRoutes(routes({ "c.test": a.url }));
    expect((await get(edge.httpUrl, "/", "c.test")).status).toBe(200);
    edge.table.setRoutes(routes({ "c.test": b.url }));
    expect(await (await get(edge.httpUrl, "/", "c.test")).text()).toBe("b");
    edge.table.setRoutes([]);
    expect((await get(edge.httpUrl, "/", "c.test")).status).toBe(404);
  });

  test("ACME challenges are answered on the test-mode listener too", async () => {
    await using edge = await edgeHarness({ testMode: true });
    edge.challenges.set("tok-1", "tok-1.thumb");
    const r = await get(edge.httpUrl, "/.well-known/acme-challenge/tok-1", "any.test");
    expect([r.status, await r.text()]).toEqual([200, "tok-1.thumb"]);
    expect((await get(edge.httpUrl, "/.well-known/acme-challenge/nope", "any.test")).status).toBe(404);
  });
});

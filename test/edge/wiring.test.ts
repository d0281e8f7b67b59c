/**
 * The edge module in the server (modules/edge/index.ts): without OB_EDGE_PROXY nothing listens; with it
 * (test mode, plain HTTP) a route saved through the API is served by the edge listener at once, the
 * listener stops with the server; with TLS and OB_ACME_DIRECTORY=off both listeners run and no ACME.
 */
import { describe, expect, test } from "bun:test";
import { testServer } from "../helpers/server";
import { call } from "../helpers/call";

const KEY = Buffer.alloc(32, 3).toString("base64");
const APP = "test.app";

async function adminOf(url: string): Promise<string> {
  return (await call("POST", `${url}/user-svc/login`, { appHost: APP, slug: "1backend", password: "changeme" })).body.token.token;
}

describe("the edge module in the server", () => {
  test("off by default: no listener, no ACME; the management API works", async () => {
    await using s = await testServer({ env: { OB_ENCRYPTION_KEY: KEY } });
    expect(s.deps.edge.listeners).toBeUndefined();
    expect(s.deps.edge.acme).toBeUndefined();
    expect((await call("PUT", `${s.url}/proxy-svc/routes`, { routes: [{ id: "x.test", target: "http://127.0.0.1:1" }] }, await adminOf(s.url))).status).toBe(200);
  }, 30_000);

  test("test mode: a route saved through the API is served by the edge listener at once; it stops with the server", async () => {
    using upstream = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (r) => Response.json({ path: new URL(r.url).pathname + new URL(r.url).search, host: r.headers.get("host") }) });
    let port: number;
    {
      await using s = await testServer({ env: { OB_ENCRYPTION_KEY: KEY, OB_EDGE_PROXY: "true", OB_EDGE_PROXY_TEST_MODE: "true", OB_EDGE_PROXY_HTTP_PORT: "127.0.0.1:0" } });
      port = s.deps.edge.listeners!.httpPort;
      expect(s.deps.edge.listeners!.httpsPort).toBeUndefined();
      expect(s.deps.edge.acme).toBeUndefined();
      const saved = await call("PUT", `${s.url}/proxy-svc/routes`, { routes: [{ id: "App.Test/api", target: `http://127.0.0.1:${upstream.port}` }] }, await adminOf(s.url));
      expect(saved.status).toBe(200);
      const r = await fetch(`http://127.0.0.1:${port}/api/hello?x=1`, { headers: { host: "app.test" } });
      expect({ status: r.status, body: await r.json() }).toEqual({ status: 200, body: { path: "/api/hello?x=1", host: "app.test" } });
      // The API is not served on the edge.
      expect((await fetch(`http://127.0.0.1:${port}/user-svc/login`, { method: "POST", headers: { host: "app.test" } })).status).toBe(404);
    }
    expect(await fetch(`http://127.0.0.1:${port}/api/hello`, { headers: { host: "app.test" } }).then(() => "answered", () => "refused")).toBe("refused");
  }, 30_000);

  test("TLS: HTTPS and HTTP listeners on their ports, no ACME with OB_ACME_DIRECTORY=off", async () => {
    await using s = await testServer({ env: { OB_ENCRYPTION_KEY: KEY, OB_EDGE_PROXY: "true", OB_EDGE_PROXY_HTTP_PORT: "127.0.0.1:0", OB_EDGE_PROXY_HTTPS_PORT: "127.0.0.1:0", OB_ACME_DIRECTORY: "off" } });
    const { httpPort, httpsPort } = s.deps.edge.listeners!;
    expect(httpsPort).toBeGreaterThan(0);
    expect(s.deps.edge.acme).toBeUndefined();
    await call("PUT", `${s.url}/proxy-svc/routes`, { routes: [{ id: "secure.test", target: "http://127.0.0.1:1" }] }, await adminOf(s.url));
    const r = await fetch(`http://127.0.0.1:${httpPort}/x?y=1`, { headers: { host: "secure.test" }, redirect: "manual" });
    expect(r.status).toBe(301);
    expect(r.headers.get("location")).toStartWith("https://secure.test");
  }, 30_000);
});

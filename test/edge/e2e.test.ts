/**
 * The edge end to end on the compiled binary (dist/1backend): OB_EDGE_PROXY=true on loopback ports 0
 * (reported in the `edge listening` log line), routes and a certificate saved through the management API,
 * then requests on the edge's HTTPS port (SNI and Host given explicitly) and its HTTP port; and the start
 * refused without OB_ENCRYPTION_KEY.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { requireBinary, SERVER_BINARY, startBinary, type BinaryServer } from "../helpers/binary";
import { call } from "../helpers/call";
import { databaseEnv, onPostgres } from "../helpers/dialect";
import { tempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait";
import { echoUpstream } from "../proxy/helpers";
import { fetchTls, handshake, TestCa, TEST_ENCRYPTION_KEY } from "./helpers";

const ADMIN_PASSWORD = "edge-e2e-admin";

const EDGE_ENV = {
  OB_ADMIN_PASSWORD: ADMIN_PASSWORD,
  OB_EDGE_PROXY: "true",
  OB_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
  OB_EDGE_PROXY_HTTPS_PORT: "127.0.0.1:0",
  OB_EDGE_PROXY_HTTP_PORT: "127.0.0.1:0",
  OB_ACME_DIRECTORY: "off",
};

/** The edge ports a binary logged, and an admin token from it. */
async function edgeOf(server: BinaryServer): Promise<{ httpsPort: number; http: string; token: string }> {
  const line = await waitFor("the edge listening line", () => server.lines.find((l) => l.includes('"msg":"edge listening"')));
  const { https, http } = JSON.parse(line) as { https: string; http: string };
  const login = await call("POST", `${server.url}/user-svc/login`, { appHost: "unnamed", slug: "1backend", password: ADMIN_PASSWORD });
  return { httpsPort: Number(new URL(https).port), http, token: login.body.token.token as string };
}

describe("edge on the compiled binary", () => {
  test("saveRoutes and saveCerts through the API are served on the edge ports at once", async () => {
    await using dir = tempDir();
    await using ca = new TestCa();
    await using echo = echoUpstream("e2e");
    await using server = await startBinary({ folder: dir.path, env: EDGE_ENV });
    const { httpsPort, http, token } = await edgeOf(server);

    // Before any route: 404 with the JSON body; the API is not served on the edge.
    const none = await fetch(`${http}/user-svc/login`, { method: "POST", headers: { host: "e2e.test" }, redirect: "manual" });
    expect([none.status, ((await none.json()) as { code: string }).code]).toEqual([404, "edge.route_not_found"]);

    const cert = ca.issue(["e2e.test"]);
    expect((await call("PUT", `${server.url}/proxy-svc/certs`, { certs: [{ id: "e2e.test", cert: cert.keyPem + cert.certPem }] }, token)).status).toBe(200);
    const saved = await call("PUT", `${server.url}/proxy-svc/routes`, { routes: [{ id: "e2e.test/app", target: echo.url }] }, token);
    const savedAt = performance.now();
    expect(saved.status).toBe(200);
    // The save's answer comes after the table changed: the very next request is routed.
    const r = await fetchTls(httpsPort, "e2e.test", "/app/x?y=1", ca.certPem);
    const routedMs = performance.now() - savedAt;
    expect(r.status).toBe(200);
    const seen = (await r.json()) as { name: string; path: string; headers: Record<string, string> };
    expect([seen.name, seen.path, seen.headers.host, seen.headers["x-forwarded-proto"]]).toEqual(["e2e", "/app/x?y=1", "e2e.test", "https"]);
    console.log(`saveRoutes answered → first request served: ${routedMs.toFixed(1)} ms`);
    expect((await handshake(httpsPort, "e2e.test", ca.certPem)).ok).toBe(true);
    expect((await handshake(httpsPort, "other.test", ca.certPem)).ok).toBe(false);

    const redirected = await fetch(`${http}/app/x?y=1`, { headers: { host: "e2e.test" }, redirect: "manual" });
    expect([redirected.status, redirected.headers.get("location")]).toEqual([301, `https://e2e.test:${httpsPort}/app/x?y=1`]);
  });

  test("the start is refused with the edge on and no OB_ENCRYPTION_KEY, naming it", async () => {
    await using dir = tempDir();
    const proc = Bun.spawn([requireBinary(SERVER_BINARY)], {
      cwd: dir.path,
      env: { PATH: "/usr/bin:/bin", HOME: dir.path, OB_SELF_URL: "http://127.0.0.1:0", OB_FOLDER: dir.path, OB_EDGE_PROXY: "true" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect(code).not.toBe(0);
    expect(out + err).toContain("OB_ENCRYPTION_KEY");
  });

  test("an edge port in use stops the start naming the address", async () => {
    await using dir = tempDir();
    const taken = Bun.serve({ hostname: "127.0.0.1", port: 0, reusePort: false, fetch: () => new Response("") });
    try {
      const proc = Bun.spawn([requireBinary(SERVER_BINARY)], {
        cwd: dir.path,
        env: { PATH: "/usr/bin:/bin", HOME: dir.path, OB_SELF_URL: "http://127.0.0.1:0", OB_FOLDER: dir.path, ...databaseEnv(dir.path), ...EDGE_ENV, OB_EDGE_PROXY_HTTPS_PORT: `127.0.0.1:${taken.port}` },
        stdout: "pipe",
        stderr: "pipe",
      });
      const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      expect(code).not.toBe(0);
      expect(out + err).toContain(`cannot listen on 127.0.0.1:${taken.port}: address in use`);
    } finally {
      taken.stop(true);
    }
  });

  describe.skipIf(!onPostgres)("two nodes on one PostgreSQL", () => {
    test("a route and a certificate saved through node A are served by node B's edge", async () => {
      await using root = tempDir();
      await using ca = new TestCa();
      await using echo = echoUpstream("cluster");
      const env = { ...databaseEnv(root.path), ...EDGE_ENV };
      const folder = (name: string) => {
        const path = join(root.path, name);
        mkdirSync(path);
        return path;
      };
      await using a = await startBinary({ folder: folder("a"), env });
      await using b = await startBinary({ folder: folder("b"), env });
      const [edgeA, edgeB] = [await edgeOf(a), await edgeOf(b)];
      const cert = ca.issue(["cluster.test"]);
      expect((await call("PUT", `${a.url}/proxy-svc/certs`, { certs: [{ id: "cluster.test", cert: cert.keyPem + cert.certPem }] }, edgeA.token)).status).toBe(200);
      expect((await call("PUT", `${a.url}/proxy-svc/routes`, { routes: [{ id: "cluster.test", target: echo.url }] }, edgeA.token)).status).toBe(200);
      const savedAt = performance.now();
      const served = await waitFor("node B serving the route over TLS", async () => {
        const r = await fetchTls(edgeB.httpsPort, "cluster.test", "/x", ca.certPem);
        return r.status === 200 ? ((await r.json()) as { name: string }).name : undefined;
      }, 5000, 10);
      console.log(`saveRoutes on A answered → served by B's edge: ${(performance.now() - savedAt).toFixed(0)} ms`);
      expect(served).toBe("cluster");
    });
  });
});

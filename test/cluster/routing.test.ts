/**
 * Routing across a cluster (issue 12 "Coherence", contract §7): three compiled-binary nodes on one
 * private PostgreSQL. An instance (a loopback server started here) registered through node A is
 * routed by B's and C's proxies within a second; removed through A, B and C stop routing it within a
 * second, also with the listener connections killed (notifications lost: the re-listen or the
 * feed's poll catches up); killed, a proxied request on B fails to connect, B marks it Unreachable
 * and A lists it so within a second. Instance URLs pointing at any node are refused (the loop rule). Probing runs only
 * at registration (OB_HEALTH_INTERVAL 1h), so what A lists is what B saw. Each latency is printed.
 * PostgreSQL only; build first (`./scripts/build.sh`).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { startBinary, type BinaryServer } from "../helpers/binary";
import { call } from "../helpers/call";
import { onPostgres } from "../helpers/dialect";
import { startPostgres, type PostgresServer } from "../helpers/postgres";
import { tempDir, type TempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait";

const APP = "unnamed";
const WITHIN_MS = 1000;
const ROUNDS = 5;

let pg: PostgresServer;
let dirs: TempDir[] = [];
let nodes: BinaryServer[] = [];
const upstreams: ReturnType<typeof Bun.serve>[] = [];
const latencies: Record<string, number[]> = {};
let svc = "";
let admin = "";

const [A, B, C] = [0, 1, 2];
const url = (node: number, path: string) => `${nodes[node]!.url}${path}`;

/** A loopback instance answering every request with `body`. */
function instance(body: string): ReturnType<typeof Bun.serve> {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(body) });
  upstreams.push(server);
  return server;
}

/** What `node`'s proxy answers for the service's path: the status and, for a 200, the body. */
async function proxied(node: number): Promise<string> {
  const response = await fetch(url(node, "/route-svc/hello"));
  const text = await response.text();
  return response.status === 200 ? `200 ${text}` : String(response.status);
}

async function login(slug: string, password: string): Promise<string> {
  const r = await call("POST", url(A, "/user-svc/login"), { appHost: APP, slug, password, device: "test" });
  expect(r.status).toBe(200);
  return r.body.token.token;
}

/** Milliseconds from `since` until `probe` holds on each of `on`, polled every 2 ms; each must be within a second. */
async function seenWithin(kind: string, since: number, on: number[], what: string, probe: (node: number) => Promise<boolean>): Promise<number[]> {
  const took = await Promise.all(
    on.map(async (node) => {
      await waitFor(`${what} on node ${node}`, () => probe(node), 5000, 2);
      return performance.now() - since;
    }),
  );
  (latencies[kind] ??= []).push(...took);
  console.log(`${kind}: ${took.map((ms, i) => `node ${"ABC"[on[i]!]} after ${ms.toFixed(1)} ms`).join(", ")}`);
  expect(Math.max(...took)).toBeLessThan(WITHIN_MS);
  return took;
}

const percentile = (values: number[], p: number) => [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

describe.skipIf(!onPostgres)("routing across three nodes on PostgreSQL", () => {
  beforeAll(async () => {
    pg = await startPostgres();
    const env = { OB_DB: "postgres", OB_DB_CONNECTION_STRING: pg.url, OB_DB_PREFIX: "route_", OB_ADMIN_PASSWORD: "admin-pass-123", OB_HEALTH_INTERVAL: "1h", OB_UNHEALTHY_AFTER: "1h" };
    dirs = [0, 1, 2].map(() => tempDir());
    nodes.push(await startBinary({ folder: dirs[0]!.path, env }));
    nodes.push(...(await Promise.all([1, 2].map((i) => startBinary({ folder: dirs[i]!.path, env })))));
    expect((await call("POST", url(A, "/user-svc/register"), { appHost: APP, slug: "route-svc", password: "route-svc-password" })).status).toBe(200);
    svc = await login("route-svc", "route-svc-password");
    admin = await login("1backend", "admin-pass-123");
  }, 60_000);

  afterAll(async () => {
    for (const kind of Object.keys(latencies)) {
      const all = latencies[kind]!;
      console.log(`${kind}: ${all.length} observations, p50 ${percentile(all, 50).toFixed(1)} ms, max ${Math.max(...all).toFixed(1)} ms`);
    }
    await Promise.all(nodes.map((n) => n[Symbol.asyncDispose]()));
    for (const server of upstreams) server.stop(true);
    for (const dir of dirs) await dir[Symbol.asyncDispose]();
    await pg?.[Symbol.asyncDispose]();
  }, 30_000);

  test("registered through A: routed by B and C within a second; removed through A: B and C answer 404 within a second", async () => {
    const upstream = instance("from the instance");
    for (let round = 0; round < ROUNDS; round++) {
      for (const node of [A, B, C]) expect(await proxied(node)).toBe("404");
      const put = await call("PUT", url(A, "/registry-svc/instance"), { url: `http://127.0.0.1:${upstream.port}` }, svc);
      expect(put.status).toBe(201);
      const registered = performance.now();
      await seenWithin("registration", registered, [B, C], "the instance routed", async (node) => (await proxied(node)) === "200 from the instance");
      const [listed] = (await call("GET", url(A, "/registry-svc/instances"), undefined, svc)).body.instances;
      expect((await call("DELETE", url(A, `/registry-svc/instance/${listed.id}`), undefined, svc)).status).toBe(204);
      const removed = performance.now();
      await seenWithin("removal", removed, [B, C], "no instance (404)", async (node) => (await proxied(node)) === "404");
    }
  }, 60_000);

  test("with the listener connections killed (notifications lost), B and C still route and stop routing within a second", async () => {
    const upstream = instance("from the instance");
    const sql = new SQL(pg.url, { max: 1 });
    try {
      for (let round = 0; round < 3; round++) {
        const killed = await sql`select pg_terminate_backend(pid) as done from pg_stat_activity where query ilike 'listen %' and pid <> pg_backend_pid()`;
        expect(killed.length).toBeGreaterThanOrEqual(3);
        expect((await call("PUT", url(A, "/registry-svc/instance"), { url: `http://127.0.0.1:${upstream.port}` }, svc)).status).toBe(201);
        await seenWithin("registration, listeners killed", performance.now(), [B, C], "the instance routed", async (node) => (await proxied(node)) === "200 from the instance");
        await waitFor("three listeners again", async () => (await sql`select 1 from pg_stat_activity where query ilike 'listen %'`).length >= 3, 10_000, 50);
        await sql`select pg_terminate_backend(pid) as done from pg_stat_activity where query ilike 'listen %' and pid <> pg_backend_pid()`;
        const [listed] = (await call("GET", url(A, "/registry-svc/instances"), undefined, svc)).body.instances;
        expect((await call("DELETE", url(A, `/registry-svc/instance/${listed.id}`), undefined, svc)).status).toBe(204);
        await seenWithin("removal, listeners killed", performance.now(), [B, C], "no instance (404)", async (node) => (await proxied(node)) === "404");
        await waitFor("three listeners again", async () => (await sql`select 1 from pg_stat_activity where query ilike 'listen %'`).length >= 3, 10_000, 50);
      }
    } finally {
      await sql.close();
    }
  }, 60_000);

  test("an instance killed: B's failed connect marks it Unreachable, and A lists it Unreachable within a second", async () => {
    const upstream = instance("from the doomed instance");
    expect((await call("PUT", url(A, "/registry-svc/instance"), { url: `http://127.0.0.1:${upstream.port}` }, svc)).status).toBe(201);
    const id = (await call("GET", url(A, "/registry-svc/instances"), undefined, svc)).body.instances[0].id as string;
    const statusOn = async (node: number) => ((await call("GET", url(node, `/registry-svc/instances?id=${id}`), undefined, admin)).body.instances[0]?.status as string | undefined);
    // Probed once at registration (A's soon-probe): Healthy everywhere, and routed by B.
    await waitFor("Healthy on A, B and C", async () => (await Promise.all([A, B, C].map(statusOn))).every((s) => s === "Healthy"), 5000, 5);
    expect(await proxied(B)).toBe("200 from the doomed instance");
    upstream.stop(true);
    const failed = await proxied(B);
    expect(failed).not.toStartWith("200");
    const answered = performance.now();
    expect(await statusOn(B)).toBe("Unreachable");
    await seenWithin("status (B's connect failure)", answered, [A, C], "Unreachable listed", async (node) => (await statusOn(node)) === "Unreachable");
    expect((await call("DELETE", url(A, `/registry-svc/instance/${id}`), undefined, svc)).status).toBe(204);
  }, 30_000);

  test("instance URLs pointing at any node are refused through any node (the loop rule)", async () => {
    for (const through of [A, B, C]) {
      for (const target of [A, B, C]) {
        const r = await call("PUT", url(through, "/registry-svc/instance"), { url: nodes[target]!.url }, svc);
        expect({ through, target, status: r.status, code: r.body.code }).toEqual({ through, target, status: 400, code: "registry.self_url" });
      }
    }
  }, 30_000);
});

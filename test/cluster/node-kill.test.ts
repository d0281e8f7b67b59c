/**
 * A node killed under traffic (issue 12: "kill -9 a node under proxied traffic through the other two:
 * zero failed requests on them"). Three compiled-binary nodes on one PostgreSQL database (the run's
 * server, tables of this test's own through OB_DB_PREFIX); an instance (a real loopback HTTP server)
 * registered through A. A few clients send proxied requests through B and C for a few seconds while A
 * is killed with SIGKILL: every one of them is answered by the instance, and B lists A not alive
 * within three heartbeat intervals (short intervals through env). PostgreSQL only; build first
 * (`./scripts/build.sh`).
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startBinary, type BinaryServer } from "../helpers/binary";
import { call } from "../helpers/call";
import { databaseEnv, onPostgres } from "../helpers/dialect";
import { tempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait";

const INTERVAL_MS = 300;
const ADMIN_PASSWORD = "admin-pass-123";
const CLIENTS_PER_NODE = 3;
/** Pause between one client's requests: steady traffic that leaves the shared machine's cores to the nodes. */
const PACE_MS = 2;
const BEFORE_KILL_MS = 1000;
const AFTER_KILL_MS = 2000;

async function login(server: BinaryServer, slug: string, password: string): Promise<string> {
  const r = await call("POST", `${server.url}/user-svc/login`, { appHost: "unnamed", slug, password });
  expect(r.status).toBe(200);
  return r.body.token.token;
}

/** Requests through `node` one after another until `until` settles: answered ones and failures (status or error). */
async function client(node: BinaryServer, until: Promise<unknown>): Promise<{ ok: number; failures: string[] }> {
  let done = false;
  void until.then(() => (done = true));
  const result = { ok: 0, failures: [] as string[] };
  while (!done) {
    try {
      const response = await fetch(`${node.url}/kill-svc/hello`);
      const text = await response.text();
      if (response.status === 200 && text === "from the instance") result.ok++;
      else result.failures.push(`${response.status} ${text.slice(0, 200)}`);
    } catch (err) {
      result.failures.push(String(err));
    }
    await Bun.sleep(PACE_MS);
  }
  return result;
}

describe.skipIf(!onPostgres)("a node killed under proxied traffic (PostgreSQL)", () => {
  test("kill -9 of A: zero failed requests through B and C; B lists A not alive within three heartbeat intervals", async () => {
    await using root = tempDir();
    const env = { ...databaseEnv(root.path), OB_ADMIN_PASSWORD: ADMIN_PASSWORD, OB_HEALTH_INTERVAL: `${INTERVAL_MS}ms`, OB_HEALTH_TIMEOUT: "200ms" };
    const folder = (name: string) => {
      const path = join(root.path, name);
      mkdirSync(path);
      return path;
    };
    using upstream = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("from the instance") });
    await using a = await startBinary({ folder: folder("a"), env });
    expect((await call("POST", `${a.url}/user-svc/register`, { appHost: "unnamed", slug: "kill-svc", password: "kill-svc-password" })).status).toBe(200);
    const service = await login(a, "kill-svc", "kill-svc-password");
    expect((await call("PUT", `${a.url}/registry-svc/instance`, { url: `http://127.0.0.1:${upstream.port}` }, service)).status).toBe(201);
    // B and C load the instance at start.
    const [b, c] = await Promise.all([startBinary({ folder: folder("b"), env }), startBinary({ folder: folder("c"), env })]);
    await using _b = b;
    await using _c = c;
    const admin = await login(b, "1backend", ADMIN_PASSWORD);
    const aliveOnB = async () => {
      const listed = await call("POST", `${b.url}/registry-svc/nodes`, {}, admin);
      expect(listed.status).toBe(200);
      return Object.fromEntries(listed.body.nodes.map((n: { url: string; alive: boolean }) => [n.url, n.alive])) as Record<string, boolean>;
    };
    expect(await aliveOnB()).toEqual({ [a.url]: true, [b.url]: true, [c.url]: true });
    for (const node of [a, b, c]) expect((await fetch(`${node.url}/kill-svc/hello`)).status).toBe(200);

    const stop = Promise.withResolvers<void>();
    const clients = [b, c].map((node) => Promise.all(Array.from({ length: CLIENTS_PER_NODE }, () => client(node, stop.promise))));
    await using _clients = { [Symbol.asyncDispose]: async () => void (stop.resolve(), await Promise.all(clients)) };
    await Bun.sleep(BEFORE_KILL_MS); // traffic flowing before the kill (bounded: the test's length, not a wait for a condition)
    a.process.kill("SIGKILL");
    const killedAt = performance.now();
    await a.process.exited;
    await waitFor("B listing A not alive", async () => (await aliveOnB())[a.url] === false, 10_000);
    const notAliveMs = performance.now() - killedAt;
    await Bun.sleep(Math.max(0, AFTER_KILL_MS - notAliveMs)); // traffic goes on after the kill
    stop.resolve();
    const [onB, onC] = await Promise.all(clients);
    const total = (r: { ok: number; failures: string[] }[]) => ({ ok: r.reduce((n, x) => n + x.ok, 0), failures: r.flatMap((x) => x.failures) });
    const [throughB, throughC] = [total(onB!), total(onC!)];
    console.log(`kill -9 under traffic: ${throughB.ok} requests through B and ${throughC.ok} through C answered, ${throughB.failures.length + throughC.failures.length} failed; A listed not alive after ${notAliveMs.toFixed(0)} ms (3 intervals: ${3 * INTERVAL_MS} ms)`);
    expect({ b: throughB.failures, c: throughC.failures }).toEqual({ b: [], c: [] });
    expect(throughB.ok).toBeGreaterThan(0);
    expect(throughC.ok).toBeGreaterThan(0);
    // A's last heartbeat was at most one interval before the kill; slack for a loaded machine as in nodes.test.ts.
    expect(notAliveMs).toBeLessThan(3 * INTERVAL_MS + 1000);
    expect(await aliveOnB()).toMatchObject({ [a.url]: false, [b.url]: true, [c.url]: true });
  }, 90_000);
});

/**
 * The sweeper runs once per cluster (contract §7, issue 12): three compiled-binary nodes on one
 * PostgreSQL database (one OB_DB_PREFIX) elect one sweeper; `kill -9` of that node hands the role to
 * another within a few seconds, and TTL eviction goes on there: an instance whose heartbeats stopped is
 * removed by the new leader after the take-over. PostgreSQL only (on SQLite there is one node).
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startBinary, type BinaryServer } from "../helpers/binary";
import { databaseEnv, onPostgres } from "../helpers/dialect";
import { tempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait";
import { call } from "../helpers/call";

const TTL_MS = 10_000;
const LEADING = '"msg":"leading"';
const EXPIRED = '"msg":"expired instances removed"';

async function login(server: BinaryServer, slug: string, password: string): Promise<string> {
  const r = await call("POST", `${server.url}/user-svc/login`, { appHost: "unnamed", slug, password });
  expect(r.status).toBe(200);
  return r.body.token.token;
}

const count = (server: BinaryServer, marker: string) => server.lines.filter((l) => l.includes(marker)).length;

/** A loopback port nothing listens on: the instance there never answers a probe (its heartbeats stopped). */
function closedPort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

describe.skipIf(!onPostgres)("sweeper leader across nodes (PostgreSQL)", () => {
  test("one of three nodes sweeps; kill -9 it and another takes over within seconds and evicts the silent instance", async () => {
    await using root = tempDir();
    // One database and one prefix for the three nodes (the run's server; the tables go with `root`).
    const shared = databaseEnv(root.path);
    const env = {
      ...shared,
      OB_ADMIN_PASSWORD: "admin-pass-123",
      OB_HEALTH_INTERVAL: "500ms",
      OB_HEALTH_TIMEOUT: "300ms",
      OB_UNHEALTHY_AFTER: "1s",
      OB_INSTANCE_TTL: `${TTL_MS / 1000}s`,
    };
    const folder = (name: string) => {
      const path = join(root.path, name);
      mkdirSync(path);
      return path;
    };
    await using a = await startBinary({ folder: folder("a"), env });
    // Alone, A takes the lock before it listens.
    expect(count(a, LEADING)).toBe(1);

    // Registered once through A, then silent: its URL answers no probe.
    expect((await call("POST", `${a.url}/user-svc/register`, { appHost: "unnamed", slug: "silent-svc", password: "silent-svc-password" })).status).toBe(200);
    const token = await login(a, "silent-svc", "silent-svc-password");
    const instanceUrl = `http://127.0.0.1:${closedPort()}`;
    // Taken before the request: the server's registration time (the TTL's start) is not earlier.
    const registeredAt = Date.now();
    expect((await call("PUT", `${a.url}/registry-svc/instance`, { url: instanceUrl }, token)).status).toBe(201);

    // B and C load the instance at start; each has tried the lock once before it listens.
    const [b, c] = await Promise.all([startBinary({ folder: folder("b"), env }), startBinary({ folder: folder("c"), env })]);
    await using _b = b;
    await using _c = c;
    expect([count(a, LEADING), count(b, LEADING), count(c, LEADING)]).toEqual([1, 0, 0]);
    expect(Date.now() - registeredAt).toBeLessThan(TTL_MS - 2000); // A has not had the chance to evict it yet
    for (const node of [b, c]) expect((await fetch(`${node.url}/readyz`)).status).toBe(200); // a follower is ready

    a.process.kill("SIGKILL");
    const killedAt = performance.now();
    await a.process.exited;
    const leader = await waitFor("a new sweeper leader", () => [b, c].find((n) => count(n, LEADING) === 1), 10_000);
    const takeOverMs = performance.now() - killedAt;
    const follower = leader === b ? c : b;
    console.log(`sweeper take-over after kill -9: ${Math.round(takeOverMs)} ms`);
    expect(takeOverMs).toBeLessThan(5000);

    await waitFor("the silent instance evicted by the new leader", () => count(leader, EXPIRED) === 1, TTL_MS + 10_000);
    expect(Date.now() - registeredAt).toBeGreaterThanOrEqual(TTL_MS);
    expect([count(a, EXPIRED), count(follower, EXPIRED), count(follower, LEADING)]).toEqual([0, 0, 0]);
    const admin = await login(leader, "1backend", "admin-pass-123");
    const listed = await call("GET", `${leader.url}/registry-svc/instances`, undefined, admin);
    expect(listed.body.instances.map((i: { url: string }) => i.url)).not.toContain(instanceUrl);
    // The removal is committed: the row is gone from the shared database.
    const sql = new Bun.SQL(shared.OB_DB_CONNECTION_STRING!, { max: 1 });
    try {
      await waitFor("the instance row deleted", async () => {
        const [row] = await sql.unsafe(`SELECT count(*)::int AS n FROM "${shared.OB_DB_PREFIX}registry_instances" WHERE url = $1`, [instanceUrl]);
        return row.n === 0;
      }, 5000);
    } finally {
      await sql.close();
    }
  }, 90_000);
});

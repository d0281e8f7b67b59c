/**
 * Nodes of a cluster (issue 12, contract §7): two compiled-binary nodes on one PostgreSQL list each
 * other alive; after one is killed with SIGKILL the other lists it not alive within 3 heartbeat
 * intervals and removes it after OB_NODE_TTL, and its URL, refused as "this server" while it was
 * listed, becomes registrable. PostgreSQL only (one SQLite file is one node): the run's server, tables
 * of this test's own through OB_DB_PREFIX (test/helpers/dialect.ts); short intervals through env.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startBinary, waitFor, type BinaryServer } from "../helpers/binary";
import { databaseEnv, onPostgres } from "../helpers/dialect";
import { tempDir } from "../helpers/temp-dir";
import { call } from "../helpers/call";

const INTERVAL_MS = 300;
const TTL_MS = 1500;
const ADMIN_PASSWORD = "admin-pass-123";

async function login(server: BinaryServer, slug: string, password: string): Promise<string> {
  const answer = await call("POST", `${server.url}/user-svc/login`, { appHost: "unnamed", slug, password });
  expect(answer.status).toBe(200);
  return answer.body.token.token;
}

/** `alive` by node URL as `server` lists them. */
async function aliveByUrl(server: BinaryServer, token: string): Promise<Record<string, boolean>> {
  const { status, body } = await call("POST", `${server.url}/registry-svc/nodes`, {}, token);
  expect(status).toBe(200);
  return Object.fromEntries(body.nodes.map((n: { url: string; alive: boolean }) => [n.url, n.alive]));
}

describe.skipIf(!onPostgres)("nodes of a cluster on PostgreSQL", () => {
  test("two nodes list each other alive; a killed one is not alive within 3 intervals and removed after the TTL", async () => {
    await using root = tempDir();
    // Both nodes on the root folder's tables: one cluster.
    const env = { ...databaseEnv(root.path), OB_ADMIN_PASSWORD: ADMIN_PASSWORD, OB_HEALTH_INTERVAL: `${INTERVAL_MS}ms`, OB_NODE_TTL: `${TTL_MS}ms`, OB_LOG_LEVEL: "info" };
    const folder = (name: string) => {
      const path = join(root.path, name);
      mkdirSync(path);
      return path;
    };
    await using a = await startBinary({ folder: folder("a"), env });
    await using b = await startBinary({ folder: folder("b"), env });
    const [tokenA, tokenB] = [await login(a, "1backend", ADMIN_PASSWORD), await login(b, "1backend", ADMIN_PASSWORD)];
    const both = { [a.url]: true, [b.url]: true };
    expect(await aliveByUrl(a, tokenA)).toEqual(both);
    expect(await aliveByUrl(b, tokenB)).toEqual(both);

    // B's URL is a node of the cluster: A refuses it as an instance URL (once its self snapshot, a few seconds, has B).
    expect((await call("POST", `${a.url}/user-svc/register`, { appHost: "unnamed", slug: "nodes-svc", password: "nodes-svc-password" })).status).toBe(200);
    const service = await login(a, "nodes-svc", "nodes-svc-password");
    const registerB = () => call("PUT", `${a.url}/registry-svc/instance`, { url: b.url }, service);
    await waitFor("A refusing B's URL as this cluster's", async () => (await registerB()).body?.code === "registry.self_url", 10_000, 100);

    b.process.kill("SIGKILL");
    await b.process.exited;
    const killed = performance.now();
    await waitFor("A listing B not alive", async () => (await aliveByUrl(a, tokenA))[b.url] === false, 10_000);
    const notAliveMs = performance.now() - killed;
    expect(await aliveByUrl(a, tokenA)).toEqual({ [a.url]: true, [b.url]: false });
    await waitFor("A removing B", async () => !(b.url in (await aliveByUrl(a, tokenA))), 10_000);
    const removedMs = performance.now() - killed;
    console.log(`node killed: listed not alive after ${notAliveMs.toFixed(0)} ms (3 intervals: ${3 * INTERVAL_MS}), removed after ${removedMs.toFixed(0)} ms (TTL ${TTL_MS} + up to one interval)`);
    // B's last heartbeat was at most one interval before the kill, plus scheduling and request slack on a loaded machine.
    expect(notAliveMs).toBeLessThan(3 * INTERVAL_MS + 1000);
    expect(removedMs).toBeGreaterThan(TTL_MS - INTERVAL_MS);
    expect(removedMs).toBeLessThan(TTL_MS + INTERVAL_MS + 1500);
    expect(a.lines.filter((l) => l.includes('"msg":"node removed"') && l.includes(b.url))).toHaveLength(1);
    expect(await aliveByUrl(a, tokenA)).toEqual({ [a.url]: true });

    // Removed, B's URL is no longer this cluster's: it registers (once the snapshot has moved on).
    await waitFor("B's URL registrable on A", async () => (await registerB()).status === 201, 10_000, 100);
  }, 60_000);
});

import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../../src/config";
import { createLogger, type LogFields } from "../../src/lib/log";
import { NodeService } from "../../src/modules/registry/nodes";
import { RegistryStore } from "../../src/modules/registry/store";
import { FakeClock } from "../helpers/fake-clock";
import { runScenarios } from "../helpers/scenario";
import { registryHarness, type RegistryHarness } from "./harness";

/** Every row on its own in-process registry app. */
const freshRegistry = { open: () => registryHarness() };

const nodeShape = {
  id: expect.stringMatching(/^node-\w+$/),
  url: "http://127.0.0.1:0",
  lastHeartbeat: expect.stringMatching(/Z$/),
  alive: true,
  usage: {
    cpu: { used: expect.any(Number), total: 100, percent: expect.any(Number) },
    memory: { used: expect.any(Number), total: expect.any(Number), percent: expect.any(Number) },
    disk: { used: expect.any(Number), total: expect.any(Number), percent: expect.any(Number) },
  },
};

runScenarios("registry nodes", freshRegistry, [
  {
    name: "GET node/self works from the first request",
    method: "GET",
    path: "/registry-svc/node/self",
    as: "admin",
    status: 200,
    check: (r) => {
      expect(r.body).toEqual({ node: nodeShape });
      expect(r.body.node.usage.memory.total).toBeGreaterThan(0);
    },
  },
  { name: "node/self without a token: 401", method: "GET", path: "/registry-svc/node/self", status: 401 },
  { name: "node/self without the permission: 403", method: "GET", path: "/registry-svc/node/self", as: "nobody", status: 403 },
  {
    name: "POST nodes without a body lists all nodes",
    method: "POST",
    path: "/registry-svc/nodes",
    as: "admin",
    status: 200,
    check: (r) => expect(r.body).toEqual({ nodes: [nodeShape] }),
  },
  {
    name: "POST nodes with ids lists only those",
    method: "POST",
    path: "/registry-svc/nodes",
    as: "admin",
    body: { ids: ["node-unknown"] },
    status: 200,
    expectBody: { nodes: [] },
  },
  { name: "POST nodes with ids of the wrong type: 400", method: "POST", path: "/registry-svc/nodes", as: "admin", body: { ids: "x" }, status: 400 },
  {
    name: "DELETE node by its URL-encoded URL: 204, gone until the next heartbeat",
    method: "DELETE",
    path: `/registry-svc/node/${encodeURIComponent("http://127.0.0.1:0")}`,
    as: "admin",
    status: 204,
    check: async (_r, h) => {
      expect((await h.json("POST", "/registry-svc/nodes", { token: "admin" })).body).toEqual({ nodes: [] });
      await h.registry.nodes.runOnce();
      expect((await h.json("POST", "/registry-svc/nodes", { token: "admin" })).body.nodes).toHaveLength(1);
    },
  },
  { name: "DELETE an unknown node: 404", method: "DELETE", path: `/registry-svc/node/${encodeURIComponent("http://nope:1")}`, as: "admin", status: 404, code: "registry.node_not_found" },
  { name: "DELETE node as a non-admin: 403", method: "DELETE", path: `/registry-svc/node/${encodeURIComponent("http://127.0.0.1:0")}`, as: "alpha", status: 403 },
]);

runScenarios("registry echo", freshRegistry, [
  {
    name: "POST echoes the JSON body with a trailing newline",
    method: "POST",
    path: "/registry-svc/echo",
    body: { a: [1, "x"], b: { c: null } },
    status: 200,
    check: (r) => expect(r.text).toBe('{"a":[1,"x"],"b":{"c":null}}\n'),
  },
  { name: "PUT echoes any JSON value", method: "PUT", path: "/registry-svc/echo", body: "[1,2]", status: 200, check: (r) => expect(r.text).toBe("[1,2]\n") },
  { name: "an empty body echoes {}", method: "POST", path: "/registry-svc/echo", status: 200, check: (r) => expect(r.text).toBe("{}\n") },
  { name: "malformed JSON: 400", method: "POST", path: "/registry-svc/echo", body: "{", status: 400, code: "http.invalid_json" },
  {
    name: "GET echoes the query; a repeated key becomes an array",
    method: "GET",
    path: "/registry-svc/echo?a=1&b=2&b=3&__proto__=x&__proto__=y",
    status: 200,
    check: (r) => expect(r.text).toBe('{"a":"1","b":["2","3"],"__proto__":["x","y"]}\n'),
  },
]);

const INTERVAL = 5000;
const TTL = 50_000;
const OTHER = "http://127.0.0.1:9400";

/** Another node of the same cluster: its own node service on the harness's database and clock. */
function otherNode(h: RegistryHarness, clock: FakeClock, selfUrl = OTHER, log = h.deps.log) {
  return NodeService.create({ store: new RegistryStore(h.deps), clock, log, selfUrl, region: "eu-west", availabilityZone: "", heartbeatIntervalMs: INTERVAL, ttlMs: TTL });
}

/** `alive` of each listed node by URL, as the harness's node answers `POST nodes`. */
async function aliveByUrl(h: RegistryHarness): Promise<Record<string, boolean>> {
  const { body } = await h.json("POST", "/registry-svc/nodes", { token: "admin", body: {} });
  return Object.fromEntries(body.nodes.map((n: { url: string; alive: boolean }) => [n.url, n.alive]));
}

describe("registry nodes: liveness and removal (fake clock)", () => {
  const env = { OB_HEALTH_INTERVAL: "5s", OB_NODE_TTL: "50s" };

  test("a node that stops heartbeating is alive until 3 intervals after its last heartbeat, then listed not alive", async () => {
    const clock = new FakeClock(Date.now());
    await using h = await registryHarness({ clock, env });
    await otherNode(h, clock); // writes its row now, then never heartbeats again
    expect(await aliveByUrl(h)).toEqual({ "http://127.0.0.1:0": true, [OTHER]: true });
    for (let i = 0; i < 2; i++) {
      clock.advance(INTERVAL);
      await h.registry.nodes.runOnce();
    }
    clock.advance(INTERVAL - 1); // 3 intervals less 1 ms after its heartbeat
    await h.registry.nodes.runOnce();
    expect(await aliveByUrl(h)).toEqual({ "http://127.0.0.1:0": true, [OTHER]: true });
    clock.advance(1);
    expect(await aliveByUrl(h)).toEqual({ "http://127.0.0.1:0": true, [OTHER]: false });
    const listed = (await h.json("POST", "/registry-svc/nodes", { token: "admin", body: {} })).body.nodes;
    expect(listed.find((n: { url: string }) => n.url === OTHER)).toEqual({ ...nodeShape, url: OTHER, region: "eu-west", alive: false, lastHeartbeat: new Date(clock.now() - 3 * INTERVAL).toISOString() });
    // This node answers node/self alive: it heartbeats.
    expect((await h.json("GET", "/registry-svc/node/self", { token: "admin" })).body.node.alive).toBe(true);
  });

  test("another node's heartbeat removes it after the TTL; its URL is registrable again, and it is listed again when it comes back", async () => {
    const clock = new FakeClock(Date.now());
    await using h = await registryHarness({ clock, env, probe: async () => true });
    const other = await otherNode(h, clock);
    const stoppedAt = clock.now();
    const register = () => h.json("PUT", "/registry-svc/instance", { token: "alpha", body: { url: OTHER } });
    clock.advance(6000); // past the self check's snapshot of the node table
    expect((await register()).body.code).toBe("registry.self_url");
    clock.set(stoppedAt + TTL); // exactly the TTL: kept
    await h.registry.nodes.runOnce();
    expect(Object.keys(await aliveByUrl(h))).toEqual(["http://127.0.0.1:0", OTHER]);
    clock.set(stoppedAt + TTL + 1);
    await h.registry.nodes.runOnce();
    expect(await aliveByUrl(h)).toEqual({ "http://127.0.0.1:0": true });
    clock.advance(6000);
    expect((await register()).status).toBe(201);
    // The removed node starts again: its next heartbeat lists it, alive.
    await other.runOnce();
    expect(await aliveByUrl(h)).toEqual({ "http://127.0.0.1:0": true, [OTHER]: true });
  });

  test("nodes removing a stale node at once remove it once and keep each other", async () => {
    const clock = new FakeClock(Date.now());
    await using h = await registryHarness({ clock, env });
    const removed: unknown[] = [];
    const log = createLogger("info", (line) => {
      const entry = JSON.parse(line) as LogFields;
      if (entry.msg === "node removed") removed.push(entry.url);
    });
    const { db, tables } = h.deps.database;
    await db.insert(tables.registryNodes).values({ id: "node-dead", url: "http://127.0.0.1:9401", lastHeartbeat: clock.now() - TTL - 1 });
    const [b, c] = [await otherNode(h, clock, OTHER, log), await otherNode(h, clock, "http://127.0.0.1:9402", log)];
    await Promise.all([b.runOnce(), c.runOnce()]);
    expect(removed).toEqual(["http://127.0.0.1:9401"]);
    await h.registry.nodes.runOnce();
    expect(await aliveByUrl(h)).toEqual({ "http://127.0.0.1:0": true, [OTHER]: true, "http://127.0.0.1:9402": true });
  });

  test("OB_NODE_TTL=0 never removes a node", async () => {
    const clock = new FakeClock(Date.now());
    await using h = await registryHarness({ clock, env: { ...env, OB_NODE_TTL: "0" } });
    await otherNode(h, clock);
    clock.advance(24 * 3600_000);
    await h.registry.nodes.runOnce();
    expect(await aliveByUrl(h)).toEqual({ "http://127.0.0.1:0": true, [OTHER]: false });
  });

  test("OB_NODE_TTL: empty is 10 heartbeat intervals, 0 never, and it must exceed 3 intervals", () => {
    expect(loadConfig({}).nodeTtlMs).toBe(50_000);
    expect(loadConfig({ OB_HEALTH_INTERVAL: "2s" }).nodeTtlMs).toBe(20_000);
    expect(loadConfig({ OB_NODE_TTL: "0" }).nodeTtlMs).toBe(0);
    expect(loadConfig({ OB_NODE_TTL: "2m" }).nodeTtlMs).toBe(120_000);
    expect(() => loadConfig({ OB_NODE_TTL: "15s" })).toThrow(ConfigError);
    expect(() => loadConfig({ OB_NODE_TTL: "15s" })).toThrow("OB_NODE_TTL");
    expect(() => loadConfig({ OB_NODE_TTL: "soon" })).toThrow("OB_NODE_TTL");
  });
});

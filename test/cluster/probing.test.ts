/**
 * Probing spread over the live nodes (issue 12 "Work done once per cluster", contract §7): three
 * compiled-binary nodes on one PostgreSQL database (one OB_DB_PREFIX) and 30 instances, each a real
 * loopback HTTP server with a health check path that records every probe and the node that sent it
 * (the probe's `X-1backend-Node` header). Each instance is probed by one node per interval — the
 * rendezvous owner among the three — not by three; after `kill -9` of one node its instances are
 * probed by their new owners among the other two once it is listed not alive (3 intervals after its
 * last heartbeat), and nobody else's instances move; a node stopped gracefully hands its share over
 * at the others' next heartbeat. Probes per instance per interval and the re-balance times are
 * printed. PostgreSQL only; build first (`./scripts/build.sh`).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Rendezvous } from "../../src/lib/rendezvous";
import { startBinary, type BinaryServer } from "../helpers/binary";
import { call } from "../helpers/call";
import { databaseEnv, onPostgres } from "../helpers/dialect";
import { tempDir, type TempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait";

const INTERVAL_MS = 500;
const INSTANCES = 30;
/** Cycles per measuring window. */
const WINDOW_INTERVALS = 6;
const NODE_IDS = ["node-a", "node-b", "node-c"];
const SHARE_CHANGED = '"msg":"probing share changed"';

interface Hit {
  node: string | null;
  at: number;
}

let root: TempDir;
let nodes: BinaryServer[] = [];
const upstreams: ReturnType<typeof Bun.serve>[] = [];
/** Probes received, by instance id. */
const hits = new Map<string, Hit[]>();
const instanceIds = Array.from({ length: INSTANCES }, (_, i) => `probe-inst-${i}`);

/** The live node ids of the last share change `node` logged (undefined before any). */
function lastShare(node: BinaryServer): string[] | undefined {
  const line = node.lines.findLast((l) => l.includes(SHARE_CHANGED));
  return line === undefined ? undefined : (JSON.parse(line).liveNodes as string[]);
}

/** The nodes that probed each instance in [from, to), and how often. */
function probesBetween(from: number, to: number): Map<string, { nodes: Set<string | null>; count: number }> {
  const out = new Map<string, { nodes: Set<string | null>; count: number }>();
  for (const id of instanceIds) {
    const inWindow = (hits.get(id) ?? []).filter((h) => h.at >= from && h.at < to);
    out.set(id, { nodes: new Set(inWindow.map((h) => h.node)), count: inWindow.length });
  }
  return out;
}

/** Waits until every instance was probed in the last two intervals, and only by its owner under `ring` (the shares have settled). */
async function settled(ring: Rendezvous): Promise<void> {
  await waitFor("only the owners probing", () => {
    const since = performance.now() - 2 * INTERVAL_MS;
    return instanceIds.every((id) => {
      const recent = hits.get(id)!.filter((h) => h.at > since);
      return recent.length > 0 && recent.every((h) => h.node === ring.ownerOf(id));
    });
  }, 10_000);
}

/** Waits one window and checks each instance was probed in it by exactly its owner under `ring`; answers probes per instance per interval. */
async function measureWindow(label: string, ring: Rendezvous): Promise<number> {
  const from = performance.now();
  await Bun.sleep(WINDOW_INTERVALS * INTERVAL_MS); // the thing measured is a rate over time
  const to = performance.now();
  const probes = probesBetween(from, to);
  const intervals = (to - from) / INTERVAL_MS;
  let total = 0;
  for (const id of instanceIds) {
    const { nodes: by, count } = probes.get(id)!;
    expect({ id, by: [...by] }).toEqual({ id, by: [ring.ownerOf(id)] });
    total += count;
  }
  const perInterval = total / INSTANCES / intervals;
  const byNode: Record<string, number> = {};
  for (const id of instanceIds) byNode[ring.ownerOf(id)] = (byNode[ring.ownerOf(id)] ?? 0) + 1;
  console.log(`${label}: ${total} probes of ${INSTANCES} instances in ${intervals.toFixed(1)} intervals = ${perInterval.toFixed(2)} per instance per interval; one node each, shares ${JSON.stringify(byNode)}`);
  return perInterval;
}

describe.skipIf(!onPostgres)("probing spread over three nodes on PostgreSQL", () => {
  beforeAll(async () => {
    root = tempDir();
    const env = { ...databaseEnv(root.path), OB_ADMIN_PASSWORD: "admin-pass-123", OB_HEALTH_INTERVAL: `${INTERVAL_MS}ms`, OB_HEALTH_TIMEOUT: "400ms", OB_LOG_LEVEL: "info" };
    const start = (i: number) => {
      const folder = join(root.path, NODE_IDS[i]!);
      mkdirSync(folder);
      return startBinary({ folder, env: { ...env, OB_NODE_ID: NODE_IDS[i]! } });
    };
    for (const id of instanceIds) {
      hits.set(id, []);
      upstreams.push(
        Bun.serve({
          port: 0,
          hostname: "127.0.0.1",
          fetch: (request) => {
            if (new URL(request.url).pathname === "/health") hits.get(id)!.push({ node: request.headers.get("x-1backend-node"), at: performance.now() });
            return new Response("ok");
          },
        }),
      );
    }
    nodes.push(await start(0));
    const [A] = nodes;
    expect((await call("POST", `${A!.url}/user-svc/register`, { appHost: "unnamed", slug: "probe-svc", password: "probe-svc-password" })).status).toBe(200);
    const login = await call("POST", `${A!.url}/user-svc/login`, { appHost: "unnamed", slug: "probe-svc", password: "probe-svc-password" });
    const token = login.body.token.token as string;
    // Registered before B and C start, so every node's table loads all of them.
    for (const [i, id] of instanceIds.entries()) {
      const body = { id, url: `http://127.0.0.1:${upstreams[i]!.port}`, healthCheckPath: "/health" };
      expect((await call("PUT", `${A!.url}/registry-svc/instance`, body, token)).status).toBe(201);
    }
    nodes.push(...(await Promise.all([start(1), start(2)])));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n[Symbol.asyncDispose]()));
    for (const upstream of upstreams) upstream.stop(true);
    await root?.[Symbol.asyncDispose]();
  }, 30_000);

  test("each instance is probed by one node per interval, not three; kill -9 one node and its instances move to the others, nobody else's; a graceful stop hands over sooner", async () => {
    const three = new Rendezvous(NODE_IDS);
    const owned = (ring: Rendezvous, node: string) => instanceIds.filter((id) => ring.ownerOf(id) === node);
    for (const node of NODE_IDS) expect(owned(three, node).length).toBeGreaterThan(0);

    // Every node shares with all three (each logs its share when its view of the live nodes changes).
    await waitFor("every node sharing with the three", () => nodes.every((n) => lastShare(n)?.length === 3), 10_000);
    await settled(three); // a cycle that began before the last share change probed the old share
    const before = await measureWindow("three nodes", three);
    expect(before).toBeLessThan(1.5); // every node probing every instance would be 3

    // kill -9 C: its row stops, and A and B take over its share once C is listed not alive.
    const [A, B, C] = nodes as [BinaryServer, BinaryServer, BinaryServer];
    const two = new Rendezvous(["node-a", "node-b"]);
    const moved = owned(three, "node-c");
    C.process.kill("SIGKILL");
    const killed = performance.now();
    await C.process.exited;
    await waitFor("C's instances probed by their new owners", () => moved.every((id) => hits.get(id)!.some((h) => h.at > killed && h.node === two.ownerOf(id))), 15_000);
    const firstProbes = moved.map((id) => hits.get(id)!.find((h) => h.at > killed && h.node === two.ownerOf(id))!.at - killed);
    const rebalanceMs = Math.max(...firstProbes);
    console.log(`kill -9 of node-c: its ${moved.length} instances probed by their new owners after ${Math.min(...firstProbes).toFixed(0)}–${rebalanceMs.toFixed(0)} ms (listed not alive after 3 intervals = ${3 * INTERVAL_MS} ms from its last heartbeat; heartbeat and probe cycles every ${INTERVAL_MS} ms)`);
    // At most one interval since C's last heartbeat, 3 intervals to be listed not alive, then up to one cycle; plus load slack.
    expect(rebalanceMs).toBeLessThan(5 * INTERVAL_MS + 2000);
    expect([lastShare(A), lastShare(B)]).toEqual([["node-a", "node-b"], ["node-a", "node-b"]]);

    // Nobody else's instances moved: A's and B's shares are what they were, plus C's.
    for (const id of instanceIds) if (three.ownerOf(id) !== "node-c") expect(two.ownerOf(id)).toBe(three.ownerOf(id));
    await settled(two);
    const after = await measureWindow("two nodes after kill -9", two);
    expect(after).toBeLessThan(1.5);

    // A graceful stop of B marks its row as left: A takes B's share at its next heartbeat, not 3 intervals later.
    const handed = owned(two, "node-b");
    const stopping = performance.now();
    expect(await B.stop()).toBe(0);
    const stopped = performance.now();
    await waitFor("B's instances probed by A", () => handed.every((id) => hits.get(id)!.some((h) => h.at > stopped && h.node === "node-a")), 10_000);
    const handOverMs = Math.max(...handed.map((id) => hits.get(id)!.find((h) => h.at > stopped && h.node === "node-a")!.at - stopped));
    console.log(`graceful stop of node-b (${(stopped - stopping).toFixed(0)} ms): its ${handed.length} instances probed by node-a within ${handOverMs.toFixed(0)} ms of the exit (next heartbeat, then the next cycle: at most 2 intervals = ${2 * INTERVAL_MS} ms)`);
    expect(handOverMs).toBeLessThan(2 * INTERVAL_MS + 1000);
  }, 60_000);
});

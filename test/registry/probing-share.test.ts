/**
 * Probing spread over the live nodes (issue 12, contract §7), with a fake clock and `runOnce()`: the
 * prober probes only the instances of this node's share (a registration here is still probed at
 * once), the sweeper judges silence only for them and counts it from when the share began, TTL
 * eviction covers every instance; the node service's share is rendezvous over the live nodes, from
 * the rows it read on its heartbeat, and re-judged as they age. Both dialects (the node rows are
 * stored; the share is switched on by `cluster`, as PostgreSQL does).
 */
import { describe, expect, test } from "bun:test";
import { Publisher } from "../../src/lib/events";
import { silentLogger } from "../../src/lib/log";
import { Rendezvous } from "../../src/lib/rendezvous";
import { InstanceTable, type InstanceRecord } from "../../src/modules/registry/instance-table";
import { NodeService, type InstanceShare } from "../../src/modules/registry/nodes";
import type { ProbeTarget } from "../../src/modules/registry/probe";
import { Prober } from "../../src/modules/registry/prober";
import type { RegistryEvent } from "../../src/modules/registry/routing";
import { RegistryStore } from "../../src/modules/registry/store";
import { Sweeper } from "../../src/modules/registry/sweeper";
import { FakeClock } from "../helpers/fake-clock";
import { waitFor } from "../helpers/wait";
import { registryHarness } from "./harness";

const SECOND = 1000;
const INTERVAL = 5 * SECOND;

function record(i: number, clock: FakeClock, lastHeartbeat: number | null = null): InstanceRecord {
  const host = `127.0.1.${i}`;
  return { id: `inst-${i}`, slug: "share", url: `http://${host}:80`, scheme: "http", host, port: 80, path: "", status: "Unknown", lastHeartbeat, createdAt: clock.now() };
}

/** A table of `count` instances and a share owning the even-numbered ones. */
function fixture(count: number, clock: FakeClock, lastHeartbeat: number | null = null) {
  const table = new InstanceTable(new Publisher<RegistryEvent>(silentLogger));
  for (let i = 0; i < count; i++) table.put(record(i, clock, lastHeartbeat));
  let share: InstanceShare = { node: "node-a", cluster: true, whole: false, since: clock.now(), owns: (id) => Number(id.slice(5)) % 2 === 0 };
  return { table, share: () => share, setShare: (next: InstanceShare) => (share = next) };
}

describe("the prober probes this node's share", () => {
  test("a cycle probes only the owned instances, naming this node; a registration here is probed at once whoever owns it", async () => {
    const clock = new FakeClock();
    const { table, share } = fixture(10, clock);
    const probed: ProbeTarget[] = [];
    const probe = async (target: ProbeTarget) => (probed.push(target), true);
    const prober = new Prober({ table, clock, log: silentLogger, intervalMs: 3_600_000, timeoutMs: 1000, degradedAfterMs: 500, concurrency: 4, probe, share });
    expect(await prober.runOnce()).toMatchObject({ probed: 5, healthy: 5 });
    expect(probed.map((t) => t.host)).toEqual([0, 2, 4, 6, 8].map((i) => `127.0.1.${i}`));
    expect(probed.every((t) => t.node === "node-a")).toBe(true);
    expect([...table.all()].map((r) => r.status)).toEqual(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? "Healthy" : "Unknown")));

    prober.start(); // its first cycle runs at once; then probeSoon works
    await waitFor("the first cycle", () => probed.length >= 10);
    prober.probeSoon("inst-3");
    await waitFor("the immediate probe", () => table.get("inst-3")?.status === "Healthy");
    await prober.stop();
  });

  test("without a share (one node) every instance is probed and no node is named", async () => {
    const clock = new FakeClock();
    const { table } = fixture(4, clock);
    const probed: ProbeTarget[] = [];
    const prober = new Prober({ table, clock, log: silentLogger, intervalMs: 3_600_000, timeoutMs: 1000, degradedAfterMs: 500, concurrency: 4, probe: async (t) => (probed.push(t), true) });
    expect(await prober.runOnce()).toMatchObject({ probed: 4 });
    expect(probed.map((t) => t.node)).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe("the sweeper judges silence where the view is fresh", () => {
  const options = { log: silentLogger, intervalMs: INTERVAL, unhealthyAfterMs: 15 * SECOND, instanceTtlMs: 600 * SECOND };

  test("silence marks only the owned instances, counted from when the share began; TTL evicts every instance", () => {
    const clock = new FakeClock();
    const seenAt = clock.now();
    const { table, share, setShare } = fixture(6, clock, seenAt);
    const sweeper = new Sweeper({ ...options, table, clock, share });
    clock.advance(15 * SECOND + 1);
    // Owned (even) ones are silent here; odd ones are another node's, whose probes keep its view fresh.
    expect(sweeper.runOnce()).toEqual({ markedUnreachable: 3, removed: 0 });
    expect([...table.all()].map((r) => r.status)).toEqual(["Unreachable", "Unknown", "Unreachable", "Unknown", "Unreachable", "Unknown"]);

    // A node left: the odd ones move here; they were judged elsewhere until now, so not yet silent here.
    setShare({ node: "node-a", cluster: true, whole: true, since: clock.now(), owns: () => true });
    clock.advance(15 * SECOND);
    expect(sweeper.runOnce()).toEqual({ markedUnreachable: 0, removed: 0 });
    clock.advance(1);
    expect(sweeper.runOnce()).toEqual({ markedUnreachable: 3, removed: 0 });

    // TTL eviction is the leader's, for every instance (its view of others' heartbeats lags less than the write interval).
    setShare({ node: "node-a", cluster: true, whole: false, since: clock.now(), owns: () => false });
    clock.set(seenAt + 600 * SECOND + 1);
    expect(sweeper.runOnce()).toEqual({ markedUnreachable: 0, removed: 6 });
  });

  test("a fresh heartbeat (a probe here) keeps an owned instance; no share means one node: everything judged, as always", () => {
    const clock = new FakeClock();
    const { table, share } = fixture(2, clock, clock.now());
    const sweeper = new Sweeper({ ...options, table, clock, share });
    clock.advance(15 * SECOND + 1);
    table.setHealth("inst-0", "Healthy", clock.now());
    expect(sweeper.runOnce()).toEqual({ markedUnreachable: 0, removed: 0 });
    const single = fixture(2, clock, clock.now() - 20 * SECOND);
    expect(new Sweeper({ ...options, table: single.table, clock }).runOnce()).toEqual({ markedUnreachable: 2, removed: 0 });
  });
});

describe("the node service's share: rendezvous over the live nodes", () => {
  const ids = Array.from({ length: 300 }, (_, i) => `inst-${i}`);

  test("two nodes on one database split the instances; a node that stops heartbeating stops owning 3 intervals after its last heartbeat", async () => {
    const clock = new FakeClock(Date.now());
    await using h = await registryHarness({ clock });
    await h.registry.nodes.delete("http://127.0.0.1:0"); // the harness's own node: not part of this cluster
    const node = (id: string, url: string) =>
      NodeService.create({ store: new RegistryStore(h.deps), clock, log: silentLogger, selfUrl: url, nodeId: id, region: "", availabilityZone: "", heartbeatIntervalMs: INTERVAL, cluster: true });
    const a = await node("node-a", "http://127.0.0.1:9501");
    const b = await node("node-b", "http://127.0.0.1:9502"); // reads A's row when it starts
    expect(b.share()).toMatchObject({ node: "node-b", cluster: true, whole: false, since: clock.now() });
    expect(a.share().whole).toBe(true); // A has not read B's row yet: everything is A's until its next heartbeat
    clock.advance(INTERVAL);
    await a.runOnce();
    await b.runOnce();
    const [shareA, shareB] = [a.share(), b.share()];
    const ring = new Rendezvous(["node-a", "node-b"]);
    expect(ids.filter((id) => shareA.owns(id))).toEqual(ids.filter((id) => ring.ownerOf(id) === "node-a"));
    expect(ids.every((id) => shareA.owns(id) !== shareB.owns(id))).toBe(true); // each instance has exactly one owner
    expect(ids.filter((id) => shareA.owns(id)).length).toBeGreaterThan(100);
    expect(a.share()).toBe(shareA); // unchanged live nodes: the same share, no new hashing state

    // B stops heartbeating. A keeps its heartbeat (and reads), and judges B by the row's age.
    const lastB = clock.now();
    clock.set(lastB + 3 * INTERVAL - 1);
    await a.runOnce();
    expect(a.share()).toBe(shareA);
    clock.set(lastB + 3 * INTERVAL);
    const alone = a.share(); // no read needed: the row read before has aged past 3 intervals
    expect(alone).toMatchObject({ node: "node-a", whole: true, since: clock.now() });
    expect(ids.every((id) => alone.owns(id))).toBe(true);

    // B comes back: A shares again at its next heartbeat, with the same split as before.
    await b.runOnce();
    clock.advance(1);
    await a.runOnce();
    expect(ids.filter((id) => a.share().owns(id))).toEqual(ids.filter((id) => shareA.owns(id)));
    expect(a.share().since).toBe(clock.now());
  });

  test("a node stopping gracefully is listed not alive at once: the others take over its share at their next heartbeat; one never started writes nothing", async () => {
    const clock = new FakeClock(Date.now());
    await using h = await registryHarness({ clock });
    await h.registry.nodes.delete("http://127.0.0.1:0");
    const store = new RegistryStore(h.deps);
    const options = { clock, log: silentLogger, region: "", availabilityZone: "", heartbeatIntervalMs: INTERVAL, cluster: true };
    const b = await NodeService.create({ ...options, store, selfUrl: "http://127.0.0.1:9502", nodeId: "node-b" });
    const idle = await NodeService.create({ ...options, store, selfUrl: "http://127.0.0.1:9503", nodeId: "node-c" });
    const a = await NodeService.create({ ...options, store, selfUrl: "http://127.0.0.1:9501", nodeId: "node-a" });
    expect(a.share().whole).toBe(false);
    await idle.stop(); // never started: its row stays as it was
    b.start();
    await b.stop();
    await a.runOnce();
    expect((await a.list([])).map((n) => [n.id, n.alive])).toEqual([["node-a", true], ["node-b", false], ["node-c", true]]);
    const share = a.share();
    expect(ids.filter((id) => share.owns(id))).toEqual(ids.filter((id) => new Rendezvous(["node-a", "node-c"]).ownerOf(id) === "node-a"));
  });

  test("a node that cannot read the rows expires the others in its view and probes everything", async () => {
    const clock = new FakeClock(Date.now());
    await using h = await registryHarness({ clock });
    await h.registry.nodes.delete("http://127.0.0.1:0");
    const store = new RegistryStore(h.deps);
    const options = { clock, log: silentLogger, region: "", availabilityZone: "", heartbeatIntervalMs: INTERVAL, cluster: true };
    await NodeService.create({ ...options, store, selfUrl: "http://127.0.0.1:9502", nodeId: "node-b" });
    const a = await NodeService.create({ ...options, store, selfUrl: "http://127.0.0.1:9501", nodeId: "node-a" });
    expect(a.share().whole).toBe(false);
    store.listNodes = async () => {
      throw new Error("db.unavailable");
    };
    clock.advance(3 * INTERVAL);
    await expect(a.runOnce()).rejects.toThrow("db.unavailable");
    expect(a.share().whole).toBe(true);
  });

  test("one node (cluster off, SQLite): the share is everything since forever, and no node rows are read for it", async () => {
    const clock = new FakeClock(Date.now());
    await using h = await registryHarness({ clock });
    const store = new RegistryStore(h.deps);
    let reads = 0;
    const list = store.listNodes.bind(store);
    store.listNodes = (ids) => (reads++, list(ids));
    const other = { clock, log: silentLogger, region: "", availabilityZone: "", heartbeatIntervalMs: INTERVAL };
    await NodeService.create({ ...other, store, selfUrl: "http://127.0.0.1:9502", nodeId: "node-b" });
    const single = await NodeService.create({ ...other, store, selfUrl: "http://127.0.0.1:9501", nodeId: "node-a" });
    await single.runOnce();
    expect(single.share()).toMatchObject({ node: "node-a", cluster: false, whole: true, since: -Infinity });
    expect(single.share().owns("anything")).toBe(true);
    expect(reads).toBe(0);
  });
});

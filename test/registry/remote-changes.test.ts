/**
 * Instances other nodes changed (cluster mode): the table applies stored rows as remote state
 * (indexed, replaced, removed, published, never queued for this node's committer; this node's
 * uncommitted changes win), the consumer reads them in order, and the store records every id it
 * writes in the change feed and reads rows back by id (on the run's dialect).
 */
import { describe, expect, test } from "bun:test";
import type { Db, PendingQuery } from "../../src/db/database";
import type { ChangeFeed } from "../../src/modules/cluster/feed";
import { FEED_TOPICS } from "../../src/modules/cluster/feed";
import { Publisher } from "../../src/lib/events";
import { silentLogger } from "../../src/lib/log";
import { InstanceTable, type InstanceRecord } from "../../src/modules/registry/instance-table";
import { RemoteInstanceChanges } from "../../src/modules/registry/remote-changes";
import type { RegistryEvent } from "../../src/modules/registry/routing";
import { RegistryStore } from "../../src/modules/registry/store";
import { registryHarness } from "./harness";

function row(id: string, fields: Partial<InstanceRecord> = {}): InstanceRecord {
  return { id, slug: "alpha", url: `http://127.0.0.1:${9000 + Number(id.replace(/\D/g, "") || 0)}`, scheme: "http", host: "127.0.0.1", port: 9000, path: "", status: "Healthy", lastHeartbeat: 1_000, createdAt: 1, ...fields };
}

/** A table whose events are collected as `type id status`. */
function tableWithEvents(options: { heartbeatWriteMs?: number } = {}) {
  const events: string[] = [];
  const publisher = new Publisher<RegistryEvent>(silentLogger);
  publisher.subscribe((e) => events.push(`${e.type} ${e.instance.id} ${e.instance.status}${e.type === "status" ? ` (was ${e.previous})` : ""}`));
  return { table: new InstanceTable(publisher, options), events };
}

const nothingQueued = { upserts: [], deletes: [], health: [] };
const queued = (table: InstanceTable) => {
  const { upserts, deletes, health } = table.takeChanges();
  return { upserts: upserts.map((r) => r.id), deletes, health: health.map((r) => r.id) };
};

describe("InstanceTable.applyStored: rows other nodes committed", () => {
  test("a new row is routed and published as registered; nothing is queued for this node's committer", () => {
    const { table, events } = tableWithEvents();
    expect(table.applyStored("i1", row("i1"))).toBe(true);
    expect(table.instancesOf("alpha")).toEqual([{ id: "i1", slug: "alpha", url: "http://127.0.0.1:9001", status: "Healthy" }]);
    expect(table.findByUrl("http://127.0.0.1:9001")?.id).toBe("i1");
    expect(events).toEqual(["registered i1 Healthy"]);
    expect(table.uncommitted("i1")).toBeUndefined();
    expect(queued(table)).toEqual(nothingQueued);
  });

  test("a changed registration replaces the record (URL index moved); a status change alone is a status event", () => {
    const { table, events } = tableWithEvents();
    table.load([row("i1")]);
    table.applyStored("i1", row("i1", { url: "http://127.0.0.1:9100", port: 9100, status: "Unknown" }));
    expect(table.findByUrl("http://127.0.0.1:9001")).toBeUndefined();
    expect(table.instancesOf("alpha")).toEqual([{ id: "i1", slug: "alpha", url: "http://127.0.0.1:9100", status: "Unknown" }]);
    table.applyStored("i1", row("i1", { url: "http://127.0.0.1:9100", port: 9100, status: "Unreachable" }));
    table.applyStored("i1", row("i1", { url: "http://127.0.0.1:9100", port: 9100, status: "Unreachable" })); // the same row again: nothing
    expect(table.instancesOf("alpha")[0]!.status).toBe("Unreachable");
    expect(events).toEqual(["registered i1 Unknown", "status i1 Unknown (was Healthy)", "status i1 Unreachable (was Unknown)"]);
    expect(queued(table)).toEqual(nothingQueued);
  });

  test("a row that changes only the region replaces the record and is published as registered", () => {
    const { table, events } = tableWithEvents();
    table.load([row("i1")]);
    expect(table.applyStored("i1", row("i1", { region: "eu-west-1" }))).toBe(true);
    expect(table.get("i1")!.region).toBe("eu-west-1");
    expect(events).toEqual(["registered i1 Healthy"]);
    expect(queued(table)).toEqual(nothingQueued);
  });

  test("a row that is gone removes the instance and publishes removed; an unknown id without a row does nothing", () => {
    const { table, events } = tableWithEvents();
    table.load([row("i1"), row("i2")]);
    table.applyStored("i1", undefined);
    table.applyStored("i9", undefined);
    expect(table.get("i1")).toBeUndefined();
    expect(table.instancesOf("alpha").map((r) => r.id)).toEqual(["i2"]);
    expect(events).toEqual(["removed i1 Healthy"]);
    expect(queued(table)).toEqual(nothingQueued);
  });

  test("a stale row (older heartbeat) keeps memory's newer heartbeat; the stored one counts as written", () => {
    const { table } = tableWithEvents({ heartbeatWriteMs: 5_000 });
    table.load([row("i1", { lastHeartbeat: 1_000 })]);
    table.setHealth("i1", "Healthy", 4_000); // held back: within the write interval of the stored 1,000
    table.applyStored("i1", row("i1", { lastHeartbeat: 2_000 }));
    expect(table.get("i1")!.lastHeartbeat).toBe(4_000);
    // Another node wrote 6,000: this node's heartbeat of 9,000 is within the interval of it, so not written.
    table.applyStored("i1", row("i1", { lastHeartbeat: 6_000 }));
    expect(table.get("i1")!.lastHeartbeat).toBe(6_000);
    table.setHealth("i1", "Healthy", 9_000);
    expect(queued(table)).toEqual(nothingQueued);
    table.setHealth("i1", "Healthy", 11_000);
    expect(queued(table)).toEqual({ ...nothingQueued, health: ["i1"] });
  });

  test("this node's uncommitted registration or removal wins over the row; its commit writes over it", () => {
    const { table, events } = tableWithEvents();
    table.load([row("i1"), row("i2")]);
    table.put(row("i1", { deploymentId: "mine" }));
    table.remove("i2", "removed");
    events.length = 0;
    expect(table.applyStored("i1", row("i1", { deploymentId: "theirs" }))).toBe(false);
    expect(table.applyStored("i2", row("i2"))).toBe(false);
    const changes = table.takeChanges(); // being written: still this node's
    expect(table.applyStored("i1", undefined)).toBe(false);
    expect(table.get("i1")!.deploymentId).toBe("mine");
    expect(table.get("i2")).toBeUndefined();
    table.committed(changes);
    expect(table.applyStored("i1", row("i1", { deploymentId: "theirs" }))).toBe(true); // committed: the stored row is the truth
    expect(table.get("i1")!.deploymentId).toBe("theirs");
    expect(events).toEqual(["registered i1 Healthy"]);
  });

  test("this node's unwritten status change is kept (pending or being written); a heartbeat alone is not", () => {
    const { table, events } = tableWithEvents();
    table.load([row("i1"), row("i2")]);
    table.setHealth("i1", "Unreachable"); // a local connect failure, not written yet
    table.applyStored("i1", row("i1", { status: "Healthy", lastHeartbeat: 3_000 }));
    expect(table.get("i1")).toMatchObject({ status: "Unreachable", lastHeartbeat: 3_000 });
    const changes = table.takeChanges();
    table.applyStored("i1", row("i1", { status: "Degraded" }));
    expect(table.get("i1")!.status).toBe("Unreachable");
    table.committed(changes);
    table.applyStored("i1", row("i1", { status: "Degraded" }));
    expect(table.get("i1")!.status).toBe("Degraded");
    table.setHealth("i2", "Healthy", 2_000); // a heartbeat alone
    table.applyStored("i2", row("i2", { status: "Unreachable" }));
    expect(table.get("i2")).toMatchObject({ status: "Unreachable", lastHeartbeat: 2_000 });
    expect(events).toEqual(["status i1 Unreachable (was Healthy)", "status i1 Degraded (was Unreachable)", "status i2 Unreachable (was Healthy)"]);
  });

  test("a rolled-back commit returns the ids it put back (to be read again)", () => {
    const { table } = tableWithEvents();
    table.load([row("i1")]);
    table.put(row("i2"));
    const changes = table.takeChanges();
    table.remove("i1", "removed");
    expect(table.rollBack(changes).sort()).toEqual(["i1", "i2"]);
  });

  test("onChangeQueued is told status changes, registrations and removals, never heartbeats alone or remote rows", () => {
    let told = 0;
    const table = new InstanceTable(new Publisher<RegistryEvent>(silentLogger), { heartbeatWriteMs: 0, onChangeQueued: () => told++ });
    table.load([row("i1")]);
    table.setHealth("i1", "Healthy", 5_000);
    table.applyStored("i1", row("i1", { status: "Degraded" }));
    table.applyStored("i3", row("i3"));
    expect(told).toBe(0);
    table.setHealth("i1", "Unreachable");
    table.put(row("i2"));
    table.remove("i2", "removed");
    expect(told).toBe(3);
  });
});

/** A store whose reads are answered by the test, in any order it likes. */
function scriptedStore() {
  const stored = new Map<string, InstanceRecord>();
  const reads: { ids: string[]; answer: () => void; fail: (err: Error) => void }[] = [];
  const store = {
    findInstances: (ids: readonly string[]) =>
      new Promise<InstanceRecord[]>((resolve, reject) => {
        // The rows as stored when the read began (it sees what committed before it), answered when the test says.
        const seen = ids.flatMap((id) => (stored.has(id) ? [{ ...stored.get(id)! }] : []));
        reads.push({ ids: [...ids], answer: () => resolve(seen), fail: reject });
      }),
    loadInstances: async () => [...stored.values()].map((r) => ({ ...r })),
  };
  return { stored, reads, store };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("RemoteInstanceChanges: reads in order", () => {
  test("one read at a time: ids arriving meanwhile wait for the next read, which ends at the newest row", async () => {
    const { table } = tableWithEvents();
    const { stored, reads, store } = scriptedStore();
    const remote = new RemoteInstanceChanges({ table, store, settled: async () => {}, log: silentLogger });
    stored.set("i1", row("i1", { deploymentId: "v1" }));
    remote.changed(["i1"]);
    await turn();
    stored.set("i1", row("i1", { deploymentId: "v2" }));
    remote.changed(["i1", "i2"]);
    remote.changed(["i1"]);
    await turn();
    expect(reads.length).toBe(1); // the second waits for the first
    reads[0]!.answer();
    await turn();
    expect(table.get("i1")!.deploymentId).toBe("v1");
    expect(reads.map((r) => r.ids)).toEqual([["i1"], ["i1", "i2"]]);
    reads[1]!.answer();
    await remote.drain();
    expect(table.get("i1")!.deploymentId).toBe("v2");
    expect(table.get("i2")).toBeUndefined();
  });

  test("a read starts only once this node's commit in flight is over", async () => {
    const { table } = tableWithEvents();
    const { stored, reads, store } = scriptedStore();
    const commit = Promise.withResolvers<void>();
    const remote = new RemoteInstanceChanges({ table, store, settled: () => commit.promise, log: silentLogger });
    stored.set("i1", row("i1"));
    remote.changed(["i1"]);
    await turn();
    expect(reads.length).toBe(0);
    commit.resolve();
    await turn();
    reads[0]!.answer();
    await remote.drain();
    expect(table.get("i1")?.id).toBe("i1");
  });

  test("a failed read keeps its ids for the next one", async () => {
    const { table } = tableWithEvents();
    const { stored, reads, store } = scriptedStore();
    const remote = new RemoteInstanceChanges({ table, store, settled: async () => {}, log: silentLogger });
    stored.set("i1", row("i1"));
    remote.changed(["i1"]);
    await turn();
    reads[0]!.fail(new Error("database unavailable"));
    await remote.drain();
    expect(table.get("i1")).toBeUndefined();
    const again = remote.drain();
    await turn();
    reads[1]!.answer();
    await again;
    expect(reads[1]!.ids).toEqual(["i1"]);
    expect(table.get("i1")?.id).toBe("i1");
    await remote.stop();
  });

  test("resync reads every stored row: what is missing here is added, what is not stored is removed", async () => {
    const { table, events } = tableWithEvents();
    const { stored, store } = scriptedStore();
    table.load([row("i1"), row("i2")]);
    stored.set("i2", row("i2", { status: "Degraded" }));
    stored.set("i3", row("i3"));
    await new RemoteInstanceChanges({ table, store, settled: async () => {}, log: silentLogger }).resync();
    expect([...table.all()].map((r) => `${r.id} ${r.status}`).sort()).toEqual(["i2 Degraded", "i3 Healthy"]);
    expect(events.sort()).toEqual(["registered i3 Healthy", "removed i1 Healthy", "status i2 Degraded (was Healthy)"]);
  });
});

describe("RegistryStore and the change feed", () => {
  test("every id a commit writes (upserts, deletes, health rows) is recorded in that commit's batch; rows are read back by id", async () => {
    await using h = await registryHarness();
    const recorded: { topic: string; keys: string[] }[] = [];
    const feed: ChangeFeed = {
      record: (_db: Db, topic: string, keys: readonly string[]): readonly PendingQuery[] => {
        recorded.push({ topic, keys: [...keys] });
        return [];
      },
      subscribe: () => undefined,
      start: async () => undefined,
      stop: async () => undefined,
    };
    const store = new RegistryStore({ database: h.deps.database, feed });
    const { table } = tableWithEvents();
    const many = Array.from({ length: 1_100 }, (_, i) => row(`i${i + 1}`));
    for (const r of many) table.put(r);
    let changes = table.takeChanges();
    await store.writeChanges(changes);
    table.committed(changes);
    expect(recorded).toEqual([{ topic: FEED_TOPICS.instanceChanged, keys: many.map((r) => r.id) }]);
    recorded.length = 0;
    table.remove("i1", "removed");
    table.put(row("i2", { deploymentId: "changed", region: "eu-west-1" }));
    table.setHealth("i3", "Unreachable");
    changes = table.takeChanges();
    await store.writeChanges(changes);
    expect(recorded).toEqual([{ topic: FEED_TOPICS.instanceChanged, keys: ["i1", "i2", "i3"] }]);
    const found = await store.findInstances([...many.map((r) => r.id), "nowhere"]); // two chunks of ids
    expect(found.length).toBe(1_099);
    const byId = new Map(found.map((r) => [r.id, r]));
    expect(byId.has("i1")).toBe(false);
    expect(byId.get("i2")).toEqual(row("i2", { deploymentId: "changed", region: "eu-west-1" }));
    expect(byId.get("i3")).not.toHaveProperty("region"); // a NULL column is an absent field
    expect(byId.get("i3")!.status).toBe("Unreachable");
  }, 30_000); // a fresh database and 1,100 rows on a loaded shared machine
});

/**
 * Registry persistence: durable acknowledgements (a 2xx registration or removal is committed), group
 * commit, rollback of a failed commit, write-behind of health, restarts. What is stored is read
 * through a second handle on the same database, as another process would after a crash: it sees only
 * what was committed, never the server's memory. The one test marked "(SQLite file: …)" fails writes with
 * a trigger made through the raw file; it is SQLite-only and skipped on the PostgreSQL run.
 */
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, spyOn, test } from "bun:test";
import { join } from "node:path";
import type { OpenedDatabase } from "../../src/db/client";
import { openConfiguredDatabase } from "../../src/db/open";
import { silentLogger } from "../../src/lib/log";
import type { RegistryEvent } from "../../src/modules/registry/routing";
import type { RegistryStore } from "../../src/modules/registry/store";
import { onPostgres } from "../helpers/dialect";
import { FakeClock } from "../helpers/fake-clock";
import { tempDir } from "../helpers/temp-dir";
import { registryHarness, type RegistryHarness } from "./harness";
import { list, register } from "./instances";

/** Second handles opened by {@link storedRows}, one per harness, closed after each test. */
const readers = new Map<RegistryHarness, Promise<OpenedDatabase>>();
afterEach(async () => {
  for (const reader of readers.values()) await (await reader).close();
  readers.clear();
});

/** The committed instance rows by id, read through a second handle on the harness's database (either dialect). */
async function storedRows(h: RegistryHarness): Promise<Record<string, { url: string; slug: string; deploymentId: string | null; region: string | null; status: string }>> {
  if (!readers.has(h)) readers.set(h, openConfiguredDatabase(h.deps.config, silentLogger));
  const { db, tables } = (await readers.get(h)!).database;
  const t = tables.registryInstances;
  const rows = await db.select({ id: t.id, url: t.url, slug: t.slug, deploymentId: t.deploymentId, region: t.region, status: t.status }).from(t).orderBy(t.id);
  return Object.fromEntries(rows.map(({ id, ...row }) => [id, row]));
}

/** Lets event-loop turns pass until `done()` (at most `max` turns; no clock involved). */
async function turnsUntil(done: () => boolean, max = 1000): Promise<void> {
  for (let i = 0; i < max && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
}

const put = (h: RegistryHarness, token: string, body: Record<string, unknown>) => h.json("PUT", "/registry-svc/instance", { token, body });
const del = (h: RegistryHarness, token: string, id: string) => h.json("DELETE", `/registry-svc/instance/${id}`, { token });

/** Makes every write of instance rows fail inside SQLite (the transaction aborts); returns the undo (SQLite only). */
function breakInstanceWrites(h: RegistryHarness): () => void {
  const file = new Database(join(h.folder, "1backend.db"));
  const ops = ["insert", "update", "delete"];
  for (const op of ops) file.run(`CREATE TRIGGER fail_${op} BEFORE ${op.toUpperCase()} ON registry_instances BEGIN SELECT RAISE(ABORT, 'disk failed'); END`);
  return () => {
    for (const op of ops) file.run(`DROP TRIGGER fail_${op}`);
    file.close();
  };
}

describe("durable acknowledgements (contract §4)", () => {
  test("a 2xx registration, re-registration and removal are in the database file when the answer arrives", async () => {
    await using h = await registryHarness();
    expect((await put(h, "alpha", { url: "http://127.0.0.1:9311", id: "one" })).status).toBe(201);
    expect(await storedRows(h)).toEqual({ one: { url: "http://127.0.0.1:9311", slug: "alpha-svc", deploymentId: null, region: null, status: "Unknown" } });
    expect((await put(h, "alpha", { url: "http://127.0.0.1:9311", id: "one", deploymentId: "depl-2" })).status).toBe(201);
    expect((await storedRows(h)).one).toMatchObject({ deploymentId: "depl-2" });
    expect((await put(h, "admin", { url: "http://127.0.0.1:9311" })).status).toBe(201); // an admin takes it over
    expect((await storedRows(h)).one).toMatchObject({ slug: "1backend" });
    expect((await del(h, "admin", "one")).status).toBe(204);
    expect(await storedRows(h)).toEqual({});
  });

  test("concurrent registrations share commits (group commit) and every one is stored when answered", async () => {
    await using h = await registryHarness();
    const commits = spyOn(h.registry.flusher, "runOnce");
    const answers = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const r = await put(h, "alpha", { url: `http://127.0.0.1:${10_000 + i}`, id: `i${i}` });
        return { status: r.status, stored: `i${i}` in (await storedRows(h)) };
      }),
    );
    expect(answers).toEqual(Array.from({ length: 50 }, () => ({ status: 201, stored: true })));
    const rows = await Promise.all(commits.mock.results.map((r) => r.value as Promise<number>));
    const writing = rows.filter((n) => n > 0).length;
    expect(writing).toBeGreaterThanOrEqual(1);
    expect(writing).toBeLessThanOrEqual(10);
  });

  test("an interval flush landing between a registration and its scheduled commit answers it, stored", async () => {
    await using h = await registryHarness();
    const flusher = h.registry.flusher;
    const whenCommitted = flusher.whenCommitted.bind(flusher);
    const flushes: Promise<{ rows: number; answer: string }>[] = [];
    spyOn(flusher, "whenCommitted").mockImplementation((id) => {
      const committed = whenCommitted(id);
      // The 1 s flush wins the race: it starts before the scheduled commit and takes the registration.
      if (committed) flushes.push(flusher.runOnce().then((rows) => ({ rows, answer: Bun.peek.status(committed) })));
      return committed;
    });
    expect((await put(h, "alpha", { url: "http://127.0.0.1:9311", id: "raced" })).status).toBe(201);
    expect(await Promise.all(flushes)).toEqual([{ rows: 1, answer: "fulfilled" }]); // settled by that flush, not left to the scheduled commit
    expect(Object.keys(await storedRows(h))).toEqual(["raced"]);
  });

  test("changes made while a commit is written wait for the next one, which carries them all", async () => {
    await using h = await registryHarness();
    const store = (h.registry.flusher as unknown as { o: { store: RegistryStore } }).o.store;
    const write = store.writeChanges.bind(store);
    const held = Promise.withResolvers<void>();
    const started = Promise.withResolvers<void>();
    const written: number[] = [];
    spyOn(store, "writeChanges").mockImplementation(async (changes) => {
      written.push(changes.upserts.length);
      if (written.length === 1) {
        started.resolve();
        await held.promise; // the first commit stays in flight
      }
      return write(changes);
    });
    const first = put(h, "alpha", { url: "http://127.0.0.1:9311", id: "first" });
    await started.promise;
    const later = Array.from({ length: 5 }, (_, i) => put(h, "alpha", { url: `http://127.0.0.1:${9400 + i}`, id: `later${i}` }));
    const ids = ["later0", "later1", "later2", "later3", "later4"];
    await turnsUntil(() => ids.every((id) => h.registry.table.uncommitted(id) === "pending"));
    await turnsUntil(() => false, 3); // their commit is due by now, but waits for the one in flight
    expect(written).toEqual([1]);
    expect(Object.keys(await storedRows(h))).toEqual([]);
    held.resolve();
    expect((await first).status).toBe(201);
    expect((await Promise.all(later)).map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(written).toEqual([1, 5]);
    expect(Object.keys(await storedRows(h)).sort()).toEqual(["first", "later0", "later1", "later2", "later3", "later4"]);
  });

  test("a commit that fails while later changes wait refuses them all with 503 and leaves memory as stored", async () => {
    await using h = await registryHarness();
    await register(h, "alpha", { url: "http://127.0.0.1:9311", id: "kept", deploymentId: "depl-1" });
    const store = (h.registry.flusher as unknown as { o: { store: RegistryStore } }).o.store;
    const write = store.writeChanges.bind(store);
    const held = Promise.withResolvers<void>();
    const started = Promise.withResolvers<void>();
    let calls = 0;
    spyOn(store, "writeChanges").mockImplementation(async (changes) => {
      if (++calls > 1) return write(changes); // only the first commit fails
      started.resolve();
      await held.promise;
      throw new Error("disk failed");
    });
    const inFlight = put(h, "alpha", { url: "http://127.0.0.1:9400", id: "in-flight" });
    await started.promise;
    // Made while the failing commit is written: pending for the next one.
    const added = put(h, "alpha", { url: "http://127.0.0.1:9401", id: "added" });
    const changed = put(h, "alpha", { url: "http://127.0.0.1:9311", deploymentId: "depl-2" });
    const inFlightHeartbeat = put(h, "alpha", { url: "http://127.0.0.1:9400" });
    await turnsUntil(() => h.registry.table.uncommitted("added") === "pending" && h.registry.table.get("kept")?.deploymentId === "depl-2");
    held.resolve();
    const answers = await Promise.all([inFlight, added, changed, inFlightHeartbeat]);
    expect(answers.map((r) => [r.status, r.body.code])).toEqual(Array.from({ length: 4 }, () => [503, "registry.not_persisted"]));
    const asStored = [expect.objectContaining({ id: "kept", url: "http://127.0.0.1:9311", deploymentId: "depl-1" })];
    expect(await list(h)).toEqual(asStored);
    expect(h.registry.routing.instancesOf("alpha-svc").map((i) => i.id)).toEqual(["kept"]);
    expect((await put(h, "alpha", { url: "http://127.0.0.1:9401", id: "later" })).status).toBe(201);
    expect(Object.keys(await storedRows(h)).sort()).toEqual(["kept", "later"]);
  });

  test("a health observation still in flight when the instance is removed does not bring it back", async () => {
    await using dir = tempDir();
    let release!: (alive: boolean) => void;
    const probing = new Promise<boolean>((resolve) => (release = resolve));
    await using h = await registryHarness({ folder: dir.path, probe: () => probing });
    await register(h, "alpha", { url: "http://127.0.0.1:9311", id: "gone" });
    await h.registry.flusher.runOnce();
    expect(Object.keys(await storedRows(h))).toEqual(["gone"]);
    const cycle = h.registry.prober.runOnce(); // its probe answers only after the removal
    expect((await del(h, "alpha", "gone")).status).toBe(204);
    expect(await storedRows(h)).toEqual({});
    release(true);
    await cycle;
    await h.registry.flusher.runOnce();
    expect(await storedRows(h)).toEqual({});
    await h.close();
    await using again = await registryHarness({ folder: dir.path });
    expect(await list(again)).toEqual([]);
  });

  test("a pending write-behind status change of a removed instance is dropped, and the sweeper's expiry is committed", async () => {
    const clock = new FakeClock();
    await using h = await registryHarness({ clock, probe: async () => true, env: { OB_INSTANCE_TTL: "10m" } });
    await register(h, "alpha", { url: "http://127.0.0.1:9311", id: "removed" });
    await register(h, "alpha", { url: "http://127.0.0.1:9312", id: "expires" });
    await h.registry.prober.runOnce(); // Unknown → Healthy for both: write-behind, still pending
    expect(Object.values(await storedRows(h)).map((r) => r.status)).toEqual(["Unknown", "Unknown"]);
    expect((await del(h, "alpha", "removed")).status).toBe(204);
    expect(await storedRows(h)).toEqual({ expires: expect.objectContaining({ status: "Healthy" }) });
    clock.advance(11 * 60_000);
    expect(h.registry.sweeper.runOnce()).toEqual({ markedUnreachable: 0, removed: 1 });
    await h.registry.flusher.runOnce();
    expect(await storedRows(h)).toEqual({});
  });

  test.skipIf(onPostgres)("a failed commit answers 503 registry.not_persisted and leaves memory as stored (SQLite file: a trigger fails the writes)", async () => {
    await using h = await registryHarness();
    const events: RegistryEvent["type"][] = [];
    h.registry.routing.subscribe!((e) => events.push(e.type));
    await register(h, "alpha", { url: "http://127.0.0.1:9311", id: "kept", deploymentId: "depl-1" });
    const repair = breakInstanceWrites(h);

    // New, racing its own owner's heartbeat (which must not be acknowledged for a row never stored).
    const [added, heartbeat] = await Promise.all([put(h, "alpha", { url: "http://127.0.0.1:9400" }), put(h, "alpha", { url: "http://127.0.0.1:9400" })]);
    for (const r of [added, heartbeat]) {
      expect({ status: r.status, body: r.body, retryAfter: r.headers.get("retry-after") }).toEqual({
        status: 503,
        body: { error: expect.any(String), code: "registry.not_persisted" },
        retryAfter: "1",
      });
    }
    expect(JSON.stringify(added.body)).not.toContain("disk failed"); // the cause is logged, not sent
    // Changed and removed: both keep what is stored.
    expect((await put(h, "alpha", { url: "http://127.0.0.1:9311", deploymentId: "depl-2" })).status).toBe(503);
    expect((await del(h, "alpha", "kept")).status).toBe(503);
    const asStored = [expect.objectContaining({ id: "kept", url: "http://127.0.0.1:9311", deploymentId: "depl-1" })];
    expect(await list(h)).toEqual(asStored);
    expect(h.registry.routing.instancesOf("alpha-svc").map((i) => i.id)).toEqual(["kept"]);
    expect(events).toEqual(["registered", "registered", "removed", "registered", "registered", "removed", "registered"]);

    repair();
    expect((await del(h, "alpha", "kept")).status).toBe(204);
    expect((await put(h, "alpha", { url: "http://127.0.0.1:9400", id: "later" })).status).toBe(201);
    expect(Object.keys(await storedRows(h))).toEqual(["later"]);
  });
});

describe("write-behind persistence of health", () => {
  test("a registration is committed at once; its hundred heartbeats are one write-behind row in one flush", async () => {
    await using h = await registryHarness();
    for (let i = 0; i < 100; i++) await register(h, "alpha", "http://127.0.0.1:9311");
    expect((await list(h)).length).toBe(1);
    expect(await h.registry.flusher.runOnce()).toBe(1); // the first heartbeat
    expect(await h.registry.flusher.runOnce()).toBe(0);
  });

  test("heartbeat-only changes are written at most once a minute per instance; status changes at once", async () => {
    const clock = new FakeClock();
    let alive = true;
    await using h = await registryHarness({ clock, probe: async () => alive });
    await register(h, "alpha", "http://127.0.0.1:9311");
    await h.registry.prober.runOnce(); // Unknown → Healthy
    expect(await h.registry.flusher.runOnce()).toBe(1);
    clock.advance(30_000);
    await h.registry.prober.runOnce(); // heartbeat only
    expect(await h.registry.flusher.runOnce()).toBe(0);
    clock.advance(30_000);
    await h.registry.prober.runOnce(); // a minute since the last written heartbeat
    expect(await h.registry.flusher.runOnce()).toBe(1);
    alive = false;
    await h.registry.prober.runOnce(); // Healthy → Unreachable
    expect(await h.registry.flusher.runOnce()).toBe(1);
  });

  test("an owner's unchanged re-registration is a heartbeat: no 'registered' event, written at most once a minute", async () => {
    const clock = new FakeClock();
    await using h = await registryHarness({ clock });
    const events: RegistryEvent[] = [];
    h.registry.routing.subscribe!((e) => events.push(e));
    const heartbeat = async (body: Record<string, unknown> = {}) => {
      await register(h, "alpha", { url: "http://127.0.0.1:9311", ...body });
      return await h.registry.flusher.runOnce();
    };
    expect(await heartbeat()).toBe(0); // new: committed before the answer, nothing left for the flush
    clock.advance(30_000);
    expect(await heartbeat()).toBe(1); // its first heartbeat
    clock.advance(30_000);
    expect(await heartbeat()).toBe(0); // 30 s after the written one
    clock.advance(30_000);
    expect(await heartbeat()).toBe(1); // a minute after it
    expect(await heartbeat({ deploymentId: "depl-2" })).toBe(0); // a changed registration: committed before the answer
    expect(events.map((e) => e.type)).toEqual(["registered", "registered"]);
    expect((await list(h))[0]).toMatchObject({ deploymentId: "depl-2", lastHeartbeat: new Date(clock.now()).toISOString() });
  });

  test("a re-registration that changes only the region is stored before the answer and published as registered", async () => {
    const clock = new FakeClock();
    await using h = await registryHarness({ clock });
    const events: RegistryEvent[] = [];
    h.registry.routing.subscribe!((e) => events.push(e));
    await register(h, "alpha", { url: "http://127.0.0.1:9311", id: "i1" });
    expect((await storedRows(h)).i1!.region).toBeNull();
    clock.advance(1_000);
    await register(h, "alpha", { url: "http://127.0.0.1:9311", id: "i1", region: "eu-west-1" });
    expect((await storedRows(h)).i1!.region).toBe("eu-west-1"); // committed before the answer, not write-behind
    expect(events.map((e) => e.type)).toEqual(["registered", "registered"]);
    clock.advance(1_000);
    await register(h, "alpha", { url: "http://127.0.0.1:9311", id: "i1", region: "eu-west-1" }); // unchanged: a heartbeat
    expect(events.map((e) => e.type)).toEqual(["registered", "registered"]);
    expect((await list(h))[0]).toMatchObject({ id: "i1", region: "eu-west-1" });
  });

  test("instances, statuses, heartbeats and removals survive a restart on the same folder", async () => {
    await using dir = tempDir();
    const clock = new FakeClock();
    await using first = await registryHarness({ folder: dir.path, clock, probe: async () => true });
    await register(first, "alpha", { url: "http://127.0.0.1:9311", id: "keep", deploymentId: "depl-1", healthCheckPath: "/hz", region: "eu-west-1" });
    await register(first, "beta", { url: "https://[::1]:8443/api", id: "keep-too" });
    await register(first, "alpha", { url: "http://127.0.0.1:9312", id: "drop" });
    await first.registry.prober.runOnce();
    expect((await first.json("DELETE", "/registry-svc/instance/drop", { token: "alpha" })).status).toBe(204);
    const before = await list(first);
    await first.close(); // stop() flushes what is pending

    await using second = await registryHarness({ folder: dir.path, clock });
    expect(await list(second)).toEqual(before);
    expect(before.map((i) => [i.id, i.status, i.region])).toEqual([
      ["keep", "Healthy", "eu-west-1"],
      ["keep-too", "Healthy", undefined],
    ]);
    expect(second.registry.routing.instancesOf("beta-svc")).toEqual([{ id: "keep-too", slug: "beta-svc", url: "https://[::1]:8443/api", status: "Healthy" }]);
    // Ownership survives too: another slug still gets 409.
    expect((await second.json("PUT", "/registry-svc/instance", { token: "beta", body: { url: "http://127.0.0.1:9311" } })).status).toBe(409);
  });

  test("the node keeps its id across restarts; OB_NODE_ID, OB_REGION and OB_AZ are reported", async () => {
    await using dir = tempDir();
    await using first = await registryHarness({ folder: dir.path });
    const id = (await first.json("GET", "/registry-svc/node/self", { token: "admin" })).body.node.id;
    await first.close();
    await using second = await registryHarness({ folder: dir.path });
    expect((await second.json("GET", "/registry-svc/node/self", { token: "admin" })).body.node.id).toBe(id);
    await second.close();
    await using third = await registryHarness({ folder: dir.path, env: { OB_NODE_ID: "node-abc", OB_REGION: "eu-west", OB_AZ: "eu-west-1a" } });
    const nodes = (await third.json("POST", "/registry-svc/nodes", { token: "admin", body: {} })).body.nodes;
    expect(nodes).toEqual([expect.objectContaining({ id: "node-abc", url: "http://127.0.0.1:0", region: "eu-west", availabilityZone: "eu-west-1a" })]);
  });
});

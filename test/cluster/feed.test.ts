/**
 * The change feed (src/modules/cluster): on PostgreSQL two feeds on one database (two nodes in one
 * process) — a change recorded in a batch reaches the other node by NOTIFY and never the writer, a
 * rolled-back batch reaches nobody, a change whose notification is lost is read by the fallback poll,
 * a change that commits after a later one (its id is lower) is still delivered, and old rows are
 * trimmed. On SQLite the feed records nothing: a revocation writes no feed row.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { count } from "drizzle-orm";
import { openConfiguredDatabase } from "../../src/db/open";
import type { OpenedDatabase } from "../../src/db/client";
import { silentLogger } from "../../src/lib/log";
import { PostgresFeed } from "../../src/modules/cluster/postgres-feed";
import { singleNodeFeed } from "../../src/modules/cluster/feed";
import { testApp } from "../helpers/app";
import { testConfig } from "../helpers/config";
import { onPostgres, tablePrefix } from "../helpers/dialect";
import { FakeClock } from "../helpers/fake-clock";
import { tempDir, type TempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait";
import { register } from "../user/helpers";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Two nodes' database handles and feeds on one (migrated) prefix; `listen: false` gives a node that is never notified. */
async function twoNodes(options: { listenB?: boolean; clock?: FakeClock } = {}) {
  const dir: TempDir = tempDir();
  cleanups.push(() => dir[Symbol.asyncDispose]());
  const config = testConfig(dir.path);
  const open = async () => {
    const opened = await openConfiguredDatabase(config, silentLogger);
    cleanups.push(() => opened.close());
    return opened;
  };
  const a = await open();
  await a.migrate();
  const b = await open();
  const feedOf = (opened: OpenedDatabase, listen = true) => {
    const feed = new PostgresFeed({
      database: opened.database,
      listen: listen ? opened.listen! : async () => ({ unlisten: async () => undefined }),
      prefix: config.dbPrefix,
      clock: options.clock ?? { now: () => Date.now() },
      log: silentLogger,
      pollMs: 60_000, // tests drive the poll with runOnce()
    });
    cleanups.push(() => feed.stop());
    return feed;
  };
  const feedA = feedOf(a);
  const feedB = feedOf(b, options.listenB ?? true);
  const seenA: string[] = [];
  const seenB: string[] = [];
  feedA.subscribe("t", (keys) => seenA.push(...keys));
  feedB.subscribe("t", (keys) => seenB.push(...keys));
  await feedA.start();
  await feedB.start();
  const record = (keys: string[]) => a.database.batch((db) => [...feedA.record(db, "t", keys)]);
  return { a, b, feedA, feedB, seenA, seenB, record, prefix: config.dbPrefix, dir };
}

describe.skipIf(!onPostgres)("the change feed on PostgreSQL", () => {
  test("a recorded change reaches the other node by NOTIFY, in order, and not the writer; a rolled-back one reaches nobody", async () => {
    const n = await twoNodes();
    await n.record(["k1", "k2"]);
    await n.record(["k3"]);
    await waitFor("node B to get the keys", () => n.seenB.length === 3, 2000, 5);
    expect(n.seenB).toEqual(["k1", "k2", "k3"]);
    const failed = await n.a.database
      .batch((db) => [...n.feedA.record(db, "t", ["lost"]), db.insert(n.a.database.tables.systemReadiness).values([{ id: 1, checkedAt: 1 }, { id: 1, checkedAt: 2 }])])
      .catch((err: unknown) => err);
    expect(n.a.database.isUniqueViolation(failed)).toBe(true);
    await n.record(["k4"]);
    await waitFor("node B to get k4", () => n.seenB.includes("k4"), 2000, 5);
    await n.feedB.runOnce();
    expect(n.seenB).toEqual(["k1", "k2", "k3", "k4"]);
    await n.feedA.runOnce();
    expect(n.seenA).toEqual([]);
  });

  test("a node that is never notified reads the change at its next poll", async () => {
    const n = await twoNodes({ listenB: false });
    await n.record(["k1"]);
    expect(n.seenB).toEqual([]);
    await n.feedB.runOnce();
    expect(n.seenB).toEqual(["k1"]);
    await n.feedB.runOnce();
    expect(n.seenB).toEqual(["k1"]);
  });

  test("a change that commits after a later one (a lower id read late) is still delivered, once", async () => {
    const n = await twoNodes({ listenB: false });
    const table = `"${n.prefix}cluster_feed"`;
    // A second connection holds a transaction that has taken its id but not committed.
    const slow = new SQL(testConfig(n.dir.path).dbConnectionString!, { max: 1 });
    cleanups.push(() => slow.close());
    let commit!: () => void;
    const held = new Promise<void>((resolve) => (commit = resolve));
    let inserted!: () => void;
    const insertedYet = new Promise<void>((resolve) => (inserted = resolve));
    const slowTx = slow.begin(async (tx) => {
      await tx.unsafe(`insert into ${table} (topic, key, origin, created_at) values ('t', 'slow', 'other-node', $1)`, [Date.now()]);
      inserted();
      await held;
    });
    await insertedYet;
    await n.record(["fast"]);
    await n.feedB.runOnce();
    expect(n.seenB).toEqual(["fast"]);
    commit();
    await slowTx;
    await n.feedB.runOnce();
    await n.feedB.runOnce();
    expect(n.seenB).toEqual(["fast", "slow"]);
  });

  test("rows older than the keep time are trimmed by any node, the newer kept", async () => {
    const clock = new FakeClock();
    const n = await twoNodes({ clock, listenB: false });
    const f = n.a.database.tables.clusterFeed;
    const rows = async () => (await n.a.database.db.select({ key: f.key }).from(f)).map((r) => r.key);
    await n.record(["old"]);
    clock.advance(11 * 60_000);
    await n.record(["new"]);
    await n.feedB.trim();
    await n.feedA.trim();
    expect(await rows()).toEqual(["new"]);
  });
});

describe.skipIf(onPostgres)("the change feed on one SQLite node", () => {
  test("is the no-op feed: a revocation writes no feed row", async () => {
    await using t = await testApp();
    expect(t.deps.feed).toBe(singleNodeFeed);
    const { token } = await register(t, "alice");
    expect((await t.json("POST", "/user-svc/self", { token })).status).toBe(200);
    expect((await t.json("DELETE", "/user-svc/tokens", { token })).status).toBe(200);
    expect((await t.json("POST", "/user-svc/self", { token })).status).toBe(401);
    const f = t.deps.database.tables.clusterFeed;
    expect((await t.deps.database.db.select({ n: count() }).from(f))[0]!.n).toBe(0);
    expect(tablePrefix(t.deps.config.folder)).toBe("");
  });
});

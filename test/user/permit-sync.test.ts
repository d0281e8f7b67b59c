/**
 * Other nodes' permit changes applied to the permit index (permit-sync.ts) over a stand-in table: ids
 * are read again by key, reads never overtake each other, a save of this node made while a read is
 * in flight is not undone by it, a failed read is retried, and a full re-read drops what is gone.
 */
import { expect, test } from "bun:test";
import { PermitIndex } from "../../src/modules/user/access/permit-index";
import { PermitSync } from "../../src/modules/user/access/permit-sync";
import type { PermitRow } from "../../src/modules/user/access/wire";
import { silentLogger } from "../../src/lib/log";
import { waitFor } from "../helpers/wait";

const permit = (id: string, slug: string, permission = "a:read"): PermitRow => ({ id, appId: "*", permission, slugs: [slug], roles: [], createdAt: 0, updatedAt: 0 });
const who = (slug: string) => ({ appId: "app-1", slug, roles: [] });

/** A stand-in table; each read takes its rows when it starts and may be held before it answers. */
function fixture() {
  const table = new Map<string, PermitRow>();
  const index = new PermitIndex();
  const reads: string[][] = [];
  let hold: Promise<void> | undefined;
  let failures = 0;
  const answer = async <T>(rows: T): Promise<T> => {
    if (failures > 0) {
      failures--;
      throw new Error("database unreachable");
    }
    await hold;
    return rows;
  };
  const sync = new PermitSync({
    index,
    read: (ids) => {
      reads.push(ids);
      return answer(ids.flatMap((id) => (table.has(id) ? [table.get(id)!] : [])));
    },
    readAll: () => answer([...table.values()]),
    log: silentLogger,
    retryMs: 5,
  });
  /** Holds every read from now until the returned function is called. */
  const holdReads = () => {
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    return () => {
      hold = undefined;
      release();
    };
  };
  return { table, index, reads, sync, holdReads, failNextReads: (n: number) => (failures = n) };
}

test("a permit saved elsewhere is read by id and indexed, a deleted one dropped; a repeated delivery changes nothing", async () => {
  const f = fixture();
  f.table.set("p1", permit("p1", "alice"));
  f.sync.changedElsewhere(["p1"]);
  await f.sync.settled();
  expect(f.index.allows(who("alice"), "a:read")).toBe(true);
  f.table.delete("p1");
  f.sync.changedElsewhere(["p1"]);
  f.sync.changedElsewhere(["p1"]);
  await f.sync.settled();
  expect(f.index.allows(who("alice"), "a:read")).toBe(false);
  expect(f.index.ids()).toEqual([]);
});

test("deliveries during a read are read together after it, so two changes of one permit end at the newest", async () => {
  const f = fixture();
  f.table.set("p1", permit("p1", "alice"));
  const release = f.holdReads();
  f.sync.changedElsewhere(["p1"]); // this read sees alice…
  f.table.set("p1", permit("p1", "bob"));
  f.sync.changedElsewhere(["p1"]);
  f.sync.changedElsewhere(["p2"]);
  release(); // …and answers after bob was written
  await f.sync.settled();
  expect(f.reads).toEqual([["p1"], ["p1", "p2"]]);
  expect(f.index.allows(who("bob"), "a:read")).toBe(true);
  expect(f.index.allows(who("alice"), "a:read")).toBe(false);
});

test("a save or delete of this node while a read is in flight is not undone by the older read", async () => {
  const f = fixture();
  f.table.set("p1", permit("p1", "alice"));
  f.table.set("p2", permit("p2", "alice", "a:write"));
  const release = f.holdReads();
  f.sync.changedElsewhere(["p1", "p2"]); // reads alice for both
  f.table.set("p1", permit("p1", "carol"));
  f.sync.savedHere([permit("p1", "carol")]);
  f.table.delete("p2");
  f.sync.deletedHere(["p2"]);
  release();
  await f.sync.settled();
  expect(f.index.allows(who("carol"), "a:read")).toBe(true);
  expect(f.index.allows(who("alice"), "a:read")).toBe(false);
  expect(f.index.allows(who("alice"), "a:write")).toBe(false);
});

test("a failed read keeps its ids and is tried again", async () => {
  const f = fixture();
  f.table.set("p1", permit("p1", "alice"));
  f.failNextReads(2);
  f.sync.changedElsewhere(["p1"]);
  await f.sync.settled();
  expect(f.index.allows(who("alice"), "a:read")).toBe(false);
  await waitFor("the retried read to apply p1", () => f.index.allows(who("alice"), "a:read"), 2000, 5);
  expect(f.reads).toEqual([["p1"], ["p1"], ["p1"]]);
  await f.sync.stop();
});

test("a full re-read adds what is stored and drops what is gone, leaving this node's writes meanwhile alone", async () => {
  const f = fixture();
  f.index.load([permit("gone", "alice"), permit("kept", "alice", "a:write")]);
  f.table.set("kept", permit("kept", "bob", "a:write"));
  f.table.set("new", permit("new", "bob", "a:other"));
  const release = f.holdReads();
  const done = f.sync.resyncAll();
  f.sync.savedHere([permit("mine", "dave", "a:mine")]);
  release();
  await done;
  expect(f.index.ids().sort()).toEqual(["kept", "mine", "new"]);
  expect(f.index.allows(who("bob"), "a:write")).toBe(true);
  expect(f.index.allows(who("alice"), "a:write")).toBe(false);
  expect(f.index.allows(who("dave"), "a:mine")).toBe(true);
});

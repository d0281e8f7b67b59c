/**
 * KindSync (modules/edge/sync.ts): changed ids are read again and applied one read at a time, a change
 * arriving while a read is in flight gets a read of its own after it (never joins it), deletions drop
 * entries, unchanged entries keep their object, and a failed read is retried with its ids.
 */
import { describe, expect, test } from "bun:test";
import { silentLogger } from "../../src/lib/log";
import { KindSync, type KindSource } from "../../src/modules/edge/sync";
import { waitFor } from "../helpers/wait";

interface Row {
  id: string;
  v: number;
}

/** A source over `rows` (the "database"); `gate` holds reads until released; `failures` reads throw first. */
function source(rows: Map<string, Row>, options: { failures?: number } = {}) {
  let table: ReadonlyMap<string, Row> = new Map();
  let failures = options.failures ?? 0;
  const gates: (() => void)[] = [];
  let holding = false;
  const reads: string[][] = [];
  const read = async (ids?: string[]) => {
    reads.push(ids ?? ["*"]);
    if (holding) await new Promise<void>((resolve) => gates.push(resolve));
    if (failures-- > 0) throw new Error("database unreachable");
    const found = ids ? ids.flatMap((id) => (rows.has(id) ? [{ ...rows.get(id)! }] : [])) : [...rows.values()].map((r) => ({ ...r }));
    return found;
  };
  const s: KindSource<Row> = { kind: "rows", read, readAll: () => read(), current: () => table, replace: (e) => (table = new Map([...e].map((r) => [r.id, r]))), same: (a, b) => a.v === b.v };
  return { s, reads, table: () => table, hold: () => (holding = true), release: () => ((holding = false), gates.splice(0).forEach((g) => g())) };
}

describe("KindSync", () => {
  test("loads everything, applies changed ids (rows replaced, missing ones dropped), keeps unchanged objects", async () => {
    const rows = new Map([["a", { id: "a", v: 1 }], ["b", { id: "b", v: 1 }]]);
    const src = source(rows);
    const sync = new KindSync(src.s, silentLogger);
    await sync.resyncAll();
    const a = src.table().get("a");
    expect([...src.table().keys()]).toEqual(["a", "b"]);
    rows.set("b", { id: "b", v: 2 });
    rows.delete("a");
    rows.set("c", { id: "c", v: 1 });
    await sync.changed(["a", "b", "c"]);
    expect([...src.table().values()]).toEqual([{ id: "b", v: 2 }, { id: "c", v: 1 }]);
    rows.set("a", { id: "a", v: 1 });
    await sync.changed(["a"]);
    rows.set("a", { id: "a", v: 1 });
    const before = src.table().get("a");
    await sync.changed(["a"]);
    expect(src.table().get("a")).toBe(before!);
    expect(a).not.toBe(before!); // a was dropped and read again: a new object then, the same one after
  });

  test("a change committed while a read is in flight is read again after it, so the table ends at the latest row", async () => {
    const rows = new Map([["a", { id: "a", v: 1 }]]);
    const src = source(rows);
    const sync = new KindSync(src.s, silentLogger);
    src.hold();
    const first = sync.changed(["a"]); // its read started (sees v: 1 once released)
    await waitFor("the first read", () => src.reads.length === 1);
    rows.set("a", { id: "a", v: 2 }); // committed after the read began
    const second = sync.changed(["a"]);
    src.release();
    await first;
    await second;
    expect(src.table().get("a")).toEqual({ id: "a", v: 2 });
    expect(src.reads).toEqual([["a"], ["a"]]);
  });

  test("a failed read keeps its ids and is retried", async () => {
    const rows = new Map([["a", { id: "a", v: 7 }]]);
    const src = source(rows, { failures: 2 });
    const sync = new KindSync(src.s, silentLogger, 5);
    await sync.changed(["a"]);
    expect(src.table().size).toBe(0);
    await waitFor("the retried read", () => src.table().get("a")?.v === 7);
    expect(src.reads.length).toBe(3);
    await sync.stop();
  });
});

/**
 * Reread (modules/cluster/reread.ts), the one re-read mechanism of the registry, the permit index and
 * the edge kinds, over a stand-in table: reads one at a time and in order, in chunks, a caller's
 * promise settling after a read that started after its call, a failed read kept and retried (logged
 * as one streak), a full re-read dropping what is gone, and the two hooks (`beforeRead`, `writtenHere`).
 */
import { describe, expect, jest, test } from "bun:test";
import { createLogger, silentLogger, type LogLevel } from "../../src/lib/log";
import { REREAD_CHUNK, Reread, type RereadOptions } from "../../src/modules/cluster/reread";
import { waitFor } from "../helpers/wait";

interface Row {
  id: string;
  v: number;
}

/**
 * A stand-in table (`stored`) and memory (`memory`). Each read takes its rows when it starts; while
 * `hold()` is on it waits for `release()` before answering; the first `failures` reads throw.
 */
function fixture(options: Partial<RereadOptions<Row>> = {}, failures = 0) {
  const stored = new Map<string, Row>();
  const memory = new Map<string, Row>();
  const reads: string[][] = [];
  const gates: (() => void)[] = [];
  let holding = false;
  const answer = async (ids: string[] | undefined): Promise<Row[]> => {
    reads.push(ids ?? ["*"]);
    const rows = ids ? ids.flatMap((id) => (stored.has(id) ? [{ ...stored.get(id)! }] : [])) : [...stored.values()].map((r) => ({ ...r }));
    if (holding) await new Promise<void>((resolve) => gates.push(resolve));
    if (failures-- > 0) throw new Error("database unreachable");
    return rows;
  };
  const reread = new Reread<Row>({
    read: (ids) => answer(ids),
    readAll: () => answer(undefined),
    held: () => memory.keys(),
    apply: (ids, rows) => {
      for (const id of ids) memory.delete(id);
      for (const row of rows) memory.set(row.id, row);
    },
    log: silentLogger,
    failed: "reading rows failed; retrying",
    recovered: "rows read again",
    retryMs: 5,
    ...options,
  });
  return {
    stored,
    memory,
    reads,
    reread,
    hold: () => (holding = true),
    release: () => ((holding = false), gates.splice(0).forEach((g) => g())),
  };
}

const values = (memory: Map<string, Row>) => Object.fromEntries([...memory].map(([id, row]) => [id, row.v]));

describe("Reread: order", () => {
  test("a changed id is read by key and applied: a row found replaces the entry, an id without one drops it", async () => {
    const f = fixture();
    f.memory.set("a", { id: "a", v: 1 });
    f.stored.set("b", { id: "b", v: 2 });
    await f.reread.changed(["a", "b"]);
    expect(values(f.memory)).toEqual({ b: 2 });
    expect(f.reads).toEqual([["a", "b"]]);
  });

  test("one read at a time: ids arriving during a read are read together after it, so the newest row wins", async () => {
    const f = fixture();
    f.stored.set("a", { id: "a", v: 1 });
    f.hold();
    const first = f.reread.changed(["a"]); // its read starts now and sees v 1
    f.stored.set("a", { id: "a", v: 2 });
    const second = f.reread.changed(["a", "b"]);
    const third = f.reread.changed(["a"]);
    expect(f.reads).toEqual([["a"]]);
    f.release();
    await first;
    await second;
    await third;
    expect(f.reads).toEqual([["a"], ["a", "b"]]);
    expect(values(f.memory)).toEqual({ a: 2 });
  });

  test("a change's promise settles only after a read that started after it (a writer finds its row in memory)", async () => {
    const f = fixture();
    f.hold();
    void f.reread.changed(["a"]); // in flight: started before the commit below
    f.stored.set("a", { id: "a", v: 1 }); // committed
    let done = false;
    const mine = f.reread.changed(["a"]).then(() => (done = true));
    f.release();
    await waitFor("the second read", () => f.reads.length === 2);
    f.release();
    await mine;
    expect(done).toBe(true);
    expect(values(f.memory)).toEqual({ a: 1 });
  });

  test("many ids are read in chunks, one after another", async () => {
    const f = fixture();
    const ids = Array.from({ length: REREAD_CHUNK + 3 }, (_, i) => `r${i}`);
    for (const id of ids) f.stored.set(id, { id, v: 1 });
    await f.reread.changed(ids);
    expect(f.reads.map((r) => r.length)).toEqual([REREAD_CHUNK, 3]);
    expect(f.memory.size).toBe(ids.length);
  });
});

describe("Reread: failures", () => {
  test("a failed read keeps its ids and is tried again after retryMs; the outage is one warn line and one recovery line", async () => {
    const lines: { level: LogLevel; line: string }[] = [];
    const log = createLogger("info", (line, level) => lines.push({ level, line }));
    const f = fixture({ log }, 2);
    f.stored.set("a", { id: "a", v: 7 });
    await f.reread.changed(["a"]); // settles on the failure
    expect(f.memory.size).toBe(0);
    await waitFor("the retried read", () => f.memory.get("a")?.v === 7);
    expect(f.reads).toEqual([["a"], ["a"], ["a"]]);
    expect(lines.map((l) => [l.level, JSON.parse(l.line).msg])).toEqual([
      ["warn", "reading rows failed; retrying"],
      ["info", "rows read again"],
    ]);
    await f.reread.stop();
  });

  test("a change asked for while a read fails gets an attempt of its own at once; a drain() alone joins the failing run", async () => {
    const f = fixture({ retryMs: 60_000 }, 1);
    f.stored.set("a", { id: "a", v: 1 });
    f.hold();
    const first = f.reread.changed(["a"]);
    const joined = f.reread.drain();
    const second = f.reread.changed(["b"]);
    f.release();
    await first;
    await joined;
    await second;
    expect(f.reads).toEqual([["a"], ["a", "b"]]); // no wait for the minute-long retry
    expect(values(f.memory)).toEqual({ a: 1 });
    await f.reread.stop();
  });

  test("stop: no retry after it, and a read in flight is not applied", async () => {
    // Fake timers: the retry that stop() must cancel is a timer, so "it never fires" is checked by running every timer.
    jest.useFakeTimers();
    try {
      const f = fixture({ retryMs: 5 }, 1);
      f.stored.set("a", { id: "a", v: 1 });
      await f.reread.changed(["a"]); // failed, a retry due in 5 ms
      expect(jest.getTimerCount()).toBe(1);
      f.hold();
      void f.reread.changed(["a"]);
      const stopped = f.reread.stop();
      f.release();
      await stopped;
      expect(jest.getTimerCount()).toBe(0);
      jest.runAllTimers();
      expect(f.reads.length).toBe(2);
      expect(f.memory.size).toBe(0);
      await f.reread.changed(["a"]);
      expect(f.reads.length).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe("Reread: full re-read", () => {
  test("resync reads every row: what is stored is added, what is held and not stored dropped, pending ids included", async () => {
    const f = fixture();
    f.memory.set("gone", { id: "gone", v: 1 });
    f.memory.set("kept", { id: "kept", v: 1 });
    f.stored.set("kept", { id: "kept", v: 2 });
    f.stored.set("new", { id: "new", v: 3 });
    f.hold();
    void f.reread.changed(["x"]);
    const done = f.reread.resync();
    f.reread.changed(["kept"]);
    f.release();
    await done;
    expect(f.reads).toEqual([["x"], ["*"]]);
    expect(values(f.memory)).toEqual({ kept: 2, new: 3 });
  });

  test("a failed resync is retried as a full re-read", async () => {
    const f = fixture({}, 1);
    f.memory.set("gone", { id: "gone", v: 1 });
    f.stored.set("new", { id: "new", v: 1 });
    await f.reread.resync();
    expect(values(f.memory)).toEqual({ gone: 1 });
    await waitFor("the retried re-read", () => f.memory.has("new"));
    expect(f.reads).toEqual([["*"], ["*"]]);
    expect(values(f.memory)).toEqual({ new: 1 });
  });
});

describe("Reread: hooks", () => {
  test("beforeRead is awaited before each read, and the read takes the ids pending once it is over", async () => {
    let commit = Promise.withResolvers<void>();
    // Resolved when beforeRead is entered: the read it holds back cannot have started before that.
    let entered = Promise.withResolvers<void>();
    let waits = 0;
    const f = fixture({ beforeRead: () => (waits++, entered.resolve(), commit.promise) });
    f.stored.set("a", { id: "a", v: 1 });
    const done = f.reread.changed(["a"]);
    f.reread.changed(["b"]);
    await entered.promise;
    expect(f.reads).toEqual([]);
    commit.resolve();
    await done;
    expect(f.reads).toEqual([["a", "b"]]);
    commit = Promise.withResolvers<void>();
    entered = Promise.withResolvers<void>();
    const next = f.reread.changed(["a"]);
    await entered.promise;
    expect(f.reads.length).toBe(1);
    commit.resolve();
    await next;
    expect(waits).toBe(2);
    expect(f.reads.length).toBe(2);
  });

  test("writtenHere: ids this node wrote during a read keep what the write put in memory; outside a read it is a no-op", async () => {
    const f = fixture();
    f.stored.set("a", { id: "a", v: 1 });
    f.stored.set("b", { id: "b", v: 1 });
    f.reread.writtenHere(["a"]); // no read in flight: nothing to guard
    f.hold();
    const done = f.reread.changed(["a", "b"]); // reads v 1 for both
    f.stored.set("a", { id: "a", v: 2 });
    f.memory.set("a", { id: "a", v: 2 }); // this node's write, in memory at once
    f.reread.writtenHere(["a"]);
    f.release();
    await done;
    expect(values(f.memory)).toEqual({ a: 2, b: 1 });
    f.hold();
    const resync = f.reread.resync();
    f.memory.set("mine", { id: "mine", v: 9 });
    f.reread.writtenHere(["mine"]);
    f.release();
    await resync;
    expect(values(f.memory)).toEqual({ a: 2, b: 1, mine: 9 });
  });
});

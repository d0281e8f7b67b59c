/** Rendezvous hashing (src/lib/rendezvous.ts): deterministic, balanced, and a join or leave moves only its own share. */
import { describe, expect, test } from "bun:test";
import { hash32, Rendezvous } from "../../src/lib/rendezvous";

const ids = Array.from({ length: 3000 }, (_, i) => `inst-${i.toString(36)}-${(i * 7919).toString(16)}`);
/** Node ids shaped like the real ones (lib/ids.ts: a prefix and random characters). */
const nodes = ["node-4kq2m9x1", "node-b7t0c3zz", "node-p1d8w6ea"];

function ownersOf(ring: Rendezvous): Map<string, string> {
  return new Map(ids.map((id) => [id, ring.ownerOf(id)]));
}

function countByOwner(owners: Map<string, string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const owner of owners.values()) counts[owner] = (counts[owner] ?? 0) + 1;
  return counts;
}

describe("rendezvous hashing", () => {
  test("is deterministic: the same members in any order give every key the same owner, and known values stay put", () => {
    const a = new Rendezvous(nodes);
    const b = new Rendezvous([...nodes].reverse());
    expect(b.members).toEqual(a.members);
    expect(ids.every((id) => a.ownerOf(id) === b.ownerOf(id))).toBe(true);
    // Pinned values: every node of a cluster, whatever its runtime version, must compute the same owners.
    expect([hash32(""), hash32("a"), hash32("inst-1")]).toEqual([2872998923, 444641715, 2971162659]);
    expect(["x", "y", "z"].map((k) => new Rendezvous(["node-c", "node-a", "node-b"]).ownerOf(k))).toEqual(["node-b", "node-c", "node-c"]);
  });

  test("balances 3,000 ids over 3 nodes within ±15 %", () => {
    const counts = countByOwner(ownersOf(new Rendezvous(nodes)));
    expect(Object.keys(counts).sort()).toEqual([...nodes].sort());
    for (const n of nodes) {
      expect(counts[n]!).toBeGreaterThanOrEqual(850);
      expect(counts[n]!).toBeLessThanOrEqual(1150);
    }
  });

  test("balances for other node ids too (sequential names, many clusters)", () => {
    for (let cluster = 0; cluster < 20; cluster++) {
      const members = [0, 1, 2].map((i) => `node-${cluster}-${i}`);
      const counts = countByOwner(ownersOf(new Rendezvous(members)));
      for (const n of members) expect(Math.abs(counts[n]! - 1000)).toBeLessThanOrEqual(150);
    }
  });

  test("a node joining takes ~1/4 of the ids, all from the others; nobody else's ids move", () => {
    const before = ownersOf(new Rendezvous(nodes));
    const after = ownersOf(new Rendezvous([...nodes, "node-joined01"]));
    const moved = ids.filter((id) => before.get(id) !== after.get(id));
    expect(moved.every((id) => after.get(id) === "node-joined01")).toBe(true);
    expect(moved.length).toBe(countByOwner(after)["node-joined01"]!);
    expect(Math.abs(moved.length - 750)).toBeLessThanOrEqual(0.15 * 750);
  });

  test("a node leaving hands over exactly its ids, spread over the others; nobody else's ids move", () => {
    const before = ownersOf(new Rendezvous(nodes));
    const [gone, ...rest] = nodes;
    const after = ownersOf(new Rendezvous(rest));
    const moved = ids.filter((id) => before.get(id) !== after.get(id));
    expect(moved.length).toBe(countByOwner(before)[gone!]!);
    expect(moved.every((id) => before.get(id) === gone)).toBe(true);
    const inherited = countByOwner(new Map(moved.map((id) => [id, after.get(id)!])));
    for (const n of rest) expect(Math.abs(inherited[n]! - moved.length / 2)).toBeLessThanOrEqual(0.15 * (moved.length / 2));
  });

  test("one member owns everything; an empty list is refused; duplicates count once", () => {
    expect(ids.every((id) => new Rendezvous(["solo"]).ownerOf(id) === "solo")).toBe(true);
    expect(() => new Rendezvous([])).toThrow(/at least one member/);
    expect(new Rendezvous(["b", "a", "b"]).members).toEqual(["a", "b"]);
  });
});

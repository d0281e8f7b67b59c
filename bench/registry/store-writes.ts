/**
 * @module The registry store's commits alone, in process, timed around `writeChanges` (all of it on
 * SQLite, where a commit holds the JS thread; the round trips included on PostgreSQL): N new instances
 * committed in group commits of `--group` rows (a registration storm at concurrency 32), the same N
 * re-registered in one commit, and a probe cycle that changes every status (N health rows in one
 * commit, three cycles). The database is the run's: SQLite, or `TEST_DB=postgres`.
 *
 *   bun bench/registry/store-writes.ts [--instances 10000] [--group 32]
 */
import { parseArgs } from "node:util";
import type { InstanceRecord } from "../../src/modules/registry/instance-table";
import { RegistryStore } from "../../src/modules/registry/store";
import { registryHarness } from "../../test/registry/harness";

const { values: args } = parseArgs({ options: { instances: { type: "string", default: "10000" }, group: { type: "string", default: "32" } } });
const N = Number(args.instances);
const GROUP = Number(args.group);

await using h = await registryHarness({ probe: async () => true });
const store = new RegistryStore(h.deps);

const now = Date.now();
const records: InstanceRecord[] = Array.from({ length: N }, (_, i) => ({
  id: `inst_bench${String(i).padStart(8, "0")}`,
  slug: `svc-${i % 10}`,
  url: `http://127.0.0.${1 + (i % 250)}:${1024 + Math.floor(i / 250)}`,
  scheme: "http",
  host: `127.0.0.${1 + (i % 250)}`,
  port: 1024 + Math.floor(i / 250),
  path: "",
  status: "Unknown",
  lastHeartbeat: now,
  createdAt: now + i,
}));
const changes = (part: Partial<{ upserts: InstanceRecord[]; health: InstanceRecord[] }>) => ({ upserts: [], deletes: [], health: [], undo: new Map(), ...part }) as never;

async function timed(write: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await write();
  return performance.now() - started;
}

let groupMs = 0;
for (let i = 0; i < N; i += GROUP) groupMs += await timed(() => store.writeChanges(changes({ upserts: records.slice(i, i + GROUP) })));
const oneMs = await timed(() => store.writeChanges(changes({ upserts: records })));
const cycles: number[] = [];
for (const status of ["Healthy", "Unreachable", "Healthy"] as const) {
  const health = records.map((r) => ({ ...r, status, lastHeartbeat: r.lastHeartbeat! + cycles.length + 1 }));
  cycles.push(await timed(() => store.writeChanges(changes({ health }))));
}
const stored = await store.loadInstances();
if (stored.length !== N || stored.some((r) => r.status !== "Healthy")) throw new Error(`expected ${N} Healthy rows, found ${stored.length}`);
const us = (ms: number) => ((ms * 1000) / N).toFixed(1);
console.log(
  `store writes (${process.env.TEST_DB || "sqlite"}, ${N} rows): registrations in commits of ${GROUP}: ${Math.round(groupMs)} ms (${us(groupMs)} µs/row); ` +
    `re-registration in one commit: ${Math.round(oneMs)} ms; status of every row (probe cycle): ${cycles.map((ms) => Math.round(ms)).join(" / ")} ms`,
);

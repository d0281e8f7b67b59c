/**
 * @module The durable registration path in process, without sockets or token checks: N registrations
 * through the real handler, routes, registry and committer (each answered only once committed) on the
 * test harness's stand-in gate, with the probe stubbed. Reports registrations/s and the time spent in
 * the store's commits, so a change of the store or committer is measured apart from HTTP and auth
 * (which `registry-bench.ts` includes). The database is the run's: SQLite, or `TEST_DB=postgres`.
 *
 *   bun bench/registry/commit-path.ts [--instances 10000] [--concurrency 32]
 */
import { parseArgs } from "node:util";
import { registryHarness } from "../../test/registry/harness";

const { values: args } = parseArgs({ options: { instances: { type: "string", default: "10000" }, concurrency: { type: "string", default: "32" } } });
const N = Number(args.instances);
const CONCURRENCY = Number(args.concurrency);

await using h = await registryHarness({ probe: async () => true });
const store = (h.registry.flusher as unknown as { o: { store: { writeChanges: (changes: unknown) => unknown } } }).o.store;
const write = store.writeChanges.bind(store);
let commits = 0;
/** Time the JS thread is held by commits: all of a SQLite commit (bun:sqlite is synchronous). */
let blockingMs = 0;
/** Until each commit settled (PostgreSQL's round trips; on SQLite also the microtasks queued before it). */
let settledMs = 0;
store.writeChanges = (changes) => {
  const started = performance.now();
  const result = write(changes);
  blockingMs += performance.now() - started;
  commits++;
  const settled = () => void (settledMs += performance.now() - started);
  if (result instanceof Promise) return result.finally(settled);
  settled();
  return result;
};

const url = (i: number) => `http://127.0.${1 + Math.floor(i / 60_000)}.${1 + (i % 250)}:${1024 + Math.floor(i / 250)}`;
let next = 0;
let failures = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < N; i = next++) {
      const r = await h.json("PUT", "/registry-svc/instance", { token: "alpha", body: { url: url(i) } });
      if (r.status !== 201) failures++;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
console.log(
  `commit path: ${N} registrations in ${seconds.toFixed(2)} s = ${Math.round(N / seconds)}/s (concurrency ${CONCURRENCY}, ${failures} failures); ` +
    `${commits} commits holding the thread ${Math.round(blockingMs)} ms (${Math.round((blockingMs * 1000) / N)} µs per registration), settled after ${Math.round(settledMs)} ms in all`,
);

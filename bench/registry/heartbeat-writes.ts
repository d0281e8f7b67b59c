/**
 * @module Database writes caused by heartbeats, in process on a fake clock: N instances (default
 * 10,000) registered through the registry service, each then heartbeating every 5 s through the
 * owner's re-registration (the path `PUT /registry-svc/instance` takes after auth), with the
 * committer's interval flush once a virtual second, as in production. Counts the rows and statements
 * the committer writes per second once the heartbeats are steady (the last `--measure` seconds), the
 * busiest second, and the time the writes took. Instance i starts heartbeating at second i mod 60, so
 * the write phases spread as registrations made over a minute would. The database is the run's:
 * SQLite, or `TEST_DB=postgres`; `OB_HEARTBEAT_WRITE_INTERVAL` is passed through (a tree without it
 * ignores it), so one script measures before and after.
 *
 *   bun bench/registry/heartbeat-writes.ts [--instances 10000] [--period 5] [--seconds 180] [--measure 120]
 */
import { parseArgs } from "node:util";
import { FakeClock } from "../../test/helpers/fake-clock";
import { fakeCaller } from "../../test/registry/fake-gate";
import { registryHarness } from "../../test/registry/harness";

const { values: args } = parseArgs({
  options: {
    instances: { type: "string", default: "10000" },
    period: { type: "string", default: "5" },
    seconds: { type: "string", default: "180" },
    measure: { type: "string", default: "120" },
  },
});
const N = Number(args.instances);
const PERIOD = Number(args.period);
const SECONDS = Number(args.seconds);
const MEASURE = Math.min(Number(args.measure), SECONDS);

const env: Record<string, string> = {};
if (process.env.OB_HEARTBEAT_WRITE_INTERVAL !== undefined) env.OB_HEARTBEAT_WRITE_INTERVAL = process.env.OB_HEARTBEAT_WRITE_INTERVAL;
const clock = new FakeClock();
await using h = await registryHarness({ clock, env, probe: async () => true });

// Statements per commit, counted where every registry write goes: the store handle's batch.
const database = h.deps.database;
const batch = database.batch.bind(database);
let statements = 0;
let writeMs = 0;
database.batch = async (build) => {
  const started = performance.now();
  try {
    return await batch((db) => {
      const queries = build(db);
      statements += queries.length;
      return queries;
    });
  } finally {
    writeMs += performance.now() - started;
  }
};

const caller = fakeCaller("alpha-svc");
const url = (i: number) => `http://127.0.${1 + Math.floor(i / 60_000)}.${1 + (i % 250)}:${1024 + Math.floor(i / 250)}`;
const started = performance.now();
for (let i = 0; i < N; i += 1000) {
  await Promise.all(Array.from({ length: Math.min(1000, N - i) }, (_, k) => h.registry.instances.register(caller, { url: url(i + k) })));
  await h.registry.flusher.runOnce();
}
const registerSeconds = (performance.now() - started) / 1000;

interface Second {
  rows: number;
  statements: number;
  ms: number;
}
const perSecond: Second[] = [];
let heartbeats = 0;
for (let s = 0; s < SECONDS; s++) {
  clock.advance(1000);
  const beats: Promise<unknown>[] = [];
  for (let i = 0; i < N; i++) {
    const start = i % 60;
    if (s >= start && (s - start) % PERIOD === 0) beats.push(h.registry.instances.register(caller, { url: url(i) }));
  }
  heartbeats += beats.length;
  await Promise.all(beats);
  const [statementsBefore, msBefore] = [statements, writeMs];
  const rows = await h.registry.flusher.runOnce();
  perSecond.push({ rows, statements: statements - statementsBefore, ms: writeMs - msBefore });
}

const window = perSecond.slice(-MEASURE);
const sum = (key: keyof Second) => window.reduce((total, second) => total + second[key], 0);
const busiest = window.reduce((a, b) => (b.rows > a.rows ? b : a));
const steadyHeartbeats = window.length * (N / PERIOD);
console.log(
  `heartbeat writes (${process.env.TEST_DB || "sqlite"}, OB_HEARTBEAT_WRITE_INTERVAL=${env.OB_HEARTBEAT_WRITE_INTERVAL ?? "(default)"}, ` +
    `interval in effect ${h.deps.config.heartbeatWriteIntervalMs ?? "60000 (fixed)"} ms): ${N} instances registered in ${registerSeconds.toFixed(1)} s; ` +
    `${heartbeats} heartbeats over ${SECONDS} virtual s (one per instance every ${PERIOD} s, ${steadyHeartbeats / window.length}/s steady); ` +
    `last ${window.length} s: ${(sum("rows") / window.length).toFixed(0)} rows/s, ${(sum("statements") / window.length).toFixed(1)} statements/s, ` +
    `${(sum("ms") / window.length).toFixed(1)} ms of writes per s; busiest second ${busiest.rows} rows in ${busiest.statements} statements (${busiest.ms.toFixed(0)} ms)`,
);

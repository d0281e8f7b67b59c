/**
 * @module The cost of the console's live view (registry/event-streams.ts), in process: N instances in a
 * real InstanceTable, S open streams read as fast as they come (admins: every frame to every stream;
 * or `--own`: each stream a user of its own slug, so most frames are filtered out), then E status
 * changes published, at most one per instance per turn of the event loop. Reports the time publishing took (the registry's thread: what a change costs with
 * streams open), the time until every reader had every frame, and the snapshot's cost per stream.
 *
 *   bun bench/registry/event-streams.ts [--instances 10000] [--streams 100] [--events 10000] [--own]
 */
import { parseArgs } from "node:util";
import { Publisher } from "../../src/lib/events";
import { silentLogger } from "../../src/lib/log";
import { EventStreams } from "../../src/modules/registry/event-streams";
import { InstanceTable } from "../../src/modules/registry/instance-table";
import type { RegistryEvent } from "../../src/modules/registry/routing";
import { InstanceService } from "../../src/modules/registry/service";
import { fakeCaller } from "../../test/registry/fake-gate";

const { values: args } = parseArgs({
  options: { instances: { type: "string", default: "10000" }, streams: { type: "string", default: "100" }, events: { type: "string", default: "10000" }, own: { type: "boolean", default: false } },
});
const N = Number(args.instances);
const S = Number(args.streams);
const E = Number(args.events);

const events = new Publisher<RegistryEvent>(silentLogger);
const clock = { now: () => Date.now() };
const table = new InstanceTable(events, { onHeartbeat: (r) => streams.onHeartbeat(r) });
const instances = new InstanceService({ table, clock });
const streams = new EventStreams({ instances, table, clock, log: silentLogger, perUser: S, max: S });
events.subscribe(streams.onEvent);
for (let i = 0; i < N; i++) {
  const port = 1000 + (i % 60_000);
  table.put({ id: `inst-${i}`, slug: `svc-${i % S}`, url: `http://127.0.0.${1 + ((i / 60_000) | 0)}:${port}`, scheme: "http", host: "127.0.0.1", ip: "127.0.0.1", port, path: "", status: "Healthy", lastHeartbeat: Date.now(), createdAt: Date.now() });
}

let frames = 0;
const readers: Promise<void>[] = [];
const heapBefore = process.memoryUsage().heapUsed;
const openStarted = performance.now();
for (let s = 0; s < S; s++) {
  const caller = args.own ? fakeCaller(`svc-${s}`) : { ...fakeCaller(`admin-${s}`, { admin: true }) };
  const body = streams.open(caller).body!;
  readers.push(
    (async () => {
      try {
        for await (const chunk of body) for (let i = 0; i < chunk.length - 1; i++) if (chunk[i] === 10 && chunk[i + 1] === 10) frames++;
      } catch {
        // dropped (counted by streams.dropped)
      }
    })(),
  );
}
const openMs = performance.now() - openStarted;
const heapOpen = process.memoryUsage().heapUsed - heapBefore;

const expected = S + (args.own ? E : E * S); // snapshots, then each change to the streams that see it (one, with --own)
const started = performance.now();
// At most one change per instance per turn of the event loop (a sweep that changes every status is one turn).
let publishMs = 0;
for (let e = 0; e < E; e++) {
  const id = `inst-${args.own ? e % S : e % N}`;
  const t0 = performance.now();
  table.setHealth(id, table.get(id)!.status === "Healthy" ? "Degraded" : "Healthy"); // a change every time
  publishMs += performance.now() - t0;
  if ((e + 1) % N === 0) await new Promise((resolve) => setImmediate(resolve));
}
// Until every frame arrived, or nothing moved for a second (streams dropped: reported).
for (let last = -1, still = 0; frames < expected && still < 1000; still = frames === last ? still + 1 : 0, last = frames) await Bun.sleep(1);
const deliveredMs = performance.now() - started;
streams.endAll("registry.server_stopping");
await Promise.all(readers);

console.log(
  JSON.stringify({
    instances: N,
    streams: S,
    events: E,
    mode: args.own ? "own slug" : "admin",
    snapshotsMs: Math.round(openMs),
    snapshotMsPerStream: +(openMs / S).toFixed(2),
    heapAfterOpenMB: +(heapOpen / 1e6).toFixed(1),
    publishMs: Math.round(publishMs),
    publishUsPerEvent: +((publishMs * 1000) / E).toFixed(1),
    allDeliveredMs: Math.round(deliveredMs),
    framesDelivered: frames,
    framesExpected: expected,
    dropped: streams.dropped,
  }),
);

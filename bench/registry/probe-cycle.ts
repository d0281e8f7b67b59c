/**
 * @module One health-probe cycle over N instances with the real prober and real sockets, in process:
 * half point at a listening port, half at 127.0.0.x ports that refuse. Default concurrency and
 * timeout are the server's defaults (256, 2 s).
 *
 *   bun bench/registry/probe-cycle.ts [--instances 10000] [--concurrency 256] [--cycles 3]
 */
import { parseArgs } from "node:util";
import { Publisher } from "../../src/lib/events";
import { InstanceTable } from "../../src/modules/registry/instance-table";
import { Prober } from "../../src/modules/registry/prober";
import type { RegistryEvent } from "../../src/modules/registry/routing";
import { silentLogger } from "../../src/lib/log";
import { systemClock } from "../../src/lib/clock";

const { values: args } = parseArgs({
  options: { instances: { type: "string", default: "10000" }, concurrency: { type: "string", default: "256" }, cycles: { type: "string", default: "3" } },
});
const N = Number(args.instances);

const alive = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {}, open() {} } });
const closed = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
const refusingPort = closed.port;
closed.stop(true);

const table = new InstanceTable(new Publisher<RegistryEvent>(silentLogger));
for (let i = 0; i < N; i++) {
  const [host, port] = i % 2 === 0 ? ["127.0.0.1", alive.port] : [`127.0.0.${2 + (i % 250)}`, refusingPort];
  table.put({ id: `inst-${i}`, slug: `bench-${i % 10}`, url: `http://${host}:${port}/i/${i}`, scheme: "http", host, port, path: `/i/${i}`, status: "Unknown", lastHeartbeat: null, createdAt: Date.now() });
}
const prober = new Prober({ table, clock: systemClock, log: silentLogger, intervalMs: 5000, timeoutMs: 2000, degradedAfterMs: 1000, concurrency: Number(args.concurrency) });
for (let c = 0; c < Number(args.cycles); c++) {
  const cpu0 = process.cpuUsage();
  const cycle = await prober.runOnce();
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  console.log(`probe cycle ${c + 1}: ${cycle.probed} instances in ${cycle.ms} ms, ${cpuMs} ms CPU incl. the listener's accepts (healthy ${cycle.healthy}, degraded ${cycle.degraded}, unreachable ${cycle.unreachable}; concurrency ${args.concurrency})`);
}
alive.stop(true);

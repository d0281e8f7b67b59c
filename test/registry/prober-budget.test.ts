/** The prober's budget of immediate probes after registrations (prober.ts: a fixed window of one second). */
import { expect, test } from "bun:test";
import { Publisher } from "../../src/lib/events";
import { silentLogger } from "../../src/lib/log";
import { InstanceTable } from "../../src/modules/registry/instance-table";
import type { ProbeTarget } from "../../src/modules/registry/probe";
import { Prober } from "../../src/modules/registry/prober";
import type { RegistryEvent } from "../../src/modules/registry/routing";
import { FakeClock } from "../helpers/fake-clock";
import { waitFor } from "../helpers/wait";

test("a registration storm gets at most 200 immediate probes in one second; the rest wait for the cycle", async () => {
  const table = new InstanceTable(new Publisher<RegistryEvent>(silentLogger));
  const probed: string[] = [];
  const probe = async (target: ProbeTarget) => {
    probed.push(target.host);
    return true;
  };
  // The test clock stands still: the budget counts in real time, so a frozen clock must not matter to it.
  const prober = new Prober({ table, clock: new FakeClock(0), log: silentLogger, intervalMs: 3_600_000, timeoutMs: 1000, degradedAfterMs: 500, concurrency: 500, probe });
  prober.start(); // the first cycle runs at once, over an empty table
  for (let i = 0; i < 250; i++) {
    const host = `127.0.${i >> 8}.${i & 255}`;
    table.put({ id: `inst-${i}`, slug: "storm", url: `http://${host}:80`, scheme: "http", host, port: 80, path: "", status: "Unknown", lastHeartbeat: null, createdAt: 0 });
    prober.probeSoon(`inst-${i}`);
  }
  await waitFor("the immediate probes", () => probed.length >= 200);
  await prober.stop();
  expect(probed.length).toBe(200);
  expect(table.get("inst-0")?.status).toBe("Healthy");
  expect(table.get("inst-249")?.status).toBe("Unknown");
});

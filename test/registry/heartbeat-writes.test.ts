/**
 * Database writes grow with changes, not with heartbeats (contract §7): a heartbeat alone is written
 * at most once per OB_HEARTBEAT_WRITE_INTERVAL per instance, a status change in the next flush, and
 * the API answers the exact heartbeat from memory. What is stored is read through a second handle on
 * the harness's database (either dialect), which sees only what was committed.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../../src/config";
import type { OpenedDatabase } from "../../src/db/client";
import { openConfiguredDatabase } from "../../src/db/open";
import { silentLogger } from "../../src/lib/log";
import { FakeClock } from "../helpers/fake-clock";
import { tempDir } from "../helpers/temp-dir";
import { registryHarness, type RegistryHarness } from "./harness";
import { list, register } from "./instances";

const INTERVAL = 5_000;
const env = { OB_HEARTBEAT_WRITE_INTERVAL: "5s", OB_UNHEALTHY_AFTER: "1h", OB_INSTANCE_TTL: "10m" };
const URL = "http://127.0.0.1:9311";

/** Second handles opened by {@link stored}, one per harness, closed after each test. */
const readers = new Map<RegistryHarness, Promise<OpenedDatabase>>();
afterEach(async () => {
  for (const reader of readers.values()) await (await reader).close();
  readers.clear();
});

/** The committed row of the one instance: status and lastHeartbeat (epoch ms), through a second handle. */
async function stored(h: RegistryHarness): Promise<{ status: string; lastHeartbeat: number | null }> {
  if (!readers.has(h)) readers.set(h, openConfiguredDatabase(h.deps.config, silentLogger));
  const { db, tables } = (await readers.get(h)!).database;
  const t = tables.registryInstances;
  const rows = await db.select({ status: t.status, lastHeartbeat: t.lastHeartbeat }).from(t);
  expect(rows.length).toBe(1);
  return rows[0]!;
}

/** The one instance's lastHeartbeat as the API answers it (memory), in epoch ms. */
async function answered(h: RegistryHarness): Promise<number> {
  return Date.parse((await list(h))[0].lastHeartbeat);
}

describe("heartbeat writes (OB_HEARTBEAT_WRITE_INTERVAL)", () => {
  test("heartbeats within the write interval cause no write; the API answers the exact heartbeat", async () => {
    const clock = new FakeClock();
    await using h = await registryHarness({ clock, env, probe: async () => true });
    await register(h, "alpha", URL);
    await h.registry.prober.runOnce(); // Unknown → Healthy, a heartbeat
    expect(await h.registry.flusher.runOnce()).toBe(1);
    const written = clock.now();
    for (let i = 0; i < 4; i++) {
      clock.advance(1_000);
      await register(h, "alpha", URL); // the owner's heartbeat
      await h.registry.prober.runOnce(); // and a probe's
      expect(await h.registry.flusher.runOnce()).toBe(0);
    }
    expect(await stored(h)).toEqual({ status: "Healthy", lastHeartbeat: written });
    expect(await answered(h)).toBe(clock.now());
    clock.advance(1_000); // five seconds after the written one
    await register(h, "alpha", URL);
    expect(await h.registry.flusher.runOnce()).toBe(1);
    expect(await stored(h)).toEqual({ status: "Healthy", lastHeartbeat: clock.now() });
  });

  test("a status change is written in the next flush, however recent the written heartbeat", async () => {
    const clock = new FakeClock();
    let alive = true;
    await using h = await registryHarness({ clock, env, probe: async () => alive });
    await register(h, "alpha", URL);
    await h.registry.prober.runOnce();
    await h.registry.flusher.runOnce();
    const seen = clock.now();
    clock.advance(1_000);
    alive = false;
    await h.registry.prober.runOnce(); // Healthy → Unreachable, no heartbeat
    expect(await h.registry.flusher.runOnce()).toBe(1);
    expect(await stored(h)).toEqual({ status: "Unreachable", lastHeartbeat: seen });
    clock.advance(1_000);
    alive = true;
    await h.registry.prober.runOnce(); // Unreachable → Healthy, with its heartbeat
    expect(await h.registry.flusher.runOnce()).toBe(1);
    expect(await stored(h)).toEqual({ status: "Healthy", lastHeartbeat: clock.now() });
  });

  test("after every flush the stored lastHeartbeat is less than a write interval behind memory; one write per interval", async () => {
    const clock = new FakeClock(0);
    await using h = await registryHarness({ clock, env });
    await register(h, "alpha", URL); // committed, no heartbeat yet
    let writes = 0;
    const lags: number[] = [];
    // A heartbeat every 700 ms for about 30 s, and a flush whenever a second boundary passes (the flusher's interval).
    for (let i = 0; i < 42; i++) {
      const before = clock.now();
      clock.advance(700);
      await register(h, "alpha", URL);
      if (Math.floor(clock.now() / 1000) === Math.floor(before / 1000)) continue;
      writes += await h.registry.flusher.runOnce();
      lags.push((await answered(h)) - (await stored(h)).lastHeartbeat!);
    }
    expect(lags.length).toBe(29);
    expect(Math.max(...lags)).toBeLessThan(INTERVAL);
    // 42 heartbeats, 5 written: the first (at 1.4 s), then 7.0, 12.6, 18.2 and 24.5 s.
    expect(writes).toBe(5);
  });

  test("a restart shows the last written heartbeat, not the ones held back", async () => {
    await using dir = tempDir();
    const clock = new FakeClock();
    await using first = await registryHarness({ folder: dir.path, clock, env });
    await register(first, "alpha", URL);
    clock.advance(1_000);
    await register(first, "alpha", URL); // the first heartbeat: written
    await first.registry.flusher.runOnce();
    const written = clock.now();
    clock.advance(3_000);
    await register(first, "alpha", URL); // within the interval: held back
    expect(await answered(first)).toBe(written + 3_000);
    await first.close(); // the graceful stop flushes what is pending; a held-back heartbeat is not pending

    await using second = await registryHarness({ folder: dir.path, clock, env });
    expect(await answered(second)).toBe(written);
    clock.advance(2_000);
    await register(second, "alpha", URL); // five seconds after the written one
    expect(await second.registry.flusher.runOnce()).toBe(1);
  });
});

describe("OB_HEARTBEAT_WRITE_INTERVAL is kept well under OB_INSTANCE_TTL", () => {
  const config = (vars: Record<string, string>) => loadConfig({ OB_LOG_LEVEL: "silent", ...vars });

  test("empty: one minute, or a quarter of a shorter TTL", () => {
    expect(config({}).heartbeatWriteIntervalMs).toBe(60_000);
    expect(config({ OB_INSTANCE_TTL: "2m" }).heartbeatWriteIntervalMs).toBe(30_000);
    expect(config({ OB_INSTANCE_TTL: "8s" }).heartbeatWriteIntervalMs).toBe(2_000);
    expect(config({ OB_INSTANCE_TTL: "0" }).heartbeatWriteIntervalMs).toBe(60_000);
  });

  test("a set value is used up to a quarter of the TTL and refused beyond it, naming both variables", () => {
    expect(config({ OB_HEARTBEAT_WRITE_INTERVAL: "5s" }).heartbeatWriteIntervalMs).toBe(5_000);
    expect(config({ OB_HEARTBEAT_WRITE_INTERVAL: "0" }).heartbeatWriteIntervalMs).toBe(0);
    expect(config({ OB_HEARTBEAT_WRITE_INTERVAL: "30s", OB_INSTANCE_TTL: "2m" }).heartbeatWriteIntervalMs).toBe(30_000);
    expect(config({ OB_HEARTBEAT_WRITE_INTERVAL: "1h", OB_INSTANCE_TTL: "0" }).heartbeatWriteIntervalMs).toBe(3_600_000);
    expect(() => config({ OB_HEARTBEAT_WRITE_INTERVAL: "31s", OB_INSTANCE_TTL: "2m" })).toThrow(ConfigError);
    expect(() => config({ OB_HEARTBEAT_WRITE_INTERVAL: "31s", OB_INSTANCE_TTL: "2m" })).toThrow(/OB_HEARTBEAT_WRITE_INTERVAL.*OB_INSTANCE_TTL/);
    expect(() => config({ OB_HEARTBEAT_WRITE_INTERVAL: "soon" })).toThrow(/OB_HEARTBEAT_WRITE_INTERVAL/);
  });
});

import { describe, expect, test } from "bun:test";
import type { RegistryEvent } from "../../src/modules/registry/routing";
import { onPostgres } from "../helpers/dialect";
import { FakeClock } from "../helpers/fake-clock";
import { registryHarness } from "./harness";
import { list, register } from "./instances";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const env = { OB_UNHEALTHY_AFTER: "15s", OB_INSTANCE_TTL: "10m" };

describe("sweeper (fake clock, runOnce)", () => {
  test("marks Unreachable after the unhealthy threshold, removes after the TTL, and publishes both", async () => {
    const clock = new FakeClock();
    await using h = await registryHarness({ env, clock });
    const events: RegistryEvent[] = [];
    h.registry.routing.subscribe!((e) => events.push(e));
    await register(h, "alpha", { url: "http://127.0.0.1:9311", id: "inst-1" });

    clock.advance(15 * SECOND);
    expect(h.registry.sweeper.runOnce()).toEqual({ markedUnreachable: 0, removed: 0 });
    clock.advance(1);
    expect(h.registry.sweeper.runOnce()).toEqual({ markedUnreachable: 1, removed: 0 });
    expect((await list(h))[0].status).toBe("Unreachable");
    expect(h.registry.sweeper.runOnce()).toEqual({ markedUnreachable: 0, removed: 0 });

    clock.advance(10 * MINUTE - 15 * SECOND);
    expect(h.registry.sweeper.runOnce()).toEqual({ markedUnreachable: 0, removed: 1 });
    expect(await list(h)).toEqual([]);
    expect(h.registry.routing.instancesOf("alpha-svc")).toEqual([]);
    expect(events.map((e) => e.type + (e.type === "removed" ? `:${e.reason}` : ""))).toEqual(["registered", "status", "removed:expired"]);
  });

  test("the owner's re-registration is a heartbeat that restarts both clocks", async () => {
    const clock = new FakeClock();
    await using h = await registryHarness({ env, clock });
    await register(h, "alpha", { url: "http://127.0.0.1:9311", id: "inst-1" });
    clock.advance(9 * MINUTE);
    h.registry.sweeper.runOnce();
    expect((await list(h))[0].status).toBe("Unreachable");
    await register(h, "alpha", "http://127.0.0.1:9311");
    const [instance] = await list(h);
    expect(instance.lastHeartbeat).toBe(new Date(clock.now()).toISOString());
    expect(instance.status).toBe("Unknown");
    clock.advance(9 * MINUTE);
    expect(h.registry.sweeper.runOnce().removed).toBe(0);
    clock.advance(MINUTE + 1);
    expect(h.registry.sweeper.runOnce().removed).toBe(1);
  });

  test("a successful probe is a heartbeat; a failed one is not", async () => {
    const clock = new FakeClock();
    let alive = true;
    await using h = await registryHarness({ env, clock, probe: async () => alive });
    await register(h, "alpha", { url: "http://127.0.0.1:9311", id: "inst-1" });
    clock.advance(MINUTE);
    expect(await h.registry.prober.runOnce()).toMatchObject({ probed: 1, healthy: 1 });
    expect(h.registry.table.get("inst-1")!.lastHeartbeat).toBe(clock.now());
    const seen = clock.now();
    alive = false;
    clock.advance(MINUTE);
    expect(await h.registry.prober.runOnce()).toMatchObject({ probed: 1, unreachable: 1 });
    expect(h.registry.table.get("inst-1")).toMatchObject({ status: "Unreachable", lastHeartbeat: seen });
    clock.advance(9 * MINUTE + 1);
    expect(h.registry.sweeper.runOnce().removed).toBe(1);
  });

  test("OB_INSTANCE_TTL=0 never removes", async () => {
    const clock = new FakeClock();
    await using h = await registryHarness({ env: { ...env, OB_INSTANCE_TTL: "0" }, clock });
    await register(h, "alpha", "http://127.0.0.1:9311");
    clock.advance(365 * 24 * 60 * MINUTE);
    expect(h.registry.sweeper.runOnce()).toEqual({ markedUnreachable: 1, removed: 0 });
    expect(await list(h)).toHaveLength(1);
  });
});

describe("sweeper once per cluster", () => {
  test("runs only while this node leads the sweeper role (always on SQLite, the advisory lock on PostgreSQL); readiness watches what runs", async () => {
    await using h = await registryHarness({ env });
    const leader = h.registry.sweeperLeader;
    const jobs = () => h.registry.jobs().map((j): [string, boolean] => [j.name, j.started]);
    const election: [string, boolean][] = onPostgres ? [["sweeper leader election", true]] : [];
    await leader.start();
    expect([leader.leading, h.registry.sweeper.job.started]).toEqual([true, true]);
    expect(jobs()).toEqual([["health probe", false], ...election, ["instance sweeper", true], ["node heartbeat", false], ["registry flush", false]]);
    await leader.stop();
    expect([leader.leading, h.registry.sweeper.job.started]).toEqual([false, false]);
    // A follower's stopped sweeper is not a readiness failure; its election job is watched instead.
    expect(jobs()).toEqual([["health probe", false], ...election.map(([name]): [string, boolean] => [name, false]), ["node heartbeat", false], ["registry flush", false]]);
  });
});

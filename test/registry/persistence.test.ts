import { describe, expect, test } from "bun:test";
import type { RegistryEvent } from "../../src/modules/registry/routing";
import { FakeClock } from "../helpers/fake-clock";
import { tempDir } from "../helpers/temp-dir";
import { registryHarness } from "./harness";
import { list, register } from "./scenario";

const rowCount = (h: { deps: { sqlite: import("bun:sqlite").Database } }) =>
  (h.deps.sqlite.query("SELECT count(*) AS n FROM registry_instances").get() as { n: number }).n;

describe("write-behind persistence", () => {
  test("a hundred heartbeats of one instance are one row in one flush", async () => {
    await using h = await registryHarness();
    for (let i = 0; i < 100; i++) await register(h, "alpha", "http://127.0.0.1:9311");
    expect(rowCount(h)).toBe(0);
    expect(h.registry.flusher.runOnce()).toBe(1);
    expect(rowCount(h)).toBe(1);
    expect(h.registry.flusher.runOnce()).toBe(0);
  });

  test("heartbeat-only changes are written at most once a minute per instance; status changes at once", async () => {
    const clock = new FakeClock();
    let alive = true;
    await using h = await registryHarness({ clock, probe: async () => alive });
    await register(h, "alpha", "http://127.0.0.1:9311");
    await h.registry.prober.runOnce(); // Unknown → Healthy
    expect(h.registry.flusher.runOnce()).toBe(1);
    clock.advance(30_000);
    await h.registry.prober.runOnce(); // heartbeat only
    expect(h.registry.flusher.runOnce()).toBe(0);
    clock.advance(30_000);
    await h.registry.prober.runOnce(); // a minute since the last written heartbeat
    expect(h.registry.flusher.runOnce()).toBe(1);
    alive = false;
    await h.registry.prober.runOnce(); // Healthy → Unreachable
    expect(h.registry.flusher.runOnce()).toBe(1);
  });

  test("an owner's unchanged re-registration is a heartbeat: no 'registered' event, written at most once a minute", async () => {
    const clock = new FakeClock();
    await using h = await registryHarness({ clock });
    const events: RegistryEvent[] = [];
    h.registry.routing.subscribe!((e) => events.push(e));
    const heartbeat = async (body: Record<string, unknown> = {}) => {
      await register(h, "alpha", { url: "http://127.0.0.1:9311", ...body });
      return h.registry.flusher.runOnce();
    };
    expect(await heartbeat()).toBe(1); // new
    clock.advance(30_000);
    expect(await heartbeat()).toBe(1); // its first heartbeat
    clock.advance(30_000);
    expect(await heartbeat()).toBe(0); // 30 s after the written one
    clock.advance(30_000);
    expect(await heartbeat()).toBe(1); // a minute after it
    expect(await heartbeat({ deploymentId: "depl-2" })).toBe(1); // a changed registration, at once
    expect(events.map((e) => e.type)).toEqual(["registered", "registered"]);
    expect((await list(h))[0]).toMatchObject({ deploymentId: "depl-2", lastHeartbeat: new Date(clock.now()).toISOString() });
  });

  test("instances, statuses, heartbeats and removals survive a restart on the same folder", async () => {
    await using dir = tempDir();
    const clock = new FakeClock();
    await using first = await registryHarness({ folder: dir.path, clock, probe: async () => true });
    await register(first, "alpha", { url: "http://127.0.0.1:9311", id: "keep", deploymentId: "depl-1", healthCheckPath: "/hz" });
    await register(first, "beta", { url: "https://[::1]:8443/api", id: "keep-too" });
    await register(first, "alpha", { url: "http://127.0.0.1:9312", id: "drop" });
    await first.registry.prober.runOnce();
    expect((await first.json("DELETE", "/registry-svc/instance/drop", { token: "alpha" })).status).toBe(204);
    const before = await list(first);
    await first.close(); // stop() flushes what is pending

    await using second = await registryHarness({ folder: dir.path, clock });
    expect(await list(second)).toEqual(before);
    expect(before.map((i) => [i.id, i.status])).toEqual([
      ["keep", "Healthy"],
      ["keep-too", "Healthy"],
    ]);
    expect(second.registry.routing.instancesOf("beta-svc")).toEqual([{ id: "keep-too", slug: "beta-svc", url: "https://[::1]:8443/api", status: "Healthy" }]);
    // Ownership survives too: another slug still gets 409.
    expect((await second.json("PUT", "/registry-svc/instance", { token: "beta", body: { url: "http://127.0.0.1:9311" } })).status).toBe(409);
  });

  test("the node keeps its id across restarts; OB_NODE_ID, OB_REGION and OB_AZ are reported", async () => {
    await using dir = tempDir();
    await using first = await registryHarness({ folder: dir.path });
    const id = (await first.json("GET", "/registry-svc/node/self", { token: "admin" })).body.node.id;
    await first.close();
    await using second = await registryHarness({ folder: dir.path });
    expect((await second.json("GET", "/registry-svc/node/self", { token: "admin" })).body.node.id).toBe(id);
    await second.close();
    await using third = await registryHarness({ folder: dir.path, env: { OB_NODE_ID: "node-abc", OB_REGION: "eu-west", OB_AZ: "eu-west-1a" } });
    const nodes = (await third.json("POST", "/registry-svc/nodes", { token: "admin", body: {} })).body.nodes;
    expect(nodes).toEqual([expect.objectContaining({ id: "node-abc", url: "http://127.0.0.1:0", region: "eu-west", availabilityZone: "eu-west-1a" })]);
  });
});

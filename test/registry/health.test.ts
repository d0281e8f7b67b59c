import { describe, expect, test } from "bun:test";
import type { RegistryEvent } from "../../src/modules/registry/routing";
import { registryHarness, type RegistryHarness } from "./harness";
import { register } from "./instances";
import { waitFor } from "../helpers/wait";

const INTERVAL = 300;
const TIMEOUT = 400;
const env = { OB_HEALTH_INTERVAL: `${INTERVAL}ms`, OB_HEALTH_TIMEOUT: `${TIMEOUT}ms`, OB_HEALTH_DEGRADED_AFTER: "150ms" };
// The machine has 2 busy cores: every deadline gets generous slack on top of what the contract promises.
const SLACK = 1500;

const statusOf = (h: RegistryHarness, id: string) => h.registry.table.get(id)?.status;

function tcpListener() {
  return Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {}, open() {} } });
}

function httpServer(handler: (req: Request) => Response | Promise<Response>) {
  return Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handler });
}

describe("health probing with real sockets", () => {
  test("a listening TCP instance becomes Healthy within one interval, with a heartbeat", async () => {
    await using h = await registryHarness({ env });
    using listener = tcpListener();
    h.registry.start?.();
    await register(h, "alpha", { url: `http://127.0.0.1:${listener.port}`, id: "inst-1" });
    await waitFor("Healthy", () => statusOf(h, "inst-1") === "Healthy", INTERVAL + SLACK);
    expect(h.registry.table.get("inst-1")!.lastHeartbeat).toBeGreaterThan(Date.now() - 10_000);
  });

  test("when it stops listening it becomes Unreachable within one interval plus the timeout", async () => {
    await using h = await registryHarness({ env });
    using listener = tcpListener();
    h.registry.start?.();
    await register(h, "alpha", { url: `http://127.0.0.1:${listener.port}`, id: "inst-1" });
    await waitFor("Healthy", () => statusOf(h, "inst-1") === "Healthy", INTERVAL + SLACK);
    const seen = h.registry.table.get("inst-1")!.lastHeartbeat;
    listener.stop(true);
    await waitFor("Unreachable", () => statusOf(h, "inst-1") === "Unreachable", INTERVAL + TIMEOUT + SLACK);
    expect(h.registry.table.get("inst-1")!.lastHeartbeat).toBeGreaterThanOrEqual(seen!);
  });

  test("an HTTP-probed instance is Healthy on 2xx and 3xx and Unreachable on 500", async () => {
    await using h = await registryHarness({ env });
    using server = httpServer((req) => {
      const path = new URL(req.url).pathname;
      if (path === "/ok") return new Response("ok");
      if (path === "/moved") return new Response(null, { status: 302, headers: { location: "/elsewhere" } });
      return new Response("boom", { status: 500 });
    });
    h.registry.start?.();
    const base = `http://127.0.0.1:${server.port}`;
    await register(h, "alpha", { url: `${base}/a`, id: "ok", healthCheckPath: "/ok" });
    await register(h, "alpha", { url: `${base}/b`, id: "moved", healthCheckPath: "/moved" });
    await register(h, "alpha", { url: `${base}/c`, id: "broken", healthCheckPath: "/broken" });
    await waitFor(
      "all three probed",
      () => statusOf(h, "ok") === "Healthy" && statusOf(h, "moved") === "Healthy" && statusOf(h, "broken") === "Unreachable",
      INTERVAL + SLACK,
    );
  });

  test("a slow instance is Degraded, and it does not delay a fast one", async () => {
    await using h = await registryHarness({ env: { ...env, OB_HEALTH_TIMEOUT: "5s" } });
    // The slow answer waits for the test's release (and at least 300 ms, past the 150 ms threshold),
    // so "still in flight while the fast one is decided" holds however loaded the machine is.
    const { promise: released, resolve: release } = Promise.withResolvers<void>();
    using server = httpServer(async (req) => {
      if (new URL(req.url).pathname === "/slow") await Promise.all([released, Bun.sleep(300)]);
      return new Response("ok");
    });
    h.registry.start?.();
    const base = `http://127.0.0.1:${server.port}`;
    await register(h, "alpha", { url: `${base}/slow`, id: "slow", healthCheckPath: "/slow" });
    await register(h, "alpha", { url: `${base}/fast`, id: "fast", healthCheckPath: "/fast" });
    await waitFor("fast Healthy", () => statusOf(h, "fast") === "Healthy", INTERVAL + SLACK);
    expect(statusOf(h, "slow")).toBe("Unknown");
    release();
    await waitFor("slow Degraded", () => statusOf(h, "slow") === "Degraded", 300 + INTERVAL + SLACK);
  });

  test("status changes are published at once, and a proxy connect failure marks Unreachable immediately", async () => {
    await using h = await registryHarness({ env });
    using listener = tcpListener();
    const events: RegistryEvent[] = [];
    h.registry.routing.subscribe!((e) => events.push(e));
    h.registry.start?.();
    await register(h, "alpha", { url: `http://127.0.0.1:${listener.port}`, id: "inst-1" });
    await waitFor("Healthy", () => statusOf(h, "inst-1") === "Healthy", INTERVAL + SLACK);
    expect(h.registry.routing.instancesOf("alpha-svc")).toEqual([{ id: "inst-1", slug: "alpha-svc", url: `http://127.0.0.1:${listener.port}`, status: "Healthy" }]);
    h.registry.routing.reportConnectFailure("inst-1");
    expect(h.registry.routing.instancesOf("alpha-svc")[0]!.status).toBe("Unreachable");
    expect(events.map((e) => (e.type === "status" ? `${e.previous}->${e.instance.status}` : e.type))).toEqual([
      "registered",
      "Unknown->Healthy",
      "Healthy->Unreachable",
    ]);
  });
});

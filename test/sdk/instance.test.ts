import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { InstanceRegistration, normaliseUrl, ServerError, ServiceSession, type InstanceOptions } from "../../sdk/index.ts";
import { FakeClock } from "../helpers/fake-clock";
import { tempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait";
import { fake1Backend } from "./fake-1backend";

/** Polls `condition` until it holds (the SDK's heartbeat loop runs on real timers). */
const until = (what: string, condition: () => boolean) => waitFor(what, condition, 10_000, 20);

const INTERVAL = 50;

/** A fake 1Backend and an instance heartbeating every {@link INTERVAL} ms, on real timers unless given `sleep`. */
async function setup(sleep?: InstanceOptions["sleep"]) {
  const server = await fake1Backend();
  const dir = tempDir();
  const session = new ServiceSession({ serverUrl: server.url, slug: "my-svc", credentialsFile: join(dir.path, "c.json") });
  const instance = new InstanceRegistration({ serverUrl: server.url, selfUrl: "http://127.0.0.1:9311", session, intervalMs: INTERVAL, sleep });
  return {
    server, session, instance,
    async [Symbol.asyncDispose]() {
      await instance.stop().catch(() => {});
      await server[Symbol.asyncDispose]();
      dir[Symbol.dispose]();
    },
  };
}

describe("InstanceRegistration", () => {
  test("registers the instance under the service's slug and keeps heartbeating", async () => {
    await using t = await setup();
    await t.instance.start();
    expect([...t.server.instances.values()].map((i) => ({ url: i.url, slug: i.slug }))).toEqual([{ url: "http://127.0.0.1:9311", slug: "my-svc" }]);
    const puts = () => t.server.calls.filter((c) => c === "PUT /registry-svc/instance").length;
    await until("three heartbeats", () => puts() >= 3);
    expect(t.server.instances.size).toBe(1);
  });

  test("re-registers after the server forgot it (fresh database: 401, log in again, register)", async () => {
    await using t = await setup();
    await t.instance.start();
    t.server.wipe();
    await until("the instance registered again", () => [...t.server.instances.values()].some((i) => i.slug === "my-svc"));
    expect(t.server.users.has("my-svc")).toBe(true);
  });

  test("re-registers after an admin removed the instance", async () => {
    await using t = await setup();
    await t.instance.start();
    t.server.instances.clear();
    await until("the instance registered again", () => t.server.instances.size === 1);
  });

  test("keeps retrying while the server is down and recovers", async () => {
    await using t = await setup();
    await t.instance.start();
    t.server.failWith = 503;
    const failedAt = t.server.calls.length;
    await until("two failed heartbeats", () => t.server.calls.length >= failedAt + 2);
    t.server.instances.clear();
    t.server.failWith = undefined;
    await until("the instance registered after recovery", () => t.server.instances.size === 1);
  });

  test("stop deregisters the instance and heartbeats stop", async () => {
    const clock = new FakeClock();
    await using t = await setup(clock.sleep);
    await t.instance.start();
    const puts = () => t.server.calls.filter((c) => c === "PUT /registry-svc/instance").length;
    const registered = puts();
    expect(clock.waiting).toBe(1); // the heartbeat loop waits on the fake clock
    clock.advance(INTERVAL);
    await until("a heartbeat", () => puts() > registered);
    await t.instance.stop();
    expect(t.server.instances.size).toBe(0);
    const count = t.server.calls.length;
    expect(clock.waiting).toBe(0); // no heartbeat is left waiting for its time
    clock.advance(10 * INTERVAL); // several intervals: nothing may be sent after stop
    expect(clock.waiting).toBe(0);
    expect(t.server.calls.length).toBe(count);
  });

  test("stop gives up after stopTimeoutMs when the server cannot be reached to deregister", async () => {
    // 10 s tokens are always within the 30 s renewal margin: deregistering needs a login, which retries.
    await using server = await fake1Backend({ tokenSeconds: 10 });
    await using dir = tempDir();
    const session = new ServiceSession({ serverUrl: server.url, slug: "my-svc", credentialsFile: join(dir.path, "c.json"), retryTimeoutMs: 3_000 });
    const instance = new InstanceRegistration({ serverUrl: server.url, selfUrl: "http://127.0.0.1:9311", session, intervalMs: 60_000, stopTimeoutMs: 300 });
    await instance.start();
    server.failWith = 503;
    const started = performance.now();
    await expect(instance.stop()).rejects.toThrow("deregistration did not finish within 300 ms");
    expect(performance.now() - started).toBeLessThan(2_500);
    // The login behind the deregistration keeps retrying until retryTimeoutMs: wait until it gives up,
    // or it re-creates the credentials file (and the temp folder) after the folder was removed.
    await session.token().catch(() => {});
  }, 10_000);

  test("start fails at once when the URL is owned by another slug", async () => {
    await using t = await setup();
    t.server.instances.set("inst-x", { id: "inst-x", url: "http://127.0.0.1:9311", slug: "other-svc", status: "Healthy", lastHeartbeat: "" });
    const err = await t.instance.start().catch((e) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err.status).toBe(409);
  });
});

describe("normaliseUrl", () => {
  test("lowercases, makes the default port explicit and drops the trailing slash", () => {
    expect(normaliseUrl("HTTP://Example.COM/")).toBe("http://example.com:80");
    expect(normaliseUrl("https://h/api/")).toBe("https://h:443/api");
    expect(normaliseUrl("http://127.0.0.1:9311")).toBe("http://127.0.0.1:9311");
  });
});

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { selfUrlFromEnv, serverUrlFromEnv, startService } from "../../sdk/index.ts";
import { tempDir } from "../helpers/temp-dir";
import { startSkeleton } from "../e2e/skeleton-process";
import { fake1Backend } from "./fake-1backend";

describe("startService", () => {
  test("reads OB_URL/SELF_URL, registers the instance and deregisters on stop", async () => {
    await using server = await fake1Backend();
    await using dir = tempDir();
    const env = { OB_URL: server.url, SELF_URL: "http://127.0.0.1:9411", HOME: dir.path };
    const svc = await startService({ slug: "env-svc", env, log: () => {} });
    expect({ server: svc.serverUrl, self: svc.selfUrl, file: svc.credentialsFile }).toEqual({
      server: server.url, self: "http://127.0.0.1:9411", file: join(dir.path, ".1backend", "services", "env-svc.json"),
    });
    expect([...server.instances.values()].map((i) => i.slug)).toEqual(["env-svc"]);
    await svc.stop();
    expect(server.instances.size).toBe(0);
  });

  test("refuses to start without a self URL, naming SELF_URL", async () => {
    await expect(startService({ slug: "x-svc", env: {} })).rejects.toThrow(/set SELF_URL \(or OB_INSTANCE_URL\)/);
  });

  test("takes a shell that exported the server's OB_SELF_URL: the service's own URL is SELF_URL", async () => {
    await using server = await fake1Backend();
    await using dir = tempDir();
    const env = { OB_SELF_URL: server.url, OB_URL: server.url, SELF_URL: "http://127.0.0.1:9412", HOME: dir.path };
    await using svc = await startService({ slug: "shell-svc", env, log: () => {} });
    expect([...server.instances.values()].map((i) => i.url)).toEqual(["http://127.0.0.1:9412"]);
    expect(svc.selfUrl).toBe("http://127.0.0.1:9412");
  });
});

describe("service-side environment", () => {
  test("own URL: SELF_URL, then OB_INSTANCE_URL, then the fallback; never the server's OB_SELF_URL", () => {
    const server = "http://127.0.0.1:11337";
    expect([
      selfUrlFromEnv({ SELF_URL: "http://127.0.0.1:1", OB_INSTANCE_URL: "http://127.0.0.1:2", OB_SELF_URL: server }),
      selfUrlFromEnv({ OB_INSTANCE_URL: "http://127.0.0.1:2", OB_SELF_URL: server }),
      selfUrlFromEnv({ OB_SELF_URL: server }, "http://127.0.0.1:3"),
    ]).toEqual(["http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3"]);
    expect(() => selfUrlFromEnv({ OB_SELF_URL: server })).toThrow("OB_SELF_URL is the server's own URL; services do not read it");
  });

  test("server URL: OB_SERVER_URL, then OB_URL, then http://127.0.0.1:11337; never OB_SELF_URL", () => {
    expect([
      serverUrlFromEnv({ OB_SERVER_URL: "http://127.0.0.1:1/", OB_URL: "http://127.0.0.1:2" }),
      serverUrlFromEnv({ OB_URL: "http://127.0.0.1:2", OB_SELF_URL: "http://127.0.0.1:3" }),
      serverUrlFromEnv({ OB_SELF_URL: "http://127.0.0.1:3" }),
    ]).toEqual(["http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:11337"]);
  });
});

describe("examples/skeleton-svc", () => {
  test("serves /skeleton-svc/hello, registers the port it bound (SELF_URL port 0), and deregisters then exits 0 on SIGTERM", async () => {
    await using server = await fake1Backend();
    await using dir = tempDir();
    await using skeleton = await startSkeleton({ serverUrl: server.url, port: 0, home: dir.path });
    expect(skeleton.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(await (await fetch(`${skeleton.url}/skeleton-svc/hello`)).json()).toEqual({ hello: "world" });
    expect([...server.instances.values()].map((i) => ({ slug: i.slug, url: i.url }))).toEqual([{ slug: "skeleton-svc", url: skeleton.url }]);
    expect(await skeleton.stop()).toBe(0);
    expect(server.instances.size).toBe(0);
  });

  test("the seed command OB_URL=… SELF_URL=… works in a shell that exported the server's OB_SELF_URL", async () => {
    await using server = await fake1Backend();
    await using dir = tempDir();
    await using skeleton = await startSkeleton({ serverUrl: server.url, port: 0, home: dir.path, env: { OB_SELF_URL: server.url } });
    expect(skeleton.url).not.toBe(server.url);
    expect([...server.instances.values()].map((i) => ({ slug: i.slug, url: i.url }))).toEqual([{ slug: "skeleton-svc", url: skeleton.url }]);
    expect(await (await fetch(`${skeleton.url}/skeleton-svc/hello`)).json()).toEqual({ hello: "world" });
  });
});

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { startService } from "../../sdk";
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

  test("refuses to start without a self URL", async () => {
    await expect(startService({ slug: "x-svc", env: {} })).rejects.toThrow(/OB_SELF_URL/);
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
});

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { startService } from "../../sdk";
import { tempDir } from "../helpers/temp-dir";
import { fake1Backend } from "./fake-1backend";

const root = join(import.meta.dir, "..", "..");

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
  test("serves /skeleton-svc/hello, registers itself, and deregisters then exits 0 on SIGTERM", async () => {
    await using server = await fake1Backend();
    await using dir = tempDir();
    const proc = Bun.spawn(["bun", join(root, "examples/skeleton-svc/main.ts")], {
      env: { ...process.env, HOME: dir.path, OB_URL: server.url, SELF_URL: "http://127.0.0.1:0" },
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      const reader = proc.stdout.getReader();
      const { value } = await reader.read();
      const ready = JSON.parse(new TextDecoder().decode(value).split("\n")[0]!) as { url: string };
      expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(`${ready.url}/skeleton-svc/hello`)).json()).toEqual({ hello: "world" });
      expect([...server.instances.values()].map((i) => ({ slug: i.slug, url: i.url }))).toEqual([{ slug: "skeleton-svc", url: ready.url }]);
      proc.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
      expect(server.instances.size).toBe(0);
    } finally {
      proc.kill("SIGKILL");
    }
  });
});

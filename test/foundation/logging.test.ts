/**
 * Logs (issue 10): OB_LOG_FORMAT=text gives `time LEVEL msg key=value` lines, JSON stays the default;
 * registry events (instance registered, status change old → new, removed, expired; node joined/left)
 * are logged at info.
 */
import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/lib/log";
import { FakeClock } from "../helpers/fake-clock";
import { testServer } from "../helpers/server";
import { waitFor } from "../helpers/wait";
import { echoUpstream } from "../proxy/helpers";

describe("log format", () => {
  test("text: one readable line, values quoted only when they need it; json stays the default", () => {
    const lines: string[] = [];
    const text = createLogger("info", (line) => void lines.push(line), "text");
    text.info("request", { id: "abc", status: 200, path: "/a b", ok: true, gone: undefined, obj: { x: 1 } });
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO  request id=abc status=200 path="\/a b" ok=true obj="\{\\"x\\":1\}"$/);
    createLogger("info", (line) => void lines.push(line)).info("request", { id: "abc" });
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: "info", msg: "request", id: "abc" });
    expect(loadConfig({}).logFormat).toBe("json");
    expect(loadConfig({ OB_LOG_FORMAT: "text" }).logFormat).toBe("text");
    expect(() => loadConfig({ OB_LOG_FORMAT: "pretty" })).toThrow(/OB_LOG_FORMAT/);
  });
});

describe("registry events at info", () => {
  test("registered, status change with old → new, removed, expired; node joined and left", async () => {
    const lines: any[] = [];
    const clock = new FakeClock(Date.now());
    await using up = echoUpstream();
    const log = createLogger("info", (line) => void lines.push(JSON.parse(line)));
    await using s = await testServer({ log, clock, env: { OB_INSTANCE_TTL: "10m", OB_UNHEALTHY_AFTER: "1m" } });
    const nodeId = s.deps.registry.nodes.self().id;
    expect(lines.find((l) => l.msg === "node joined")).toMatchObject({ level: "info", node: nodeId, url: s.url });
    const register = await fetch(`${s.url}/user-svc/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ appHost: "x", slug: "skeleton-svc", password: "skeleton-svc-password" }) });
    const token = ((await register.json()) as any).token.token;
    const put = (url: string) => fetch(`${s.url}/registry-svc/instance`, { method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ url }) });
    expect((await put(up.url)).status).toBe(201);
    const registered = lines.find((l) => l.msg === "instance registered");
    expect(registered).toMatchObject({ level: "info", slug: "skeleton-svc", url: up.url, status: "Unknown" });
    const id = registered.instance;
    await waitFor("the first probe", () => lines.find((l) => l.msg === "instance status Unknown → Healthy"));
    expect(lines.find((l) => l.msg === "instance status Unknown → Healthy")).toMatchObject({ instance: id, from: "Unknown", to: "Healthy" });

    expect((await fetch(`${s.url}/registry-svc/instance/${id}`, { method: "DELETE", headers: { authorization: `Bearer ${token}` } })).status).toBe(204);
    expect(lines.find((l) => l.msg === "instance removed")).toMatchObject({ instance: id, slug: "skeleton-svc", url: up.url });

    // An instance never seen alive expires after the TTL (the sweeper, driven by hand).
    const dead = `http://127.0.0.1:1`;
    await s.deps.registry.prober.stop();
    expect((await put(dead)).status).toBe(201);
    clock.advance(11 * 60_000);
    s.deps.registry.sweeper.runOnce();
    expect(lines.find((l) => l.msg === "instance expired and removed")).toMatchObject({ slug: "skeleton-svc", url: dead });

    await s.stop(1000);
    expect(lines.at(-1)).toMatchObject({ level: "info", msg: "node left", node: nodeId });
  });
});

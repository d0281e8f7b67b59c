/**
 * Health endpoints (contract §2 health row, issue 10): `/healthz` and `/livez` say the process is up;
 * `/readyz` checks that the database takes a write, every migration is applied and every background
 * job runs, and answers 503 naming what failed; `1backend --health-check` asks `/readyz`. Also: the
 * OB_ADMIN_PASSWORD warning once the admin exists. Tests named "(SQLite)" break the database through
 * the raw SQLite connection and are skipped on the PostgreSQL run.
 */
import { describe, expect, test } from "bun:test";
import { Readiness } from "../../src/modules/observability/readiness";
import { onPostgres } from "../helpers/dialect";
import { FakeClock } from "../helpers/fake-clock";
import { testServer, type TestServer } from "../helpers/server";
import { tempDir } from "../helpers/temp-dir";
import { createLogger } from "../../src/lib/log";

async function get(s: TestServer, path: string) {
  const r = await fetch(`${s.url}${path}`);
  return { status: r.status, body: (await r.json()) as any };
}

const READY = { status: "ok", checks: { database: { status: "ok" }, migrations: { status: "ok" }, jobs: { status: "ok" } } };

describe("health endpoints", () => {
  test("/healthz and /livez answer 200 {status, checks} without a token; /health stays", async () => {
    await using s = await testServer();
    for (const path of ["/healthz", "/livez"]) expect(await get(s, path)).toEqual({ status: 200, body: { status: "ok", checks: { process: { status: "ok" } } } });
    expect((await get(s, "/health")).body.status).toBe("ok");
  });

  test("/readyz answers 200 with every check ok on a started server", async () => {
    await using s = await testServer();
    expect(await get(s, "/readyz")).toEqual({ status: 200, body: READY });
  });

  test.skipIf(onPostgres)("/readyz answers 503 naming the database once it stops taking writes, and 200 again when it does (SQLite)", async () => {
    const clock = new FakeClock(Date.now());
    await using s = await testServer({ clock });
    expect((await get(s, "/readyz")).status).toBe(200);
    s.deps.sqlite!.run("PRAGMA query_only = ON"); // every write now fails with SQLITE_READONLY
    clock.advance(1001); // past the one-second cache of the report
    const down = await get(s, "/readyz");
    expect(down.status).toBe(503);
    expect(down.body.status).toBe("unavailable");
    expect(down.body.checks.database).toEqual({ status: "fail", reason: "the database did not take a write (SQLITE_READONLY)" });
    expect(down.body.checks.jobs).toEqual({ status: "ok" });
    // Liveness does not depend on the database.
    expect((await get(s, "/livez")).status).toBe(200);
    s.deps.sqlite!.run("PRAGMA query_only = OFF");
    clock.advance(1001);
    expect(await get(s, "/readyz")).toEqual({ status: 200, body: READY });
  });

  test("/readyz answers 503 when a background job is not running", async () => {
    await using s = await testServer();
    await s.deps.registry.sweeper.stop();
    const r = await get(s, "/readyz");
    expect(r.status).toBe(503);
    expect(r.body.checks.jobs).toEqual({ status: "fail", reason: "instance sweeper is not running" });
  });

  test.skipIf(onPostgres)("/readyz answers 503 when the database lacks a migration the binary carries (SQLite)", async () => {
    await using s = await testServer();
    s.deps.sqlite!.run("DELETE FROM __drizzle_migrations");
    const r = await get(s, "/readyz");
    expect(r.status).toBe(503);
    expect(r.body.checks.migrations.status).toBe("fail");
    expect(r.body.checks.migrations.reason).toMatch(/^0 of \d+ migrations applied$/);
  });

  test("readiness counts the database's applied migrations against the ones the binary carries", async () => {
    await using s = await testServer();
    const applied = await s.deps.database.appliedMigrations();
    expect(applied).toBeGreaterThan(0);
    const carriesOneMore = new Readiness({ database: s.deps.database, clock: s.deps.clock, expectedMigrations: applied + 1, jobs: () => [] });
    expect(await carriesOneMore.check()).toEqual({
      status: "unavailable",
      checks: { database: { status: "ok" }, migrations: { status: "fail", reason: `${applied} of ${applied + 1} migrations applied` }, jobs: { status: "ok" } },
    });
  });

  test("the health paths are built-in: a wrong method is 405, not a proxy attempt, and their names are reserved slugs", async () => {
    await using s = await testServer();
    for (const path of ["/healthz", "/livez", "/readyz", "/metrics"]) expect((await fetch(`${s.url}${path}`, { method: "DELETE" })).status).toBe(405);
    for (const slug of ["healthz", "livez", "readyz", "metrics"]) {
      const r = await fetch(`${s.url}/user-svc/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ appHost: "x", slug, password: "long-enough-password" }) });
      expect(r.status).toBe(409);
    }
  });

  test("1backend --health-check exits 0 when the server is ready and 1 when it is not", async () => {
    const clock = new FakeClock(Date.now());
    await using s = await testServer({ clock });
    const check = async () => {
      const child = Bun.spawn(["bun", `${import.meta.dir}/../../src/main.ts`, "--health-check"], {
        env: { ...process.env, OB_SELF_URL: s.url, OB_LISTEN: "" },
        stdout: "ignore",
        stderr: "ignore",
      });
      return child.exited;
    };
    expect(await check()).toBe(0);
    await s.deps.registry.prober.stop(); // /health would still say ok; readiness does not
    clock.advance(1001);
    expect(await check()).toBe(1);
  });
});

describe("OB_ADMIN_PASSWORD", () => {
  test("set after the admin exists, a warning says it is ignored and how to change the password", async () => {
    using dir = tempDir();
    const lines: string[] = [];
    const log = createLogger("warn", (line) => void lines.push(line));
    await (await testServer({ folder: dir.path, env: { OB_ADMIN_PASSWORD: "first-password" }, log })).stop(1000);
    expect(lines.filter((l) => l.includes("OB_ADMIN_PASSWORD"))).toEqual([]);
    await using again = await testServer({ folder: dir.path, env: { OB_ADMIN_PASSWORD: "second-password" }, log });
    const warning = lines.map((l) => JSON.parse(l)).find((l) => l.msg.includes("OB_ADMIN_PASSWORD"));
    expect(warning?.level).toBe("warn");
    expect(warning?.msg).toContain("ignored");
    expect(warning?.msg).toContain("oo passwd");
    // And it was ignored indeed: the first password still logs in.
    const login = await fetch(`${again.url}/user-svc/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ appHost: "x", slug: "1backend", password: "first-password" }) });
    expect(login.status).toBe(200);
  });
});

describe("while the server is starting", () => {
  test("/livez and /healthz answer 200 (the process is up) while /readyz and the API answer 503 http.starting", async () => {
    const { createPasswordHasher } = await import("../../src/modules/user/identity/passwords");
    const { startServer } = await import("../../src/serve");
    const { testConfig } = await import("../helpers/config");
    const real = await createPasswordHasher(true);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let hashing!: () => void;
    const startedHashing = new Promise<void>((resolve) => (hashing = resolve));
    // The bootstrap admin's password is hashed during start-up: holding that hash holds the start.
    const passwords = { hash: async (p: string) => (hashing(), await held, real.hash(p)), verify: real.verify };
    const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = probe.port;
    probe.stop(true);
    await using dir = tempDir();
    const starting = startServer(testConfig(dir.path, { OB_SELF_URL: `http://127.0.0.1:${port}` }), { fastCrypto: true, passwords });
    await startedHashing;
    const url = `http://127.0.0.1:${port}`;
    const seen: Record<string, { status: number; code?: string }> = {};
    try {
      for (const path of ["/livez", "/healthz", "/readyz", "/user-svc/public-key"]) {
        const r = await fetch(`${url}${path}`);
        const body = (await r.json()) as { status?: string; code?: string };
        seen[path] = r.status === 200 ? { status: 200 } : { status: r.status, code: body.code };
      }
    } finally {
      release();
    }
    await using server = await starting;
    expect(seen).toEqual({
      "/livez": { status: 200 },
      "/healthz": { status: 200 },
      "/readyz": { status: 503, code: "http.starting" },
      "/user-svc/public-key": { status: 503, code: "http.starting" },
    });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});

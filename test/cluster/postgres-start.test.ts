/**
 * The compiled server on PostgreSQL (issue 12): it starts on an empty database, serves, and finds its
 * state again after a restart; OB_DB_PREFIX keeps two servers in one database apart; a connection
 * string that cannot work stops the start at once, naming the variable. A private PostgreSQL per file.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startBinary, requireBinary, SERVER_BINARY } from "../helpers/binary";
import { pump } from "../helpers/child-process";
import { startPostgres, type PostgresServer } from "../helpers/postgres";
import { tempDir } from "../helpers/temp-dir";
import { call } from "../helpers/call";

let pg: PostgresServer;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.[Symbol.asyncDispose]();
});

const randomPrefix = () => `p${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}_`;
const onPostgres = (prefix: string, extra: Record<string, string> = {}) => ({
  OB_DB: "postgres",
  OB_DB_CONNECTION_STRING: pg.url,
  OB_DB_PREFIX: prefix,
  OB_ADMIN_PASSWORD: "admin-pass-123",
  ...extra,
});

/** Runs the binary expecting it to fail its start; resolves with its exit code, output and run time. */
async function failedStart(env: Record<string, string>, timeoutMs = 20_000) {
  await using dir = tempDir();
  const started = performance.now();
  const proc = Bun.spawn([requireBinary(SERVER_BINARY)], {
    cwd: dir.path,
    env: { PATH: "/usr/bin:/bin", HOME: dir.path, OB_SELF_URL: "http://127.0.0.1:0", OB_FOLDER: dir.path, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  const killer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  const [code] = await Promise.all([proc.exited, pump(proc.stdout, (l) => lines.push(l)), pump(proc.stderr, (l) => lines.push(l))]);
  clearTimeout(killer);
  return { code, output: lines.join("\n"), ms: performance.now() - started };
}

describe("the binary on PostgreSQL", () => {
  test("starts on an empty database, serves accounts and the registry, and finds them again after a restart", async () => {
    await using dir = tempDir();
    using upstream = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("from the instance") });
    const env = onPostgres(randomPrefix());
    let instanceUrl: string;
    {
      await using server = await startBinary({ folder: dir.path, env });
      const registered = await call("POST", `${server.url}/user-svc/register`, { appHost: "unnamed", slug: "pg-svc", password: "pg-svc-password" });
      expect(registered.status).toBe(200);
      const login = await call("POST", `${server.url}/user-svc/login`, { appHost: "unnamed", slug: "pg-svc", password: "pg-svc-password" });
      expect(login.status).toBe(200);
      instanceUrl = `http://127.0.0.1:${upstream.port}`;
      expect((await call("PUT", `${server.url}/registry-svc/instance`, { url: instanceUrl }, login.body.token.token)).status).toBe(201);
      expect(await (await fetch(`${server.url}/pg-svc/hello`)).text()).toBe("from the instance");
      expect(await server.stop()).toBe(0);
    }
    await using server = await startBinary({ folder: dir.path, env });
    const login = await call("POST", `${server.url}/user-svc/login`, { appHost: "unnamed", slug: "pg-svc", password: "pg-svc-password" });
    expect(login.status).toBe(200);
    const admin = await call("POST", `${server.url}/user-svc/login`, { appHost: "unnamed", slug: "1backend", password: "admin-pass-123" });
    expect(admin.status).toBe(200);
    const listed = await call("GET", `${server.url}/registry-svc/instances`, undefined, admin.body.token.token);
    expect(listed.status).toBe(200);
    expect(listed.body.instances.map((i: { url: string }) => i.url)).toEqual([instanceUrl]);
    expect(await (await fetch(`${server.url}/pg-svc/hello`)).text()).toBe("from the instance");
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  }, 60_000);

  test("two prefixes in one database do not see each other", async () => {
    await using dirA = tempDir();
    await using dirB = tempDir();
    await using a = await startBinary({ folder: dirA.path, env: onPostgres(randomPrefix()) });
    await using b = await startBinary({ folder: dirB.path, env: onPostgres(randomPrefix(), { OB_ADMIN_PASSWORD: "other-admin-pass" }) });
    expect((await call("POST", `${a.url}/user-svc/register`, { appHost: "unnamed", slug: "alice", password: "alice-password" })).status).toBe(200);
    expect((await call("POST", `${b.url}/user-svc/login`, { appHost: "unnamed", slug: "alice", password: "alice-password" })).status).toBe(401);
    expect((await call("POST", `${b.url}/user-svc/register`, { appHost: "unnamed", slug: "alice", password: "another-password" })).status).toBe(200);
    expect((await call("POST", `${a.url}/user-svc/login`, { appHost: "unnamed", slug: "alice", password: "another-password" })).status).toBe(401);
    // Each has its own bootstrap admin, with its own password.
    expect((await call("POST", `${a.url}/user-svc/login`, { appHost: "unnamed", slug: "1backend", password: "admin-pass-123" })).status).toBe(200);
    expect((await call("POST", `${b.url}/user-svc/login`, { appHost: "unnamed", slug: "1backend", password: "admin-pass-123" })).status).toBe(401);
  }, 60_000);

  test("wrong credentials stop the start at once, naming OB_DB_CONNECTION_STRING and not the password", async () => {
    const wrong = new URL(pg.url);
    wrong.password = "not-the-password";
    const result = await failedStart(onPostgres(randomPrefix(), { OB_DB_CONNECTION_STRING: wrong.toString() }));
    expect(result.code).toBe(4);
    expect(result.output).toContain("OB_DB_CONNECTION_STRING");
    expect(result.output).toContain("refused the credentials");
    expect(result.output).not.toContain("not-the-password");
    expect(result.ms).toBeLessThan(10_000);
  }, 30_000);

  test("an unknown database stops the start at once", async () => {
    const unknown = new URL(pg.url);
    unknown.pathname = "/no_such_database";
    const result = await failedStart(onPostgres(randomPrefix(), { OB_DB_CONNECTION_STRING: unknown.toString() }));
    expect([result.code, result.output.includes("the database does not exist")]).toEqual([4, true]);
  }, 30_000);

  test("nothing listening: retries, logging each attempt, until OB_DB_CONNECT_TIMEOUT, then exits naming the variables", async () => {
    const closed = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = closed.port;
    closed.stop(true);
    const nowhere = new URL(pg.url);
    nowhere.port = String(port);
    const result = await failedStart(onPostgres(randomPrefix(), { OB_DB_CONNECTION_STRING: nowhere.toString(), OB_DB_CONNECT_TIMEOUT: "2s" }));
    expect(result.code).toBe(4);
    expect(result.output).toContain("OB_DB_CONNECT_TIMEOUT");
    expect(result.output).toContain("OB_DB_CONNECTION_STRING");
    expect(result.output.split("\n").filter((l) => l.includes("database not reachable yet")).length).toBeGreaterThanOrEqual(2);
    expect(result.ms).toBeLessThan(10_000);
  }, 30_000);
});

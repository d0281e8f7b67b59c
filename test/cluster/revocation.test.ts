/**
 * Token revocation across a cluster (issue 12, contract §7): three compiled-binary nodes on one
 * private PostgreSQL. A token that node B has already accepted (so B holds it as live in memory) is
 * refused by B's API and B's proxy within a second of its revocation through node A — by logout, by a
 * password change, by an API key's revocation and by the user's deletion — and also when the
 * notification is lost (the listener connections killed with pg_terminate_backend): the re-listen or
 * the fallback poll catches up. Each latency (revocation answered on A → B answers 401) is printed.
 * PostgreSQL only; build first (`./scripts/build.sh`).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { startBinary, type BinaryServer } from "../helpers/binary";
import { onPostgres } from "../helpers/dialect";
import { startPostgres, type PostgresServer } from "../helpers/postgres";
import { tempDir, type TempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait";
import { call } from "../helpers/call";

const APP = "unnamed";
const WITHIN_MS = 1000;

let pg: PostgresServer;
let dirs: TempDir[] = [];
let nodes: BinaryServer[] = [];
let upstream: ReturnType<typeof Bun.serve> | undefined;
const latencies: Record<string, number[]> = {};

const [A, B, C] = [0, 1, 2];
const url = (node: number, path: string) => `${nodes[node]!.url}${path}`;
const self = async (node: number, token: string) => (await call("POST", url(node, "/user-svc/self"), {}, token)).status;
const proxied = async (node: number, token: string) => (await fetch(url(node, "/rev-svc/hello"), { headers: { authorization: `Bearer ${token}` } })).status;

async function login(slug: string, password: string, device: string): Promise<string> {
  const r = await call("POST", url(A, "/user-svc/login"), { appHost: APP, slug, password, device });
  expect(r.status).toBe(200);
  return r.body.token.token;
}

/** The token works on B and C (API and proxy), so each holds its session as live in memory. */
async function acceptedEverywhere(token: string): Promise<void> {
  for (const node of [B, C]) {
    expect(await self(node, token)).toBe(200);
    expect(await proxied(node, token)).toBe(200);
  }
}

/**
 * Runs `revoke` on A and measures, from its answer, how long B's API and B's proxy take to refuse
 * `token` (and C's API); each must within a second.
 */
async function refusedWithin(kind: string, token: string, revoke: () => Promise<number>): Promise<void> {
  expect(await revoke()).toBe(200);
  const answered = performance.now();
  const until = async (what: string, probe: () => Promise<number>) => {
    await waitFor(what, async () => (await probe()) === 401, 5000, 2);
    return performance.now() - answered;
  };
  const [api, proxy, other] = await Promise.all([until("B's API to refuse", () => self(B, token)), until("B's proxy to refuse", () => proxied(B, token)), until("C's API to refuse", () => self(C, token))]);
  (latencies[kind] ??= []).push(api, proxy);
  console.log(`revocation by ${kind}: B's API refused after ${api.toFixed(1)} ms, B's proxy after ${proxy.toFixed(1)} ms, C's API after ${other.toFixed(1)} ms`);
  expect(Math.max(api, proxy, other)).toBeLessThan(WITHIN_MS);
}

const percentile = (values: number[], p: number) => [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

describe.skipIf(!onPostgres)("revocation across three nodes on PostgreSQL", () => {
  beforeAll(async () => {
    pg = await startPostgres();
    upstream = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("from the instance") });
    const env = { OB_DB: "postgres", OB_DB_CONNECTION_STRING: pg.url, OB_DB_PREFIX: "rev_", OB_ADMIN_PASSWORD: "admin-pass-123" };
    dirs = [0, 1, 2].map(() => tempDir());
    nodes.push(await startBinary({ folder: dirs[0]!.path, env }));
    // The service and its instance exist before B and C start, so their routing loads it.
    expect((await call("POST", url(A, "/user-svc/register"), { appHost: APP, slug: "rev-svc", password: "rev-svc-password" })).status).toBe(200);
    const svc = await login("rev-svc", "rev-svc-password", "svc");
    expect((await call("PUT", url(A, "/registry-svc/instance"), { url: `http://127.0.0.1:${upstream.port}` }, svc)).status).toBe(201);
    nodes.push(...(await Promise.all([1, 2].map((i) => startBinary({ folder: dirs[i]!.path, env })))));
  }, 60_000);

  afterAll(async () => {
    for (const kind of Object.keys(latencies)) {
      const all = latencies[kind]!;
      console.log(`${kind}: ${all.length} refusals, p50 ${percentile(all, 50).toFixed(1)} ms, max ${Math.max(...all).toFixed(1)} ms`);
    }
    const all = Object.values(latencies).flat();
    if (all.length > 0) console.log(`all: ${all.length} refusals, p50 ${percentile(all, 50).toFixed(1)} ms, max ${Math.max(...all).toFixed(1)} ms`);
    await Promise.all(nodes.map((n) => n[Symbol.asyncDispose]()));
    upstream?.stop(true);
    for (const dir of dirs) await dir[Symbol.asyncDispose]();
    await pg?.[Symbol.asyncDispose]();
  }, 30_000);

  test("a logout on A is refused by B's API and proxy within a second", async () => {
    expect((await call("POST", url(A, "/user-svc/register"), { appHost: APP, slug: "alice", password: "alice-password" })).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const token = await login("alice", "alice-password", `laptop-${i}`);
      await acceptedEverywhere(token);
      await refusedWithin("logout", token, async () => (await call("DELETE", url(A, "/user-svc/tokens"), { device: `laptop-${i}` }, token)).status);
    }
  }, 60_000);

  test("a password change on A ends the other sessions on B within a second; the changer's own session stays", async () => {
    expect((await call("POST", url(A, "/user-svc/register"), { appHost: APP, slug: "bob", password: "bob-password-0" })).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const other = await login("bob", `bob-password-${i}`, "phone");
      const own = await login("bob", `bob-password-${i}`, "desk");
      await acceptedEverywhere(other);
      await acceptedEverywhere(own);
      await refusedWithin("password change", other, async () => (await call("POST", url(A, "/user-svc/change-password"), { currentPassword: `bob-password-${i}`, newPassword: `bob-password-${i + 1}` }, own)).status);
      expect(await self(B, own)).toBe(200);
      await call("DELETE", url(A, "/user-svc/tokens"), {}, own);
    }
  }, 60_000);

  test("an API key revoked on A: the tokens exchanged from it are refused by B within a second", async () => {
    const carol = await (async () => {
      expect((await call("POST", url(A, "/user-svc/register"), { appHost: APP, slug: "carol", password: "carol-password" })).status).toBe(200);
      return login("carol", "carol-password", "desk");
    })();
    for (let i = 0; i < 3; i++) {
      const created = await call("POST", url(A, "/user-svc/api-key"), { name: `ci-${i}` }, carol);
      expect(created.status).toBe(200);
      const exchanged = await fetch(url(C, "/user-svc/api-key/exchange"), { method: "POST", headers: { authorization: `Bearer ${created.body.key}` } });
      expect(exchanged.status).toBe(200);
      const keyToken = ((await exchanged.json()) as any).token.token as string;
      await acceptedEverywhere(keyToken);
      await refusedWithin("API key revocation", keyToken, async () => (await call("DELETE", url(A, "/user-svc/api-keys"), { id: created.body.apiKey.id }, carol)).status);
    }
  }, 60_000);

  test("a user deleted on A: their token is refused by B within a second", async () => {
    const admin = await login("1backend", "admin-pass-123", "admin");
    expect((await call("POST", url(A, "/user-svc/register"), { appHost: APP, slug: "dave", password: "dave-password" })).status).toBe(200);
    const token = await login("dave", "dave-password", "laptop");
    const userId = (await call("POST", url(A, "/user-svc/self"), {}, token)).body.user.id as string;
    await acceptedEverywhere(token);
    await refusedWithin("user deletion", token, async () => (await call("DELETE", url(A, `/user-svc/user/${userId}`), undefined, admin)).status);
  }, 60_000);

  test("with the listener connections killed (notifications lost), B still refuses within a second, and notifications work again after", async () => {
    expect((await call("POST", url(A, "/user-svc/register"), { appHost: APP, slug: "erin", password: "erin-password" })).status).toBe(200);
    const sql = new SQL(pg.url, { max: 1 });
    try {
      for (let i = 0; i < 3; i++) {
        const token = await login("erin", "erin-password", `tablet-${i}`);
        await acceptedEverywhere(token);
        const killed = await sql`select pg_terminate_backend(pid) as done from pg_stat_activity where query ilike 'listen %' and pid <> pg_backend_pid()`;
        expect(killed.length).toBeGreaterThanOrEqual(3);
        await refusedWithin("logout, listeners killed", token, async () => (await call("DELETE", url(A, "/user-svc/tokens"), { device: `tablet-${i}` }, token)).status);
      }
      // Every node listens again (Bun re-subscribes), and a revocation is prompt again.
      await waitFor("three listeners again", async () => (await sql`select 1 from pg_stat_activity where query ilike 'listen %'`).length >= 3, 10_000, 50);
      const token = await login("erin", "erin-password", "tablet-after");
      await acceptedEverywhere(token);
      await refusedWithin("logout after re-listen", token, async () => (await call("DELETE", url(A, "/user-svc/tokens"), { device: "tablet-after" }, token)).status);
    } finally {
      await sql.close();
    }
  }, 60_000);
});

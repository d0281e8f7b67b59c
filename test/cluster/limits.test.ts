/**
 * Login and registration limits across a cluster (issue 12 "Limits across the cluster", contract §7):
 * three compiled-binary nodes on one private PostgreSQL. Failed logins for one account spread
 * round-robin over A, B and C are refused after exactly as many tries as against one node (429
 * `user.too_many_logins`, with `Retry-After`), parallel attempts through all three are admitted no more
 * often than the limit, a success on another node forgives that client's failures as the policy says,
 * the per-account bound holds over the nodes, and registrations are limited alike. The nodes trust
 * loopback as a proxy, so `X-Forwarded-For` names a different client network per case.
 * PostgreSQL only; build first (`./scripts/build.sh`).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startBinary, type BinaryServer } from "../helpers/binary";
import { onPostgres } from "../helpers/dialect";
import { startPostgres, type PostgresServer } from "../helpers/postgres";
import { tempDir, type TempDir } from "../helpers/temp-dir";

const APP = "unnamed";
/** Failures per (slug, client) per minute, per client over all slugs, and per slug, as the nodes are configured. */
const PER_SLUG_CLIENT = 5;
const PER_CLIENT = 12;
const PER_SLUG = 10;
const REGISTRATIONS_PER_CLIENT = 4;

let pg: PostgresServer;
let dirs: TempDir[] = [];
let nodes: BinaryServer[] = [];
const [A, B, C] = [0, 1, 2];

/** One POST to `node` as the client `client` (its X-Forwarded-For): the status, the error code and `Retry-After`. */
async function post(node: number, path: string, body: unknown, client: string): Promise<{ status: number; code?: string; retryAfter: string | null }> {
  const r = await fetch(`${nodes[node]!.url}${path}`, { method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": client }, body: JSON.stringify(body) });
  const json = (await r.json()) as { code?: string };
  return { status: r.status, code: r.status >= 400 ? json.code : undefined, retryAfter: r.headers.get("retry-after") };
}

const login = (node: number, slug: string, password: string, client: string) => post(node, "/user-svc/login", { appHost: APP, slug, password }, client);
const statusOf = async (answer: Promise<{ status: number; code?: string }>) => {
  const r = await answer;
  return r.status === 429 ? `429 ${r.code}` : r.status;
};
/** Sequential wrong-password logins at `slug` from `client`, the i-th through `route(i)`: their statuses. */
async function failures(slug: string, client: string, count: number, route: (i: number) => number): Promise<(number | string)[]> {
  const out: (number | string)[] = [];
  for (let i = 0; i < count; i++) out.push(await statusOf(login(route(i), slug, "wrong-password", client)));
  return out;
}
const roundRobin = (i: number) => i % 3;
const onlyA = () => A;
const limited = "429 user.too_many_logins";

async function registerUser(slug: string, client: string): Promise<void> {
  expect((await post(A, "/user-svc/register", { appHost: APP, slug, password: `${slug}-password` }, client)).status).toBe(200);
}

describe.skipIf(!onPostgres)("login and registration limits across three nodes on PostgreSQL", () => {
  beforeAll(async () => {
    pg = await startPostgres();
    const env = {
      OB_DB: "postgres",
      OB_DB_CONNECTION_STRING: pg.url,
      OB_DB_PREFIX: "lim_",
      OB_TRUSTED_PROXIES: "127.0.0.1",
      OB_LOGIN_LIMIT_PER_SLUG_IP: String(PER_SLUG_CLIENT),
      OB_LOGIN_LIMIT_PER_IP: String(PER_CLIENT),
      OB_LOGIN_LIMIT_PER_SLUG: String(PER_SLUG),
      OB_REGISTER_LIMIT_PER_IP: String(REGISTRATIONS_PER_CLIENT),
    };
    dirs = [0, 1, 2].map(() => tempDir());
    // The first node migrates the empty database; the others start at once after it.
    nodes.push(await startBinary({ folder: dirs[0]!.path, env }));
    nodes.push(...(await Promise.all([1, 2].map((i) => startBinary({ folder: dirs[i]!.path, env })))));
    let n = 0;
    for (const slug of ["alice", "bob", "carol", "dave"]) await registerUser(slug, `10.0.0.${++n}`);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n[Symbol.asyncDispose]()));
    for (const dir of dirs) await dir[Symbol.asyncDispose]();
    await pg?.[Symbol.asyncDispose]();
  }, 30_000);

  test("failed logins for one account spread round-robin over A, B, C are refused after exactly as many tries as against one node", async () => {
    const expected = [...Array(PER_SLUG_CLIENT).fill(401), limited, limited];
    expect(await failures("alice", "203.0.113.1", PER_SLUG_CLIENT + 2, onlyA)).toEqual(expected);
    expect(await failures("alice", "203.0.113.2", PER_SLUG_CLIENT + 2, roundRobin)).toEqual(expected);
    // The refusal is the one node's: 429 with Retry-After, on every node, even with the right password for that client.
    for (const node of [A, B, C]) {
      const r = await login(node, "alice", "alice-password", "203.0.113.2");
      expect([r.status, r.code]).toEqual([429, "user.too_many_logins"]);
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
    }
    // A stranger's failures lock nobody else out: the owner's network gets in on any node.
    expect((await login(C, "alice", "alice-password", "198.51.100.7")).status).toBe(200);
  }, 60_000);

  test("a success on another node forgives that client's failures at the account, as on one node", async () => {
    expect(await failures("bob", "203.0.113.3", PER_SLUG_CLIENT - 1, roundRobin)).toEqual(Array(PER_SLUG_CLIENT - 1).fill(401));
    expect((await login(B, "bob", "bob-password", "203.0.113.3")).status).toBe(200);
    expect(await failures("bob", "203.0.113.3", PER_SLUG_CLIENT + 1, (i) => (i + 2) % 3)).toEqual([...Array(PER_SLUG_CLIENT).fill(401), limited]);
  }, 60_000);

  test("parallel wrong logins through all three nodes: exactly the limit is admitted, the rest refused before their hash", async () => {
    const answers = await Promise.all(Array.from({ length: 15 }, (_, i) => statusOf(login(i % 3, "carol", "wrong-password", "203.0.113.4"))));
    expect(answers.filter((s) => s === 401).length).toBe(PER_SLUG_CLIENT);
    expect(answers.filter((s) => s === limited).length).toBe(15 - PER_SLUG_CLIENT);
    // The refusals were not counted at the client: its failures over all names reach the bound exactly where one node's would.
    const sprayed = [];
    for (let i = 0; i <= PER_CLIENT - PER_SLUG_CLIENT; i++) sprayed.push(await statusOf(login(i % 3, `ghost-${i}`, "wrong-password", "203.0.113.4")));
    expect(sprayed).toEqual([...Array(PER_CLIENT - PER_SLUG_CLIENT).fill(401), limited]);
  }, 60_000);

  test("past the per-account bound, counted over all nodes, each further network gets one guess, and the owner still gets in", async () => {
    // Three networks' failures, spread over the nodes, bring the account to its bound.
    expect(await failures("dave", "203.0.113.10", 4, roundRobin)).toEqual(Array(4).fill(401));
    expect(await failures("dave", "203.0.113.11", 4, (i) => (i + 1) % 3)).toEqual(Array(4).fill(401));
    expect(await failures("dave", "203.0.113.12", PER_SLUG - 8, (i) => (i + 2) % 3)).toEqual(Array(PER_SLUG - 8).fill(401));
    expect(await failures("dave", "203.0.113.13", 3, roundRobin)).toEqual([401, limited, limited]);
    expect(await failures("dave", "203.0.113.14", 3, (i) => (i + 2) % 3)).toEqual([401, limited, limited]);
    expect((await login(B, "dave", "dave-password", "198.51.100.8")).status).toBe(200);
  }, 60_000);

  test("registrations from one client network spread over A, B, C are refused after exactly as many as against one node", async () => {
    const register = async (client: string, route: (i: number) => number, tag: string) => {
      const out: (number | string)[] = [];
      for (let i = 0; i < REGISTRATIONS_PER_CLIENT + 2; i++) {
        const r = await post(route(i), "/user-svc/register", { appHost: APP, slug: `${tag}-${i}`, password: "some-password" }, client);
        out.push(r.status === 429 ? `429 ${r.code} ${Number(r.retryAfter) > 0}` : r.status);
      }
      return out;
    };
    const expected = [...Array(REGISTRATIONS_PER_CLIENT).fill(200), "429 user.too_many_registrations true", "429 user.too_many_registrations true"];
    expect(await register("203.0.113.20", onlyA, "one")).toEqual(expected);
    expect(await register("203.0.113.21", roundRobin, "spread")).toEqual(expected);
  }, 60_000);
});

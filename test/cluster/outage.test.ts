/**
 * A database outage under traffic (issue 12 "Database outage", contract §7: "PostgreSQL down:
 * proxying from memory goes on, writes answer 503 `db.unavailable`, `/readyz` says not ready,
 * everything catches up on reconnect"). Three compiled-binary nodes on a PostgreSQL server of their
 * own, stopped as a crash would stop it while clients send proxied requests (with a token every node
 * has seen) through each node: every one is answered by the instance; registrations and account
 * creations answer 503 `db.unavailable` within seconds (never a 500, never a hang) and `/readyz` 503.
 * Started again: `/readyz` 200 on every node without a restart, writes work, the feed listeners are
 * back, and a logout on A is refused by B within a second. The times (to 503, to recovery) and the
 * requests proxied meanwhile are printed. PostgreSQL only; build first (`./scripts/build.sh`).
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startBinary, type BinaryServer } from "../helpers/binary";
import { call } from "../helpers/call";
import { onPostgres } from "../helpers/dialect";
import { startPostgres } from "../helpers/postgres";
import { tempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait";

const ADMIN_PASSWORD = "admin-pass-123";
const CLIENTS_PER_NODE = 2;
/** Pause between one client's requests: steady traffic that leaves the shared machine's cores to the nodes. */
const PACE_MS = 2;
/** Longest a write may take to be answered while the server is down ("never a hang past a few seconds"). */
const WRITE_ANSWER_MS = 5000;
/** The outage lasts at least this long, so traffic is seen going on through it. */
const OUTAGE_MS = 3000;

type Phase = "before" | "outage" | "after";

interface Traffic {
  ok: Record<Phase, number>;
  failures: string[];
}

async function login(node: BinaryServer, slug: string, password: string, device?: string): Promise<string> {
  const r = await call("POST", `${node.url}/user-svc/login`, { appHost: "unnamed", slug, password, device });
  expect(r.status).toBe(200);
  return r.body.token.token;
}

/** Proxied requests with `token` through `node`, one after another until `stop` settles, counted into `traffic` by the phase each started in. */
async function client(node: BinaryServer, token: string, phase: { now: Phase }, traffic: Traffic, stop: Promise<unknown>): Promise<void> {
  let done = false;
  void stop.then(() => (done = true));
  while (!done) {
    const during = phase.now;
    try {
      const response = await fetch(`${node.url}/out-svc/hello`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) });
      const text = await response.text();
      if (response.status === 200 && text === "from the instance") traffic.ok[during]++;
      else traffic.failures.push(`${during}: ${response.status} ${text.slice(0, 200)}`);
    } catch (err) {
      traffic.failures.push(`${during}: ${String(err)}`);
    }
    await Bun.sleep(PACE_MS);
  }
}

/** One write answered within the deadline: its status, code and how long it took (a hang counts as status 0). */
async function timedWrite(method: string, url: string, body: unknown, token?: string): Promise<{ status: number; code?: string; ms: number }> {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(3 * WRITE_ANSWER_MS),
    });
    const text = await response.text();
    return { status: response.status, code: text ? JSON.parse(text).code : undefined, ms: performance.now() - started };
  } catch {
    return { status: 0, ms: performance.now() - started };
  }
}

describe.skipIf(!onPostgres)("PostgreSQL stopped and started under traffic", () => {
  test("proxying goes on through every node, writes get 503 db.unavailable and /readyz 503; on restart everything catches up", async () => {
    await using pg = await startPostgres();
    await using root = tempDir();
    using upstream = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("from the instance") });
    const env = { OB_DB: "postgres", OB_DB_CONNECTION_STRING: pg.url, OB_DB_PREFIX: "out_", OB_ADMIN_PASSWORD: ADMIN_PASSWORD };
    const folder = (name: string) => join(root.path, name);
    const nodes: BinaryServer[] = [];
    await using _nodes = { [Symbol.asyncDispose]: async () => void (await Promise.all(nodes.map((n) => n[Symbol.asyncDispose]()))) };
    const startNode = async (name: string) => {
      mkdirSync(folder(name));
      const node = await startBinary({ folder: folder(name), env });
      nodes.push(node);
      return node;
    };
    const a = await startNode("a");
    expect((await call("POST", `${a.url}/user-svc/register`, { appHost: "unnamed", slug: "out-svc", password: "out-svc-password" })).status).toBe(200);
    const service = await login(a, "out-svc", "out-svc-password");
    expect((await call("PUT", `${a.url}/registry-svc/instance`, { url: `http://127.0.0.1:${upstream.port}` }, service)).status).toBe(201);
    // B and C load the instance at start.
    const [b, c] = await Promise.all([startNode("b"), startNode("c")]);
    const all = [a, b, c];
    // Every node has seen the token (verified it, holds its session as live).
    for (const node of all) expect((await fetch(`${node.url}/out-svc/hello`, { headers: { authorization: `Bearer ${service}` } })).status).toBe(200);
    for (const node of all) expect((await fetch(`${node.url}/readyz`)).status).toBe(200);

    const phase = { now: "before" as Phase };
    const stop = Promise.withResolvers<void>();
    const traffic: Traffic[] = all.map(() => ({ ok: { before: 0, outage: 0, after: 0 }, failures: [] }));
    const clients = all.flatMap((node, i) => Array.from({ length: CLIENTS_PER_NODE }, () => client(node, service, phase, traffic[i]!, stop.promise)));
    await using _traffic = { [Symbol.asyncDispose]: async () => void (stop.resolve(), await Promise.all(clients)) };
    await waitFor("traffic through every node", () => traffic.every((t) => t.ok.before > 0));

    // Down as a crash: the server's connections are cut, new ones refused.
    phase.now = "outage";
    await pg.down();
    const downAt = performance.now();
    let attempt = 0;
    const writes = all.flatMap((node, i) => [
      { what: `register an instance through node ${i}`, write: () => timedWrite("PUT", `${node.url}/registry-svc/instance`, { url: `http://127.0.0.1:${upstream.port}/during-${i}-${attempt++}` }, service) },
      { what: `create a user through node ${i}`, write: () => timedWrite("POST", `${node.url}/user-svc/register`, { appHost: "unnamed", slug: `during-${i}-${attempt++}`, password: "during-password" }) },
    ]);
    const answers: { what: string; status: number; code?: string; ms: number }[] = [];
    const untilUnavailable = ({ what, write }: (typeof writes)[number]) =>
      waitFor(`${what} to answer 503 db.unavailable`, async () => {
        const answer = await write();
        answers.push({ what, ...answer });
        if (answer.status === 503 && answer.code === "db.unavailable") return performance.now() - downAt;
        throw new Error(`answered ${answer.status} ${answer.code} after ${Math.round(answer.ms)} ms`); // waitFor names the last one
      }, 20_000, 100);
    const untilNotReady = (node: BinaryServer, i: number) =>
      waitFor(`node ${i} /readyz 503`, async () => ((await fetch(`${node.url}/readyz`)).status === 503 ? performance.now() - downAt : undefined), 20_000, 100);
    const [firstUnavailable, notReady] = await Promise.all([Promise.all(writes.map(untilUnavailable)), Promise.all(all.map(untilNotReady))]);
    const writeTimes = firstUnavailable.map((ms) => Math.round(ms));
    console.log(`outage: first 503 db.unavailable per write kind after ${writeTimes.join(", ")} ms; /readyz 503 after ${notReady.map((ms) => Math.round(ms)).join(", ")} ms`);
    // Every write was answered 503 db.unavailable, each within seconds.
    expect(answers.filter((x) => x.status !== 503 || x.code !== "db.unavailable")).toEqual([]);
    expect(answers.filter((x) => x.ms > WRITE_ANSWER_MS)).toEqual([]);
    await Bun.sleep(Math.max(0, OUTAGE_MS - (performance.now() - downAt))); // the outage goes on a while under traffic

    await pg.up();
    phase.now = "after";
    const upAt = performance.now();
    const ready = await Promise.all(all.map((node, i) => waitFor(`node ${i} /readyz 200 again`, async () => ((await fetch(`${node.url}/readyz`)).status === 200 ? performance.now() - upAt : undefined), 30_000, 50)));
    const writable = await waitFor("a registration through A to commit", async () => ((await timedWrite("PUT", `${a.url}/registry-svc/instance`, { url: `http://127.0.0.1:${upstream.port}/after` }, service)).status === 201 ? performance.now() - upAt : undefined), 30_000, 50);
    const sql = new Bun.SQL(pg.url, { max: 1 });
    let listening: number;
    try {
      listening = await waitFor("three feed listeners again", async () => ((await sql`select 1 from pg_stat_activity where query ilike 'listen %'`).length >= 3 ? performance.now() - upAt : undefined), 30_000, 50);
    } finally {
      await sql.close();
    }
    console.log(`restart: /readyz 200 after ${ready.map((ms) => Math.round(ms)).join(", ")} ms, a registration commits after ${Math.round(writable)} ms, three listeners after ${Math.round(listening)} ms`);

    // A change made on A after the restart reaches B: a logout on A, refused by B within a second.
    expect((await call("POST", `${a.url}/user-svc/register`, { appHost: "unnamed", slug: "olga", password: "olga-password" })).status).toBe(200);
    const olga = await login(a, "olga", "olga-password", "laptop");
    expect((await call("POST", `${b.url}/user-svc/self`, {}, olga)).status).toBe(200);
    expect((await call("DELETE", `${a.url}/user-svc/tokens`, { device: "laptop" }, olga)).status).toBe(200);
    const loggedOut = performance.now();
    await waitFor("B to refuse the token logged out on A", async () => (await call("POST", `${b.url}/user-svc/self`, {}, olga)).status === 401, 5000, 5);
    const refusedMs = performance.now() - loggedOut;

    stop.resolve();
    await Promise.all(clients);
    console.log(`traffic: proxied per node (before / during the outage / after): ${traffic.map((t) => `${t.ok.before}/${t.ok.outage}/${t.ok.after}`).join(", ")}; failed ${traffic.reduce((n, t) => n + t.failures.length, 0)}; B refused the logged-out token after ${refusedMs.toFixed(1)} ms`);
    expect(traffic.map((t) => t.failures)).toEqual([[], [], []]);
    for (const t of traffic) expect(t.ok.outage).toBeGreaterThan(0);
    expect(refusedMs).toBeLessThan(1000);
  }, 120_000);
});

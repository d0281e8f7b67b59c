/**
 * @module Change-propagation latency between two compiled-binary nodes on one private PostgreSQL
 * (contract §7: < 100 ms typical, < 1 s worst): a change is made through node A and node B is polled
 * (every ~1 ms, one request at a time) until it acts on it; the latency runs from A's answer (the
 * change and its feed row are committed by then) to B's first answer that shows it, so it includes
 * one poll round trip (printed as the resolution). Changes follow one another without pause.
 *   - token revocation by API-key revocation: a key made on A is exchanged on B (B holds the session
 *     as live), revoked on A; B's `/user-svc/self` (odd changes) or B's proxy (even ones, a service
 *     whose instance B loaded at start) must answer 401;
 *   - token revocation by logout: a login on A, accepted by B, logged out on A;
 *   - the same with notifications lost: the LISTEN connections are killed (pg_terminate_backend)
 *     right before each logout, so B learns from the re-listen's catch-up or the fallback poll;
 *   - instance registration and removal on A → B's routing: B's proxy answers 200 from the instance
 *     after the registration and 404 after the removal. When B does not route a registration made on
 *     A within 3 s, that part prints "not yet" and is skipped.
 *
 *   bun bench/cluster/propagation.ts [--revocations 300] [--logouts 30] [--lost 10] [--instances 150] [--no-build]
 */
import { parseArgs } from "node:util";
import { SQL } from "bun";
import { ADMIN_PASSWORD, call, cleanUp, describeRun, latencySummary, median, privatePostgres, serverBinary, startNode, tokenFor, type Node } from "./lib";

const { values: args } = parseArgs({
  options: {
    revocations: { type: "string", default: "300" },
    logouts: { type: "string", default: "30" },
    lost: { type: "string", default: "10" },
    instances: { type: "string", default: "150" },
    "no-build": { type: "boolean", default: false },
  },
});
const TIMEOUT_MS = 3000;

/** Every poll's round trip (ms), for the resolution. */
const pollMs: number[] = [];

/** When B showed a change: ms after A's answer, and whether at the first poll already. */
type Seen = { ms: number; firstPoll: boolean } | undefined;

/** Polls `probe` about every ms from `since` until it answers true, or TIMEOUT_MS passed (undefined). */
async function until(since: number, probe: () => Promise<boolean>): Promise<Seen> {
  for (let poll = 1; performance.now() - since < TIMEOUT_MS; poll++) {
    const t0 = performance.now();
    const seen = await probe();
    pollMs.push(performance.now() - t0);
    if (seen) return { ms: performance.now() - since, firstPoll: poll === 1 };
    await Bun.sleep(1);
  }
  return undefined;
}

/** Runs `change` (answering whether A accepted it), then waits for `seen` on B. */
async function measure(what: string, change: () => Promise<boolean>, seen: () => Promise<boolean>, requestMs: number[]): Promise<Seen> {
  const t0 = performance.now();
  if (!(await change())) throw new Error(`${what}: A refused the change`);
  const answered = performance.now();
  requestMs.push(answered - t0);
  return until(answered, seen);
}

function report(what: string, results: Seen[], requestMs: number[]): void {
  const seen = results.filter((r) => r !== undefined);
  const missed = results.length - seen.length;
  if (seen.length === 0) return void console.log(`${what}: not seen on B within ${TIMEOUT_MS} ms (${results.length} changes)`);
  const first = seen.filter((r) => r.firstPoll).length;
  console.log(
    `${what}: ${latencySummary(seen.map((r) => r.ms))}${missed ? `; ${missed} not seen within ${TIMEOUT_MS} ms` : ""}; ` +
      `${first} already at B's first poll; A's answer itself p50 ${median(requestMs).toFixed(1)} ms`,
  );
}

async function main() {
  const binary = await serverBinary();
  const pg = await privatePostgres();
  const upstream = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("from the instance") });
  const sql = new SQL(pg.url, { max: 1 });
  try {
    const storage = { dialect: "postgres" as const, url: pg.url, prefix: "bench_prop_" };
    const env = { OB_REGISTER_LIMIT_PER_IP: "0", OB_TOKEN_EXPIRATION: "1h" };
    const A: Node = await startNode(binary, "A", storage, env);
    await tokenFor(A.url, "prop-user", "prop-user-password", { register: true });
    const user = await tokenFor(A.url, "prop-user", "prop-user-password", { device: "owner" });
    const svc = await tokenFor(A.url, "prop-svc", "prop-svc-password", { register: true });
    const admin = await tokenFor(A.url, "1backend", ADMIN_PASSWORD);
    // rev-svc's instance exists before B starts (B's routing loads it), for revocation through B's proxy.
    const rev = await tokenFor(A.url, "rev-svc", "rev-svc-password", { register: true });
    if ((await call("PUT", `${A.url}/registry-svc/instance`, { url: `http://127.0.0.1:${upstream.port}/rev` }, rev)).status !== 201) throw new Error("rev-svc's instance was refused");
    const B: Node = await startNode(binary, "B", storage, env);
    console.log(`propagation A → B on one PostgreSQL: ${describeRun()}`);
    const selfOnB = async (token: string) => (await call("POST", `${B.url}/user-svc/self`, {}, token)).status;
    const proxyOnB = async (token: string) => (await fetch(`${B.url}/rev-svc/hello`, { headers: { authorization: `Bearer ${token}` } })).status;
    if ((await proxyOnB(user)) !== 200) throw new Error("B does not proxy rev-svc");

    // Odd changes are watched through B's API, even ones through B's proxy (one poller at a time).
    const byApi: Seen[] = [];
    const byProxy: Seen[] = [];
    const apiKeyMs: number[] = [];
    for (let i = 0; i < Number(args.revocations); i++) {
      const created = await call("POST", `${A.url}/user-svc/api-key`, { name: `bench-${i}` }, user);
      const exchanged = await fetch(`${B.url}/user-svc/api-key/exchange`, { method: "POST", headers: { authorization: `Bearer ${created.body.key}` } });
      const token = ((await exchanged.json()) as { token: { token: string } }).token.token;
      if ((await selfOnB(token)) !== 200 || (await proxyOnB(token)) !== 200) throw new Error("B refused a token it had just issued");
      const revoke = async () => (await call("DELETE", `${A.url}/user-svc/api-keys`, { id: created.body.apiKey.id }, user)).status === 200;
      const watch = i % 2 === 0 ? selfOnB : proxyOnB;
      (i % 2 === 0 ? byApi : byProxy).push(await measure("API key revocation", revoke, async () => (await watch(token)) === 401, apiKeyMs));
    }
    report(`API-key revocation on A → B's API refuses its token`, byApi, apiKeyMs);
    report(`API-key revocation on A → B's proxy refuses its token`, byProxy, apiKeyMs);

    for (const [kind, count, lose] of [["logout on A → B's API refuses the token", Number(args.logouts), false], ["logout, LISTEN connections killed first", Number(args.lost), true]] as const) {
      const latencies: Seen[] = [];
      const requestMs: number[] = [];
      for (let i = 0; i < count; i++) {
        const device = `${lose ? "lost" : "laptop"}-${i}`;
        const token = await tokenFor(A.url, "prop-user", "prop-user-password", { device });
        if ((await selfOnB(token)) !== 200) throw new Error("B refused a fresh token");
        if (lose) {
          // Both nodes listen again (Bun re-subscribes after the previous kill) before this one.
          const deadline = performance.now() + 10_000;
          while ((await sql`select 1 from pg_stat_activity where query ilike 'listen %' and pid <> pg_backend_pid()`).length < 2) {
            if (performance.now() > deadline) throw new Error("the nodes did not LISTEN again within 10 s");
            await Bun.sleep(10);
          }
          const killed = await sql`select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'listen %' and pid <> pg_backend_pid()`;
          if (killed.length < 2) throw new Error(`expected both nodes' LISTEN connections, killed ${killed.length}`);
        }
        const logout = async () => (await call("DELETE", `${A.url}/user-svc/tokens`, { device }, token)).status === 200;
        latencies.push(await measure(kind, logout, async () => (await selfOnB(token)) === 401, requestMs));
      }
      if (count > 0) report(kind, latencies, requestMs);
    }

    const instance = `http://127.0.0.1:${upstream.port}`;
    const proxiedOnB = async () => (await fetch(`${B.url}/prop-svc/hello`)).status;
    const registered: Seen[] = [];
    const removed: Seen[] = [];
    const registerMs: number[] = [];
    const removeMs: number[] = [];
    if ((await proxiedOnB()) !== 404) throw new Error("B routes prop-svc before any instance exists");
    for (let i = 0; i < Number(args.instances); i++) {
      const register = async () => (await call("PUT", `${A.url}/registry-svc/instance`, { url: instance }, svc)).status === 201;
      const routed = await measure("registration", register, async () => (await proxiedOnB()) === 200, registerMs);
      registered.push(routed);
      const listed = await call("GET", `${A.url}/registry-svc/instances?slug=prop-svc`, undefined, admin);
      const id = listed.body.instances[0].id as string;
      const remove = async () => (await call("DELETE", `${A.url}/registry-svc/instance/${id}`, undefined, svc)).status === 204;
      if (routed === undefined && i === 0) {
        await remove();
        break; // B does not learn of instances registered elsewhere (yet): no point in repeating it
      }
      removed.push(await measure("removal", remove, async () => (await proxiedOnB()) === 404, removeMs));
    }
    if (registered.length === 1 && registered[0] === undefined) {
      console.log(`instance registration on A → B's routing: not yet (B's proxy still answered 404 ${TIMEOUT_MS} ms after A committed the registration)`);
    } else if (registered.length > 0) {
      report("instance registration on A → B's proxy routes to it", registered, registerMs);
      report("instance removal on A → B's proxy answers 404", removed, removeMs);
    }
    console.log(`resolution: one poll of B takes p50 ${median(pollMs).toFixed(2)} ms (${pollMs.length} polls; the next starts ~1 ms after)`);
  } finally {
    await sql.close();
    upstream.stop(true);
    await cleanUp();
  }
}

await main();

/**
 * @module Proxy throughput of the compiled server, interleaved in one run (wrk, as bench/proxy/):
 *   - `sqlite` and `postgres`: one node each, on SQLite and on a private PostgreSQL — the proxied
 *     path (routing from memory, and with `+token` a bearer token checked from the token cache) must
 *     not notice the dialect;
 *   - `pg-reuse×2`: two more PostgreSQL nodes of the same cluster bound to one port with
 *     OB_REUSE_PORT=true (the kernel spreads wrk's connections over them), against `postgres`, one
 *     node alone. On this machine wrk, the upstream and the proxies share two cores.
 * Each target is measured for DUR seconds per round, rounds interleaved; printed: req/s, p99, the
 * server processes' CPU per request (utime+stime from /proc) and, for PostgreSQL targets, the CPU the
 * database server used meanwhile (a query per request would show there), then medians. Targets idle in a round
 * still run their background jobs (heartbeats, feed poll, probes every 1 s).
 *
 *   bun bench/cluster/proxy.ts [--rounds 5] [--seconds 3] [--connections 50] [--threads 1] [--targets sqlite,postgres,sqlite+token,postgres+token,pg-reuse×2] [--no-build]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { call, cleanUp, cpuMs, describeRun, freePort, loadAverage, median, privatePostgres, serverBinary, startNode, tokenFor, wrk, atExit, type Node, type Storage } from "./lib";

const ALL = ["sqlite", "postgres", "sqlite+token", "postgres+token", "pg-reuse×2"];
const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    seconds: { type: "string", default: "3" },
    connections: { type: "string", default: "50" },
    threads: { type: "string", default: "1" },
    targets: { type: "string", default: ALL.join(",") },
    "no-build": { type: "boolean", default: false },
  },
});
const wanted = args.targets.split(",");
const unknown = wanted.filter((t) => !ALL.includes(t));
if (unknown.length > 0) throw new Error(`unknown targets ${unknown.join(", ")}; known: ${ALL.join(", ")}`);

const SLUG = "skeleton-svc";
// The proxy bench's upstream (../shared/bench/backend-hello.ts): any path → {"hello":"world"}, own process.
const UPSTREAM = `Bun.serve({ port: Number(process.env.PORT), hostname: "127.0.0.1", fetch: () => new Response('{"hello":"world"}', { headers: { "content-type": "application/json" } }) });`;

interface Target {
  name: string;
  url: string;
  pids: number[];
  headers: string[];
  /** The PostgreSQL server's folder, when the target's nodes use it. */
  pgDir?: string;
}

/** CPU ms of a PostgreSQL server's processes (postmaster and backends), by pid: a query per request would show here. */
function postgresCpu(dir: string): Map<number, number> {
  const cpu = new Map<number, number>();
  const postmaster = Number(readFileSync(`${dir}/data/postmaster.pid`, "utf8").split("\n")[0]);
  const children = Bun.spawnSync(["pgrep", "-P", String(postmaster)]).stdout.toString().split("\n").filter(Boolean).map(Number);
  for (const pid of [postmaster, ...children]) {
    try {
      cpu.set(pid, cpuMs(pid));
    } catch {} // a backend that just ended
  }
  return cpu;
}

/** CPU ms the server's processes used between two readings (processes that started meanwhile count from 0). */
function postgresCpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, now] of after) ms += now - (before.get(pid) ?? 0);
  return ms;
}

/** LISTEN sockets on 127.0.0.1:`port` (/proc/net/tcp), to see that both reuse-port nodes are bound. */
function listeners(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  return readFileSync("/proc/net/tcp", "utf8").split("\n").filter((line) => {
    const f = line.trim().split(/\s+/);
    return f[1] === `0100007F:${hex}` && f[3] === "0A";
  }).length;
}

/** Until `url` has answered 200 on `times` fresh connections in a row (so every node behind a shared port routes it). */
async function routes(url: string, times: number): Promise<void> {
  const deadline = performance.now() + 20_000;
  let ok = 0;
  while (ok < times) {
    if (performance.now() > deadline) throw new Error(`${url} does not answer 200`);
    const status = await fetch(url, { headers: { connection: "close" } }).then((r) => r.status, () => 0);
    ok = status === 200 ? ok + 1 : 0;
    if (status !== 200) await Bun.sleep(50);
  }
}

/** Registers the service account and its instance through `node`; answers the service's token. */
async function registerInstance(node: Node, upstreamPort: number): Promise<string> {
  const token = await tokenFor(node.url, SLUG, "skeleton-svc-password", { register: true });
  const r = await call("PUT", `${node.url}/registry-svc/instance`, { url: `http://127.0.0.1:${upstreamPort}` }, token);
  if (r.status !== 201) throw new Error(`instance registration: ${r.status} ${JSON.stringify(r.body)}`);
  return token;
}

async function main() {
  const binary = await serverBinary();
  const upstreamPort = freePort();
  const upstream = Bun.spawn([process.execPath, "-e", UPSTREAM], { env: { PORT: String(upstreamPort) }, stdout: "ignore", stderr: "inherit" });
  atExit(async () => {
    upstream.kill();
    await upstream.exited;
  });
  await routes(`http://127.0.0.1:${upstreamPort}/`, 1);
  const env = { OB_HEALTH_INTERVAL: "1s", OB_TOKEN_EXPIRATION: "1h" };
  const targets: Target[] = [];
  try {
    const need = (prefix: string) => wanted.some((t) => t.startsWith(prefix));
    if (need("sqlite")) {
      const node = await startNode(binary, "sqlite", { dialect: "sqlite" }, env);
      const token = await registerInstance(node, upstreamPort);
      if (wanted.includes("sqlite")) targets.push({ name: "sqlite", url: `${node.url}/${SLUG}/hello`, pids: [node.pid], headers: [] });
      if (wanted.includes("sqlite+token")) targets.push({ name: "sqlite+token", url: `${node.url}/${SLUG}/hello`, pids: [node.pid], headers: [`authorization: Bearer ${token}`] });
    }
    if (need("postgres") || need("pg-")) {
      const pg = await privatePostgres();
      const storage: Storage = { dialect: "postgres", url: pg.url, prefix: "bench_proxy_" };
      const node = await startNode(binary, "postgres", storage, env);
      const token = await registerInstance(node, upstreamPort);
      if (wanted.includes("postgres")) targets.push({ name: "postgres", url: `${node.url}/${SLUG}/hello`, pids: [node.pid], headers: [], pgDir: pg.dir });
      if (wanted.includes("postgres+token")) targets.push({ name: "postgres+token", url: `${node.url}/${SLUG}/hello`, pids: [node.pid], headers: [`authorization: Bearer ${token}`], pgDir: pg.dir });
      if (wanted.includes("pg-reuse×2")) {
        // Started after the registration, so their routing loads the instance. One OB_SELF_URL for
        // both (the shared public address): the second finds the first's node id by it.
        const port = freePort();
        const reuse = { ...env, OB_REUSE_PORT: "true" };
        const first = await startNode(binary, "reuse-1", storage, reuse, port);
        const second = startNode(binary, "reuse-2", storage, reuse, port);
        const deadline = performance.now() + 30_000;
        while (listeners(port) < 2) {
          if (performance.now() > deadline) throw new Error(`the second node did not bind :${port}`);
          await Bun.sleep(20);
        }
        await second;
        targets.push({ name: "pg-reuse×2", url: `${first.url}/${SLUG}/hello`, pids: [first.pid, (await second).pid], headers: [], pgDir: pg.dir });
      }
    }
    targets.sort((a, b) => ALL.indexOf(a.name) - ALL.indexOf(b.name));
    for (const t of targets) await routes(t.url, 20);
    await Bun.sleep(1500); // the instance probed Healthy everywhere (1 s interval)

    const seconds = Number(args.seconds);
    const options = { seconds, connections: Number(args.connections), threads: Number(args.threads) };
    console.log(`proxy throughput: ${describeRun()}; wrk -t${options.threads} -c${options.connections} -d${seconds}s, ${args.rounds} rounds`);
    for (const t of targets) await wrk(t.url, { ...options, seconds: 1, headers: t.headers }); // warm-up (JIT, pools)
    const results: Record<string, { rps: number; p99: number; cpuUs: number }[]> = {};
    for (let r = 1; r <= Number(args.rounds); r++) {
      // Every other round in reverse order, so a drift of the machine's load hits all targets alike.
      for (const t of r % 2 === 1 ? targets : [...targets].reverse()) {
        const pg0 = t.pgDir ? postgresCpu(t.pgDir) : undefined;
        const cpu0 = t.pids.map(cpuMs);
        const w = await wrk(t.url, { ...options, headers: t.headers });
        const perPid = t.pids.map((pid, i) => cpuMs(pid) - cpu0[i]!);
        const pgCpu = t.pgDir ? `  PostgreSQL CPU ${postgresCpuSince(pg0!, postgresCpu(t.pgDir))} ms` : "";
        const cpu = perPid.reduce((a, b) => a + b, 0);
        const cpuUs = (cpu * 1000) / Math.max(1, w.requests);
        (results[t.name] ??= []).push({ rps: w.rps, p99: w.p99Ms, cpuUs });
        // For two nodes on one port: how the kernel's spread of connections shows in their CPU.
        const split = perPid.length > 1 ? `  CPU split ${perPid.map((ms) => `${Math.round((100 * ms) / Math.max(1, cpu))}%`).join("/")}` : "";
        console.log(`round=${r} ${t.name.padEnd(14)} ${Math.round(w.rps).toString().padStart(6)} req/s  p99 ${w.p99Ms.toFixed(2)} ms  server CPU ${cpuUs.toFixed(1)} µs/req${split}${pgCpu}  bad=${w.bad}  load ${loadAverage()}`);
        if (w.bad > 0) console.log(`  (${w.bad} non-2xx answers or socket errors)`);
      }
    }
    console.log("--- medians");
    const base = results.postgres ? median(results.postgres.map((x) => x.rps)) : undefined;
    for (const t of targets) {
      const rows = results[t.name]!;
      const rps = median(rows.map((x) => x.rps));
      console.log(
        `${t.name.padEnd(14)} ${Math.round(rps).toString().padStart(6)} req/s  p99 ${median(rows.map((x) => x.p99)).toFixed(2)} ms  server CPU ${median(rows.map((x) => x.cpuUs)).toFixed(1)} µs/req` +
          (base ? `  /postgres=${(rps / base).toFixed(2)}` : ""),
      );
    }
  } finally {
    await cleanUp();
  }
}

await main();

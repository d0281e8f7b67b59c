/**
 * @module Registrations/s and admin list latency, SQLite vs PostgreSQL in one run: each round starts
 * the compiled server once per dialect (fresh folder; on PostgreSQL fresh tables under a new
 * OB_DB_PREFIX in one private server), in alternating order, and measures
 *   - registering N instances over HTTP with concurrency (half at listening ports of this process,
 *     half at 127.0.0.x ports that refuse, as bench/registry/registry-bench.ts), each answered once
 *     committed; server CPU per registration;
 *   - `listInstances` as admin (all N, timed to the last byte): p50/p99;
 *   - `listUsers` as admin (a page of 100 of U registered users): p50/p99.
 *
 *   bun bench/cluster/registry.ts [--instances 10000] [--users 100] [--lists 100] [--rounds 2] [--concurrency 32] [--no-build]
 */
import { parseArgs } from "node:util";
import { ADMIN_PASSWORD, cleanUp, cpuMs, describeRun, latencySummary, loadAverage, privatePostgres, serverBinary, startNode, tokenFor, type Storage } from "./lib";

const { values: args } = parseArgs({
  options: {
    instances: { type: "string", default: "10000" },
    users: { type: "string", default: "100" },
    lists: { type: "string", default: "100" },
    rounds: { type: "string", default: "2" },
    concurrency: { type: "string", default: "32" },
    slugs: { type: "string", default: "10" },
    "no-build": { type: "boolean", default: false },
  },
});
const N = Number(args.instances);
const USERS = Number(args.users);
const LISTS = Number(args.lists);
const CONCURRENCY = Number(args.concurrency);
const SLUGS = Number(args.slugs);

/** Runs `count` jobs with `concurrency` workers. */
async function inParallel(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await job(i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** `times` timed calls of `request` (until the last byte). */
async function timed(times: number, request: () => Promise<Response>, check: (body: string) => void): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    const r = await request();
    const body = await r.text();
    ms.push(performance.now() - t0);
    if (!r.ok) throw new Error(`${r.status}: ${body.slice(0, 200)}`);
    if (i === 0) check(body);
  }
  return ms;
}

async function round(binary: string, name: string, storage: Storage, alive: number[], refusingPort: number): Promise<void> {
  const load = loadAverage();
  // Registration limits off: the bench registers its users from one address in seconds.
  const node = await startNode(binary, name, storage, { OB_REGISTER_LIMIT_PER_IP: "0", OB_TOKEN_EXPIRATION: "1h" });
  try {
    const admin = await tokenFor(node.url, "1backend", ADMIN_PASSWORD);
    const tokens: string[] = [];
    for (let s = 0; s < SLUGS; s++) tokens.push(await tokenFor(node.url, `bench-svc-${s}`, "bench-password-1", { register: true }));

    let failures = 0;
    const cpu0 = cpuMs(node.pid);
    const started = performance.now();
    await inParallel(N, CONCURRENCY, async (i) => {
      const url = i % 2 === 0 ? `http://127.0.0.1:${alive[(i / 2) % alive.length]}/a/${i}` : `http://127.0.0.${2 + (i % 250)}:${refusingPort}/r/${i}`;
      const r = await fetch(`${node.url}/registry-svc/instance`, {
        method: "PUT",
        headers: { authorization: `Bearer ${tokens[i % SLUGS]}`, "content-type": "application/json" },
        body: JSON.stringify({ url }),
      });
      await r.arrayBuffer();
      if (r.status !== 201) failures++;
    });
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuMs(node.pid) - cpu0;

    const instances = await timed(LISTS, () => fetch(`${node.url}/registry-svc/instances`, { headers: { authorization: `Bearer ${admin}` } }), (body) => {
      const count = (JSON.parse(body) as { instances: unknown[] }).instances.length;
      if (count !== N) throw new Error(`listInstances answered ${count} instances, expected ${N}`);
    });

    await inParallel(USERS, 4, async (i) => void (await tokenFor(node.url, `bench-user-${i}`, "bench-user-password", { register: true })));
    const listUsers = () => fetch(`${node.url}/user-svc/users`, { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: JSON.stringify({ limit: 100 }) });
    const users = await timed(LISTS, listUsers, (body) => {
      const count = (JSON.parse(body) as { users: unknown[] }).users.length;
      if (count < Math.min(100, USERS)) throw new Error(`listUsers answered ${count} users`);
    });

    console.log(
      `${name.padEnd(8)} register ${N} instances: ${Math.round(N / seconds)}/s (${seconds.toFixed(2)} s, ${failures} failures, server CPU ${((cpu * 1000) / N).toFixed(0)} µs each); ` +
        `listInstances (${N}): ${latencySummary(instances)}; listUsers (page of 100): ${latencySummary(users)}; load before ${load}`,
    );
  } finally {
    await node.stop();
  }
}

async function main() {
  const binary = await serverBinary();
  const pg = await privatePostgres();
  console.log(`registry, SQLite vs PostgreSQL: ${describeRun()}; concurrency ${CONCURRENCY}, ${SLUGS} slugs`);
  // Live instances spread over 20 listeners, so the probes' connects never overflow one accept backlog.
  const listeners = Array.from({ length: 20 }, () => Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {}, open() {} } }));
  const refusing = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const refusingPort = refusing.port;
  refusing.stop(true);
  try {
    for (let r = 0; r < Number(args.rounds); r++) {
      const variants: [string, Storage][] = [
        ["sqlite", { dialect: "sqlite" }],
        ["postgres", { dialect: "postgres", url: pg.url, prefix: `bench_reg${r}_` }],
      ];
      if (r % 2 === 1) variants.reverse();
      for (const [name, storage] of variants) await round(binary, name, storage, listeners.map((l) => l.port), refusingPort);
    }
  } finally {
    for (const l of listeners) l.stop(true);
    await cleanUp();
  }
}

await main();

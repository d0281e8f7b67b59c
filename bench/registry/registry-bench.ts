/**
 * @module Registry benchmark against a real server process on loopback: registers N instances over
 * HTTP with concurrency (half of them point at a listening port, half at 127.0.0.x ports that refuse),
 * lists them all as admin, waits until every instance has been probed, and reads the server's RSS.
 *
 *   bun bench/registry/registry-bench.ts [--instances 10000] [--concurrency 32] [--slugs 10] [--binary dist/1backend]
 *   bun bench/registry/registry-bench.ts --fake-auth     # registry alone: stand-in auth gate, no token verification
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    instances: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "32" },
    slugs: { type: "string", default: "10" },
    binary: { type: "string" },
    lists: { type: "string", default: "30" },
    "fake-auth": { type: "boolean", default: false },
  },
});
const N = Number(args.instances);
const CONCURRENCY = Number(args.concurrency);
const SLUGS = Number(args.slugs);
const ADMIN_PASSWORD = "bench-admin-password";
const root = resolve(import.meta.dir, "../..");

const freePort = () => {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
};

async function main() {
  // Live instances spread over 20 listeners: 5,000 connects per cycle to one port overflow its
  // accept backlog while the load generator is busy, and a dropped SYN costs a 1 s retransmit.
  const alive = Array.from({ length: 20 }, () => Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {}, open() {} } }));
  const refusingPort = freePort();
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const folder = mkdtempSync(join(tmpdir(), "registry-bench-"));
  const fake = args["fake-auth"];
  const entry = fake ? "bench/registry/fake-auth-server.ts" : "src/main.ts";
  // BENCH_BUN_FLAGS, e.g. "--cpu-prof-md --cpu-prof-dir=/tmp/prof", profiles the server run from source.
  const flags = (process.env.BENCH_BUN_FLAGS ?? "").split(" ").filter(Boolean);
  const command = args.binary && !fake ? [resolve(args.binary)] : [process.execPath, ...flags, join(root, entry)];
  const server = Bun.spawn(command, {
    cwd: root,
    env: { ...process.env, OB_SELF_URL: base, OB_FOLDER: folder, OB_LOG_LEVEL: "warn", OB_ADMIN_PASSWORD: ADMIN_PASSWORD },
    stdout: "ignore",
    stderr: "inherit",
  });
  try {
    await waitUntilUp(base);
    const admin = fake ? "admin" : await token(base, "/user-svc/login", "1backend", ADMIN_PASSWORD);
    const tokens: string[] = [];
    for (let s = 0; s < SLUGS; s++) tokens.push(fake ? `bench-svc-${s}` : await token(base, "/user-svc/register", `bench-svc-${s}`, "bench-password-1"));
    const rssIdle = rssMb(server.pid);

    const cpu0 = cpuMs(server.pid);
    const ownCpu0 = process.cpuUsage();
    const started = performance.now();
    let next = 0;
    let failures = 0;
    const worker = async () => {
      for (let i = next++; i < N; i = next++) {
        const url = i % 2 === 0 ? `http://127.0.0.1:${alive[(i / 2) % 20]!.port}/a/${i}` : `http://127.0.0.${2 + (i % 250)}:${refusingPort}/r/${i}`;
        const r = await fetch(`${base}/registry-svc/instance`, {
          method: "PUT",
          headers: { authorization: `Bearer ${tokens[i % SLUGS]}`, "content-type": "application/json" },
          body: JSON.stringify({ url }),
        });
        await r.arrayBuffer();
        if (r.status !== 201) failures++;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const registerSeconds = (performance.now() - started) / 1000;
    const ownCpu = process.cpuUsage(ownCpu0);
    console.log(`register: ${N} instances in ${registerSeconds.toFixed(2)} s = ${Math.round(N / registerSeconds)}/s (concurrency ${CONCURRENCY}, ${SLUGS} slugs, ${failures} failures)`);
    console.log(`  CPU during registration: server ${cpuMs(server.pid) - cpu0} ms (${(((cpuMs(server.pid) - cpu0) * 1000) / N).toFixed(0)} µs per registration), load generator ${Math.round((ownCpu.user + ownCpu.system) / 1000)} ms`);

    const times: number[] = [];
    let count = 0;
    for (let i = 0; i < Number(args.lists); i++) {
      const t0 = performance.now();
      const r = await fetch(`${base}/registry-svc/instances`, { headers: { authorization: `Bearer ${admin}` } });
      const bytes = await r.arrayBuffer(); // timed until the whole body has arrived; parsing is the client's own cost
      times.push(performance.now() - t0);
      count = (JSON.parse(new TextDecoder().decode(bytes)) as { instances: unknown[] }).instances.length;
    }
    times.sort((a, b) => a - b);
    console.log(`list as admin (request until last byte): ${count} instances, p50 ${pct(times, 50)} ms, p95 ${pct(times, 95)} ms, max ${pct(times, 100)} ms over ${times.length} calls`);

    const t1 = performance.now();
    let statuses: Record<string, number> = {};
    while (performance.now() - t1 < 30_000) {
      const r = await fetch(`${base}/registry-svc/instances`, { headers: { authorization: `Bearer ${admin}` } });
      statuses = {};
      for (const i of ((await r.json()) as { instances: { status: string }[] }).instances) statuses[i.status] = (statuses[i.status] ?? 0) + 1;
      if (!statuses.Unknown) break;
      await Bun.sleep(100);
    }
    console.log(`all probed ${((performance.now() - t1) / 1000).toFixed(2)} s after registration ended: ${JSON.stringify(statuses)}`);
    await Bun.sleep(6000); // at least one full 5 s probe cycle over all instances
    console.log(`server RSS: idle ${rssIdle} MB; with ${count} instances after a full probe cycle ${rssMb(server.pid)} MB (peak ${rssMb(server.pid, "VmHWM")} MB)`);
  } finally {
    server.kill("SIGTERM");
    await server.exited;
    for (const listener of alive) listener.stop(true);
    rmSync(folder, { recursive: true, force: true });
  }
}

async function waitUntilUp(base: string) {
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {}
    await Bun.sleep(50);
  }
  throw new Error("server did not start");
}

async function token(base: string, path: string, slug: string, password: string): Promise<string> {
  const r = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ slug, password, name: slug, appHost: "bench.local", device: "bench" }),
  });
  const body = (await r.json()) as { token?: { token: string } };
  if (!r.ok || !body.token) throw new Error(`${path} ${slug}: ${r.status} ${JSON.stringify(body)}`);
  return body.token.token;
}

/** User + system CPU time of a process, in ms (Linux clock ticks are 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssMb(pid: number, field = "VmRSS"): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith(field));
  return Math.round(Number(line?.match(/(\d+)/)?.[1] ?? 0) / 1024);
}

function pct(sorted: number[], p: number): string {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!.toFixed(1);
}

await main();

/**
 * Cost of refusing pathological JSON bodies, and /health latency while they arrive.
 *   bun bench/json/bench.ts [root=repo] [seconds=6]
 * Starts `bun <root>/src/main.ts` (so the same script measures an older checkout, e.g. a git worktree)
 * on a free loopback port and a temp folder, then:
 *  1. server CPU per refused request (utime+stime from /proc/<pid>/stat around a run of identical
 *     requests after a warm-up one: ≥ 0.5 s and ≥ 2 requests, or 1 where one takes seconds) for the
 *     finding's deep values in a field (10 and 72 KB) and for 1 MiB bodies: deep arrays, deep
 *     objects, wide wrong-typed arrays 31 deep, tiny values, unknown keys, a long string; on
 *     anonymous `POST /user-svc/login` and on `PUT /registry-svc/instance` with the admin's token;
 *  2. /health latency (p50/p99/max, one request every 5 ms) idle, then for `seconds` while two
 *     connections send the shapes above in a loop.
 * Bounded: ~20 s on the fixed code, ~45 s on the old one (a 72 KB body cost it 4-7 s).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(process.argv[2] ?? join(import.meta.dir, "../.."));
const seconds = Number(process.argv[3] ?? 6);
const LIMIT = 1024 * 1024;

const fill = (prefix: string, unit: string, suffix: string) =>
  prefix + Array(Math.floor((LIMIT - prefix.length - suffix.length + 1) / (unit.length + 1))).fill(unit).join(",") + suffix;
function manyKeys(): string {
  const parts: string[] = [];
  for (let size = 2, i = 0; size < LIMIT - 20; i++) size += (parts[parts.push(`"k${i}":1`) - 1]!.length + 1);
  return `{${parts.join(",")}}`;
}
/** The 1 MiB bodies, `field` being the operation's string field. */
const shapes = (field: string): Record<string, string> => ({
  // The finding's two: a deep value in a field (500s: stack overflow), and a 72 KB one (seconds).
  "5,000-deep array in a field (10 KB)": `{"${field}":${"[".repeat(5_000)}${"]".repeat(5_000)}}`,
  "12,000-deep objects in a field (72 KB)": `{"${field}":${'{"a":'.repeat(12_000)}1${"}".repeat(12_000)}}`,
  "deep arrays (500,000)": "[".repeat(500_000) + "]".repeat(500_000),
  "deep objects (170,000)": '{"a":'.repeat(170_000) + "1" + "}".repeat(170_000),
  "wide wrong-typed, 31 deep (17k long numbers)": fill(`{"${field}":` + "[".repeat(31), "1".repeat(60), "]".repeat(31) + "}"),
  "wide wrong-typed, tiny values (350k)": fill(`{"${field}":[`, "1", "]}"),
  "unknown keys (90k)": manyKeys(),
  "long string (1 MiB)": `{"${field}":"${"a".repeat(LIMIT - 20 - field.length)}"}`,
});

async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

/** utime+stime of `pid` in ms (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

const folder = mkdtempSync(join(tmpdir(), "1backend-json-bench-"));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = Bun.spawn(["bun", join(root, "src/main.ts")], {
  cwd: root,
  env: { PATH: process.env.PATH!, OB_FOLDER: folder, OB_SELF_URL: base, OB_LOG_LEVEL: "warn" },
  stdout: "ignore",
  stderr: "ignore",
});
try {
  while (!(await fetch(`${base}/health`).then((r) => r.ok, () => false))) await Bun.sleep(20);
  const login = await fetch(`${base}/user-svc/login`, { method: "POST", body: JSON.stringify({ appHost: "bench", slug: "1backend", password: "changeme" }) });
  const token = ((await login.json()) as { token: { token: string } }).token.token;
  const OPERATIONS = [
    { name: "POST /user-svc/login (anonymous)", method: "POST", path: "/user-svc/login", field: "appHost", headers: {} as Record<string, string> },
    { name: "PUT /registry-svc/instance (token)", method: "PUT", path: "/registry-svc/instance", field: "url", headers: { authorization: `Bearer ${token}` } },
  ];
  const requests = OPERATIONS.flatMap((op) =>
    Object.entries(shapes(op.field)).map(([shape, text]) => ({ op, shape, body: new TextEncoder().encode(text) })),
  );
  const stopped = new AbortController();
  const send = async (r: (typeof requests)[number]) => {
    const response = await fetch(base + r.op.path, { method: r.op.method, body: r.body, headers: { "content-type": "application/json", ...r.op.headers }, signal: stopped.signal });
    return { status: response.status, code: ((await response.json()) as { code?: string }).code ?? "" };
  };

  console.log(`root ${root}\n\n| operation | body | answer | server CPU per request |\n|---|---|---|---|`);
  for (const r of requests) {
    const warm = performance.now();
    await send(r); // warm-up: JIT and the route's compiled handler
    // One more request is enough where one takes seconds (the old code), so the run stays bounded.
    const least = performance.now() - warm > 250 ? 1 : 2;
    const cpu0 = cpuMs(server.pid);
    const t0 = performance.now();
    let n = 0;
    let answer = "";
    while (n < least || performance.now() - t0 < 500) {
      const a = await send(r);
      answer = `${a.status} ${a.code}`;
      n++;
    }
    console.log(`| ${r.op.name} | ${r.shape} | ${answer} | ${((cpuMs(server.pid) - cpu0) / n).toFixed(1)} ms (${n} requests) |`);
  }

  const health = async (ms: number) => {
    const latencies: number[] = [];
    const end = performance.now() + ms;
    while (performance.now() < end) {
      const t0 = performance.now();
      await fetch(`${base}/health`).then((r) => r.arrayBuffer());
      latencies.push(performance.now() - t0);
      await Bun.sleep(5);
    }
    return latencies;
  };
  const row = (name: string, xs: number[], extra = "") =>
    console.log(`| ${name} | ${xs.length} | ${percentile(xs, 0.5).toFixed(2)} ms | ${percentile(xs, 0.99).toFixed(2)} ms | ${Math.max(...xs).toFixed(1)} ms | ${extra} |`);
  console.log(`\n| /health | samples | p50 | p99 | max | pathological requests answered |\n|---|---|---|---|---|---|`);
  row("idle", await health(2000));
  let sent = 0;
  const loop = async (offset: number) => {
    for (let i = offset; !stopped.signal.aborted; i++) {
      await send(requests[i % requests.length]!);
      sent++;
    }
  };
  const senders = [loop(0), loop(5)].map((p) => p.catch(() => {}));
  const loaded = await health(seconds * 1000);
  // Abort what is in flight (the old code spends seconds on one body): the server is stopped next.
  stopped.abort();
  await Promise.all(senders);
  row(`while 2 connections send the bodies above in a loop (${seconds} s)`, loaded, String(sent));
} finally {
  server.kill("SIGTERM");
  await server.exited;
  rmSync(folder, { recursive: true, force: true });
}

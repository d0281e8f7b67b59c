/**
 * @module What the cluster benchmarks share: a private copy of the compiled server (built under the
 * worktree's build lock when `src/` is newer than it), nodes started on SQLite or on one PostgreSQL
 * (scripts/postgres.sh through test/helpers/postgres.ts, removed by its watchdog if we die), wrk runs,
 * CPU and load readings, percentiles. Every process a script starts is stopped on exit and on
 * SIGINT/SIGTERM; nothing listens beyond 127.0.0.1.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { startPostgres, type PostgresServer } from "../../test/helpers/postgres";
import { stopGracefully } from "../../test/helpers/child-process";

export { call } from "../../test/helpers/call";
export { startPostgres, type PostgresServer };

export const ROOT = resolve(import.meta.dir, "../..");
export const ADMIN_PASSWORD = "bench-admin-password";

/** Where each node's state lives: its own SQLite file, or tables under `prefix` in one PostgreSQL. */
export type Storage = { dialect: "sqlite" } | { dialect: "postgres"; url: string; prefix: string };

const cleanups: (() => Promise<void> | void)[] = [];
/** Runs `fn` at exit (in reverse order), also after SIGINT/SIGTERM. */
export function atExit(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}
export async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) await Promise.resolve(cleanups.pop()!()).catch((err) => console.error("cleanup:", err));
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void cleanUp().finally(() => process.exit(130)));
}

/**
 * The server binary to run: a private copy of dist/1backend, built first (under
 * /tmp/ob-pg-build.lock, which every engineer's build takes) when it is missing or older than a file
 * of src/. A copy, so another engineer's rebuild neither fails on our running binary (text file
 * busy) nor changes it under a run. `--no-build` in argv skips the build; `BIN=<path>` runs (a copy
 * of) another build instead, e.g. one of a committed tree.
 */
export async function serverBinary(): Promise<string> {
  if (process.env.BIN) {
    binaryOrigin = `BIN=${process.env.BIN}`;
    return privateCopy(resolve(process.env.BIN));
  }
  const dist = join(ROOT, "dist", "1backend");
  const stale = () => {
    try {
      statSync(dist);
    } catch {
      return true;
    }
    return Bun.spawnSync(["find", join(ROOT, "src"), "-newer", dist, "-print", "-quit"]).stdout.toString().trim() !== "";
  };
  if (!process.argv.includes("--no-build") && stale()) {
    console.log("building dist/1backend (src/ is newer)…");
    const build = Bun.spawnSync(["flock", "/tmp/ob-pg-build.lock", join(ROOT, "scripts", "build.sh")], { cwd: ROOT, stdout: "ignore", stderr: "inherit" });
    if (build.exitCode !== 0) throw new Error(`scripts/build.sh exited with ${build.exitCode}`);
  }
  return privateCopy(dist);
}

let binaryOrigin = "";

function privateCopy(dist: string): string {
  binaryOrigin ||= `dist/1backend built ${new Date(statSync(dist).mtimeMs).toISOString().slice(0, 19)}Z`;
  const folder = mkdtempSync(join(tmpdir(), "ob-bench-bin-"));
  const copy = join(folder, "1backend");
  atExit(() => rmSync(folder, { recursive: true, force: true }));
  // Under the lock, so a build in progress is never copied half-written.
  const copied = Bun.spawnSync(["flock", "/tmp/ob-pg-build.lock", "cp", dist, copy], { stderr: "inherit" });
  if (copied.exitCode !== 0) throw new Error(`copying ${dist} failed`);
  return copy;
}

/** One line naming the code and the machine state, for the report. */
export function describeRun(): string {
  const git = (...args: string[]) => Bun.spawnSync(["git", ...args], { cwd: ROOT }).stdout.toString().trim();
  const dirty = git("status", "--porcelain", "--", "src").split("\n").filter(Boolean).length;
  const tree = process.env.BIN ? "" : ` (worktree at ${git("rev-parse", "--short", "HEAD")}${dirty ? ` + ${dirty} uncommitted file(s) in src/` : ""})`;
  return `${binaryOrigin}${tree}, ${navigator.hardwareConcurrency} cores, load average ${loadAverage()}, ${new Date().toISOString().slice(0, 16)}Z`;
}

/** /proc/loadavg's 1- and 5-minute figures. */
export function loadAverage(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 2).join(" / ");
}

export function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

/** A private PostgreSQL for this run, stopped at exit. */
export async function privatePostgres(): Promise<PostgresServer> {
  const pg = await startPostgres();
  atExit(() => pg[Symbol.asyncDispose]());
  return pg;
}

export interface Node {
  name: string;
  url: string;
  pid: number;
  process: Subprocess<"ignore", "pipe", "pipe">;
  stop(): Promise<void>;
}

/**
 * Starts the server on `port` (a free one unless given) with a folder of its own, request logging
 * off (OB_LOG_LEVEL=warn, as nginx's access_log off in the proxy bench) and `env`, and waits for
 * /readyz. Stopped at exit unless stopped before.
 */
export async function startNode(binary: string, name: string, storage: Storage, env: Record<string, string> = {}, port = freePort()): Promise<Node> {
  const folder = mkdtempSync(join(tmpdir(), `ob-bench-${name}-`));
  const url = `http://127.0.0.1:${port}`;
  const db = storage.dialect === "postgres" ? { OB_DB: "postgres", OB_DB_CONNECTION_STRING: storage.url, OB_DB_PREFIX: storage.prefix } : {};
  const proc = Bun.spawn([binary], {
    cwd: folder,
    env: { PATH: "/usr/bin:/bin", HOME: folder, OB_SELF_URL: url, OB_FOLDER: folder, OB_LOG_LEVEL: "warn", OB_ADMIN_PASSWORD: ADMIN_PASSWORD, ...db, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: process.env.BENCH_NODE_STDERR ? "inherit" : "pipe",
  }) as Subprocess<"ignore", "pipe", "pipe">;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopGracefully(proc);
    rmSync(folder, { recursive: true, force: true });
  };
  atExit(stop);
  // Drain the output (warnings only) so a chatty node never blocks on a full pipe; kept for errors.
  const output: string[] = [];
  for (const stream of [proc.stdout, proc.stderr]) if (stream) void new Response(stream).text().then((t) => output.push(t), () => {});
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    if (proc.exitCode !== null) {
      await Bun.sleep(50); // the rest of its output
      throw new Error(`${name} exited with ${proc.exitCode}: ${output.join("")}`);
    }
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) return { name, url, pid: proc.pid, process: proc, stop };
    await Bun.sleep(20);
  }
  await stop();
  throw new Error(`${name} not ready within 30 s`);
}

/** Logs in (or registers, with `register`) and answers the token. */
export async function tokenFor(base: string, slug: string, password: string, options: { register?: boolean; device?: string } = {}): Promise<string> {
  const path = options.register ? "/user-svc/register" : "/user-svc/login";
  const r = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ slug, password, name: slug, appHost: "bench.local", device: options.device ?? "bench" }),
  });
  const body = (await r.json()) as { token?: { token: string } };
  if (!r.ok || !body.token) throw new Error(`${path} ${slug}: ${r.status} ${JSON.stringify(body)}`);
  return body.token.token;
}

/** User + system CPU time of a process, in ms (Linux clock ticks are 10 ms). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The value at percentile `p` of ascending `sorted` (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** "p50 x ms, p99 y ms, max z ms over n" of `values` (ms). */
export function latencySummary(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms over ${sorted.length}`;
}

export interface WrkResult {
  rps: number;
  requests: number;
  p99Ms: number;
  /** Non-2xx answers plus socket errors. */
  bad: number;
}

const toMs = (text: string) => {
  const m = text.match(/^([\d.]+)(us|ms|s)$/);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1);
};

/** One `wrk --latency` run (wrk is the proxy bench's load generator). */
export async function wrk(url: string, options: { seconds: number; connections: number; threads?: number; headers?: string[] }): Promise<WrkResult> {
  const args = ["wrk", `-t${options.threads ?? 1}`, `-c${options.connections}`, `-d${options.seconds}s`, "--latency", ...(options.headers ?? []).flatMap((h) => ["-H", h]), url];
  const proc = Bun.spawn(args, { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${err}`);
  const num = (re: RegExp) => Number(out.match(re)?.[1] ?? 0);
  const socketErrors = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    requests: num(/(\d+) requests in/),
    p99Ms: toMs(out.match(/^\s+99%\s+(\S+)/m)?.[1] ?? ""),
    bad: num(/Non-2xx or 3xx responses: (\d+)/) + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
  };
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

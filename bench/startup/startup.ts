/**
 * Start-to-ready time and idle memory of the compiled server.
 *   bun bench/startup/startup.ts [runs=10]
 *   BIN=/other/1backend READY_PATH=/health bun bench/startup/startup.ts   # another build; a binary without /readyz
 * Each run starts dist/1backend (or BIN) on a fresh folder (first boot: migrations, key pair, admin
 * account) and on a reused folder (restart), measures the time from spawn to the first 200 from
 * READY_PATH (default /readyz: database written, migrations applied, jobs running), then the idle RSS
 * after the server has served that request and settled for 2 s.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const binary = process.env.BIN ? resolve(process.env.BIN) : resolve(import.meta.dir, "../../dist/1backend");
const readyPath = process.env.READY_PATH ?? "/readyz";
const runs = Number(process.argv[2] ?? 10);

async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024;
}

async function once(folder: string): Promise<{ readyMs: number; rss: number }> {
  const port = await freePort();
  const started = performance.now();
  const proc = Bun.spawn([binary], { env: { PATH: "/usr/bin:/bin", OB_FOLDER: folder, OB_SELF_URL: `http://127.0.0.1:${port}`, OB_LOG_LEVEL: "warn" }, stdout: "ignore", stderr: "inherit" });
  let readyMs = 0;
  while (!readyMs) {
    const ok = await fetch(`http://127.0.0.1:${port}${readyPath}`).then((r) => r.ok, () => false);
    if (ok) readyMs = performance.now() - started;
    else await Bun.sleep(2);
  }
  await Bun.sleep(2000);
  const rss = rssMiB(proc.pid);
  proc.kill("SIGTERM");
  await proc.exited;
  return { readyMs, rss };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fresh: { readyMs: number; rss: number }[] = [];
const restart: { readyMs: number; rss: number }[] = [];
for (let i = 0; i < runs; i++) {
  const folder = mkdtempSync(join(tmpdir(), "1backend-bench-"));
  fresh.push(await once(folder));
  restart.push(await once(folder));
  rmSync(folder, { recursive: true, force: true });
}
for (const [name, xs] of [["first boot", fresh], ["restart", restart]] as const) {
  console.log(
    `${name.padEnd(10)} start-to-ready median ${median(xs.map((x) => x.readyMs)).toFixed(0)} ms (min ${Math.min(...xs.map((x) => x.readyMs)).toFixed(0)}, max ${Math.max(...xs.map((x) => x.readyMs)).toFixed(0)})  idle RSS median ${median(xs.map((x) => x.rss)).toFixed(1)} MiB`,
  );
}

/**
 * @module "Any language, even without an SDK": examples/skeleton-py (Python, standard library only)
 * against the compiled server. It registers its account and instance, answers through the proxy,
 * re-registers as its heartbeat, deregisters on SIGTERM and, restarted, logs in with the kept password.
 * The steps run in order and share the server; every wait polls a condition with a deadline.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { startBinary, waitFor, type BinaryServer } from "../helpers/binary";
import { stopGracefully, waitForLine } from "../helpers/child-process";
import { tempDir, type TempDir } from "../helpers/temp-dir";

const MAIN = resolve(import.meta.dir, "../../examples/skeleton-py/main.py");
const ADMIN_PASSWORD = "skeleton-py-admin";
const STEP_TIMEOUT = 60_000;

interface Instance { id: string; url: string; slug: string }
interface RunningPy { url: string; process: Subprocess<"ignore", "pipe", "pipe">; lines: string[] }

let dir: TempDir;
let server: BinaryServer;
let python: string;
let home: string;
let py: RunningPy | undefined;

/** The interpreter itself (a pyenv shim needs the real HOME, and the service gets a temp one). */
async function findPython(): Promise<string> {
  const proc = Bun.spawn(["python3", "-c", "import sys; print(sys.executable)"], { stdout: "pipe", stderr: "inherit" });
  const out = (await new Response(proc.stdout).text()).trim();
  if ((await proc.exited) !== 0 || !out) throw new Error("python3 is not on PATH");
  return out;
}

/** Starts the Python service in a shell that also exported the server's OB_SELF_URL, and waits for `ready`. */
async function startPy(): Promise<RunningPy> {
  const proc = Bun.spawn([python, MAIN], {
    cwd: home,
    env: { PATH: "/usr/bin:/bin", HOME: home, OB_URL: server.url, SELF_URL: "http://127.0.0.1:0", OB_SELF_URL: server.url, HEARTBEAT_SECONDS: "0.2" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  const ready = await waitForLine(proc, lines, '"msg":"skeleton-svc ready"', "skeleton-py", 30_000);
  return { url: (JSON.parse(ready) as { url: string }).url, process: proc, lines };
}

async function adminToken(): Promise<string> {
  const r = await fetch(`${server.url}/user-svc/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ appHost: "unnamed", slug: "1backend", password: ADMIN_PASSWORD }) });
  return ((await r.json()) as { token: { token: string } }).token.token;
}

async function instances(): Promise<Instance[]> {
  const r = await fetch(`${server.url}/registry-svc/instances?slug=skeleton-svc`, { headers: { authorization: `Bearer ${await adminToken()}` } });
  return ((await r.json()) as { instances?: Instance[] }).instances ?? [];
}

const hello = async () => {
  const r = await fetch(`${server.url}/skeleton-svc/hello`);
  return { status: r.status, body: await r.json() };
};
const credentialsFile = () => join(home, ".1backend", "services", "skeleton-svc.json");

beforeAll(async () => {
  python = await findPython();
  dir = tempDir("1backend-skeleton-py-");
  home = join(dir.path, "home");
  mkdirSync(home);
  mkdirSync(join(dir.path, "server"));
  server = await startBinary({ folder: join(dir.path, "server"), env: { OB_ADMIN_PASSWORD: ADMIN_PASSWORD } });
}, STEP_TIMEOUT);

afterAll(async () => {
  py?.process.kill("SIGKILL");
  await py?.process.exited;
  await server?.[Symbol.asyncDispose]();
  dir?.[Symbol.dispose]();
}, STEP_TIMEOUT);

describe("examples/skeleton-py (Python, standard library only)", () => {
  test("registers its account and its instance, and answers /skeleton-svc/hello through the server", async () => {
    py = await startPy();
    expect(py.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(py.lines.some((l) => l.includes('"msg":"service account registered"'))).toBe(true);
    expect((await instances()).map((i) => ({ url: i.url, slug: i.slug }))).toEqual([{ url: py.url, slug: "skeleton-svc" }]);
    expect(await hello()).toEqual({ status: 200, body: { hello: "world" } });
    expect(statSync(credentialsFile()).mode & 0o777).toBe(0o600);
  }, STEP_TIMEOUT);

  test("re-registers as its heartbeat: an instance an admin removed comes back by itself", async () => {
    const [before] = await instances();
    const removed = await fetch(`${server.url}/registry-svc/instance/${before!.id}`, { method: "DELETE", headers: { authorization: `Bearer ${await adminToken()}` } });
    expect(removed.status).toBe(204);
    const back = await waitFor("the heartbeat to register the instance again", async () => (await instances()).find((i) => i.url === py!.url));
    expect(back.slug).toBe("skeleton-svc");
    expect(await hello()).toEqual({ status: 200, body: { hello: "world" } });
  }, STEP_TIMEOUT);

  test("SIGTERM deregisters and exits 0; restarted, it logs in with the kept password instead of registering", async () => {
    const kept = readFileSync(credentialsFile(), "utf8");
    expect(await stopGracefully(py!.process)).toBe(0);
    expect(await instances()).toEqual([]);
    expect(await hello()).toEqual({ status: 404, body: { error: "no instances found", code: "proxy.no_instances" } });

    py = await startPy();
    expect(py.lines.filter((l) => l.includes('"msg":"service account')).map((l) => JSON.parse(l).msg)).toEqual(["service account logged in"]);
    expect(readFileSync(credentialsFile(), "utf8")).toBe(kept);
    expect(await hello()).toEqual({ status: 200, body: { hello: "world" } });
    expect(await stopGracefully(py.process)).toBe(0);
  }, STEP_TIMEOUT);
});

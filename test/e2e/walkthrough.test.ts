/**
 * The "first service" walkthrough from end to end, as a new user runs it: the compiled dist/1backend and
 * dist/oo, the skeleton service on the SDK, in a temp folder on free ports. The steps run in order and
 * share the processes; every wait polls a condition with a deadline.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CLI_BINARY, requireBinary, startBinary, waitFor, type BinaryServer } from "../helpers/binary";
import { tempDir, type TempDir } from "../helpers/temp-dir";
import { runOo } from "../cli/run-oo";
import { freePort, skeletonCredentialsFile, startSkeleton, type SkeletonProcess } from "./skeleton-process";

const ADMIN_PASSWORD = "walkthrough-admin-pw";
const STEP_TIMEOUT = 60_000;

interface Instance { id: string; url: string; status: string; slug?: string; lastHeartbeat?: string }

let dir: TempDir;
let server: BinaryServer;
let serverPort: number;
let skeleton: SkeletonProcess | undefined;
let skeletonPort: number;
let home: string;

const serverEnv = () => ({ OB_ADMIN_PASSWORD: ADMIN_PASSWORD, OB_HEALTH_INTERVAL: "200ms", OB_HEALTH_TIMEOUT: "500ms" });
const oo = (args: string[], stdin?: string) => runOo(args, { home, stdin, bin: requireBinary(CLI_BINARY) });
const hello = async () => {
  const r = await fetch(`${server.url}/skeleton-svc/hello`);
  return { status: r.status, body: await r.text() };
};
async function instances(): Promise<Instance[]> {
  const r = await oo(["instance", "ls", "--json"]);
  if (r.code !== 0) throw new Error(`oo instance ls failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as Instance[]).filter((i) => i.slug === "skeleton-svc");
}
async function login(): Promise<void> {
  const r = await oo(["login", "1backend"], `${ADMIN_PASSWORD}\n`);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.stringMatching(/^Logged in as 1backend in environment /) });
}

beforeAll(async () => {
  requireBinary(CLI_BINARY);
  dir = tempDir("1backend-walkthrough-");
  home = join(dir.path, "home");
  mkdirSync(home);
  mkdirSync(join(dir.path, "server"));
  server = await startBinary({ folder: join(dir.path, "server"), env: serverEnv() });
  serverPort = Number(new URL(server.url).port);
  skeletonPort = freePort();
}, STEP_TIMEOUT);

afterAll(async () => {
  await skeleton?.kill();
  await server?.[Symbol.asyncDispose]();
  dir?.[Symbol.dispose]();
}, STEP_TIMEOUT);

describe("walkthrough: your first service", () => {
  test("the skeleton service starts, registers, and answers through the server", async () => {
    skeleton = await startSkeleton({ serverUrl: server.url, port: skeletonPort, home });
    const answer = await waitFor("hello through the proxy", async () => ((await hello()).status === 200 ? hello() : undefined));
    expect(JSON.parse(answer.body)).toEqual({ hello: "world" });
  }, STEP_TIMEOUT);

  test("oo env add + oo login as admin; oo instance ls shows the instance Healthy, owned by skeleton-svc", async () => {
    expect((await oo(["env", "add", "local", server.url])).code).toBe(0);
    await login();
    await waitFor("the instance to be Healthy", async () => (await instances()).some((i) => i.status === "Healthy"));
    const table = await oo(["instance", "ls"]);
    const [header, ...rows] = table.stdout.trimEnd().split("\n");
    expect(header!.split(/\s{2,}/)).toEqual(["ID", "URL", "STATUS", "OWNER SLUG", "LAST HEARTBEAT"]);
    const row = rows.map((r) => r.split(/\s{2,}/)).find((cells) => cells[3] === "skeleton-svc");
    expect(row?.slice(1, 4)).toEqual([skeleton!.url, "Healthy", "skeleton-svc"]);
    expect(row?.[4]).toMatch(/^-?\d+s ago$/);
  }, STEP_TIMEOUT);

  test("a restarted skeleton service reuses its account and URL: no second user, no duplicate instance", async () => {
    const credentials = readFileSync(skeletonCredentialsFile(home), "utf8");
    const [before] = await instances();
    await skeleton!.kill(); // a crash leaves the instance registered: the restart must not add another
    skeleton = await startSkeleton({ serverUrl: server.url, port: skeletonPort, home });
    expect(skeleton.lines.join("\n")).toContain("service account logged in");
    expect(readFileSync(skeletonCredentialsFile(home), "utf8")).toBe(credentials);
    const users = JSON.parse((await oo(["user", "ls", "--json"])).stdout) as { slug: string }[];
    expect(users.filter((u) => u.slug === "skeleton-svc")).toHaveLength(1);
    const after = await waitFor("the instance to be Healthy again", async () => {
      const list = await instances();
      return list.length === 1 && list[0]!.status === "Healthy" ? list : undefined;
    });
    expect(after.map((i) => ({ id: i.id, url: i.url }))).toEqual([{ id: before!.id, url: skeleton.url }]);
    expect((await hello()).status).toBe(200);
  }, STEP_TIMEOUT);

  test("a restarted server on the same folder keeps users, instances and routing", async () => {
    const [before] = await instances();
    expect(await server.stop()).toBe(0);
    server = await startBinary({ folder: join(dir.path, "server"), env: { ...serverEnv(), OB_SELF_URL: `http://127.0.0.1:${serverPort}` } });
    expect(server.url).toBe(`http://127.0.0.1:${serverPort}`);
    await login(); // the admin (and its password) survived
    const list = await instances();
    expect(list.map((i) => ({ id: i.id, url: i.url }))).toEqual([{ id: before!.id, url: skeleton!.url }]);
    const answer = await waitFor("hello through the restarted server", async () => ((await hello()).status === 200 ? hello() : undefined));
    expect(JSON.parse(answer.body)).toEqual({ hello: "world" });
  }, STEP_TIMEOUT);

  test("a killed service (SIGKILL) turns Unreachable and the proxy answers 503", async () => {
    await skeleton!.kill();
    await waitFor("the instance to be Unreachable", async () => (await instances())[0]?.status === "Unreachable");
    const answer = await hello();
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toMatchObject({ error: expect.any(String), code: expect.any(String) });
  }, STEP_TIMEOUT);

  test("a gracefully stopped service deregisters and the proxy answers 404", async () => {
    skeleton = await startSkeleton({ serverUrl: server.url, port: skeletonPort, home });
    await waitFor("hello to work again", async () => (await hello()).status === 200);
    expect(await skeleton.stop()).toBe(0);
    skeleton = undefined;
    expect(await instances()).toEqual([]);
    const answer = await hello();
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body).error).toMatch(/no instances/i);
  }, STEP_TIMEOUT);

  test("oo login with a wrong password exits non-zero with the server's message", async () => {
    const direct = await fetch(`${server.url}/user-svc/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ appHost: "unnamed", slug: "1backend", password: "not-the-password" }),
    });
    const { error } = (await direct.json()) as { error: string };
    const r = await oo(["login", "1backend"], "not-the-password\n");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error: ${error} (HTTP ${direct.status})\n`);
  }, STEP_TIMEOUT);
});

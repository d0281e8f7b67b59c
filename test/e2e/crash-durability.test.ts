/**
 * @module Contract §4 "durable acknowledgements" against the compiled binary: registrations,
 * re-registrations and removals stream in concurrently, the process is SIGKILLed in the middle of the
 * stream (no graceful flush), and after a restart on the same folder every acknowledged change is
 * there. Instance URLs are loopback ports nobody listens on (only the prober touches them).
 */
import { expect, test } from "bun:test";
import { startBinary } from "../helpers/binary";
import { tempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait";

const ADMIN_PASSWORD = "crash-admin-password";
const ENV = { OB_ADMIN_PASSWORD: ADMIN_PASSWORD };
/** Kill once this many registrations were acknowledged; requests are still streaming then. */
const KILL_AFTER = 150;
const WORKERS = 8;

const freePort = () => {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
};

async function adminToken(base: string): Promise<string> {
  const r = await fetch(`${base}/user-svc/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ appHost: "unnamed", slug: "1backend", password: ADMIN_PASSWORD }),
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { token: { token: string } }).token.token;
}

test("every registration, re-registration and removal acknowledged before a kill -9 is there after the restart", async () => {
  await using dir = tempDir();
  const ports = Array.from({ length: 4 }, freePort);
  const registered = new Set<string>();
  const redeployed = new Set<string>();
  const removed = new Set<string>();
  /** Removals sent: unacknowledged ones may or may not have been committed before the kill. */
  const removing = new Set<string>();
  let inFlightAtKill = 0;
  {
    await using server = await startBinary({ folder: dir.path, env: ENV });
    const token = await adminToken(server.url);
    const send = async (method: string, path: string, body?: unknown): Promise<number | undefined> => {
      try {
        const r = await fetch(`${server.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        await r.arrayBuffer();
        return r.status;
      } catch {
        return undefined; // the connection died with the process: not acknowledged
      }
    };
    let next = 0;
    let killed = false;
    let inFlight = 0;
    const tracked = async (method: string, path: string, body?: unknown) => {
      inFlight++;
      try {
        return await send(method, path, body);
      } finally {
        inFlight--;
      }
    };
    const worker = async () => {
      while (!killed) {
        const n = next++;
        const id = `crash-${n}`;
        const url = `http://127.0.0.1:${ports[n % ports.length]}/i/${n}`;
        if ((await tracked("PUT", "/registry-svc/instance", { id, url })) !== 201) continue;
        registered.add(id);
        if (registered.size >= KILL_AFTER && !killed) {
          killed = true;
          inFlightAtKill = inFlight;
          server.process.kill("SIGKILL");
        }
        if (n % 3 === 0) removing.add(id);
        if (n % 3 === 0 && (await tracked("DELETE", `/registry-svc/instance/${id}`)) === 204) removed.add(id);
        if (n % 3 === 1 && (await tracked("PUT", "/registry-svc/instance", { id, url, deploymentId: "v2" })) === 201) redeployed.add(id);
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    expect(await server.process.exited).not.toBe(0);
  }
  // The kill hit a stream in full flow, and all three kinds of change were acknowledged before it.
  expect(inFlightAtKill).toBeGreaterThan(0);
  expect(removed.size).toBeGreaterThan(0);
  expect(redeployed.size).toBeGreaterThan(0);

  await using restarted = await startBinary({ folder: dir.path, env: ENV });
  const token = await adminToken(restarted.url);
  const listed = await waitFor("the instance list", async () => {
    const r = await fetch(`${restarted.url}/registry-svc/instances`, { headers: { authorization: `Bearer ${token}` } });
    return r.status === 200 ? ((await r.json()) as { instances: { id: string; deploymentId?: string }[] }).instances : undefined;
  });
  const stored = new Map(listed.map((i) => [i.id, i]));
  const missing = [...registered].filter((id) => !removing.has(id) && !stored.has(id));
  const resurrected = [...removed].filter((id) => stored.has(id));
  const notRedeployed = [...redeployed].filter((id) => stored.get(id)?.deploymentId !== "v2");
  expect({ missing, resurrected, notRedeployed }).toEqual({ missing: [], resurrected: [], notRedeployed: [] });
}, 60_000);

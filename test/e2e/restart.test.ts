import { expect, test } from "bun:test";
import { startBinary } from "../helpers/binary";
import { tempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait";

const ADMIN = { OB_ADMIN_PASSWORD: "admin-pass-123" };

async function post(url: string, body: unknown, token?: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

test("users, sessions and the signing key survive a restart of the compiled binary", async () => {
  await using dir = tempDir();
  let token: string;
  let publicKey: string;
  {
    await using server = await startBinary({ folder: dir.path, env: ADMIN });
    const registered = await post(`${server.url}/user-svc/register`, { appHost: "unnamed", slug: "alice", password: "alice-password", name: "Alice" });
    expect(registered.status).toBe(200);
    token = registered.body.token.token;
    publicKey = ((await (await fetch(`${server.url}/user-svc/public-key`)).json()) as { publicKey: string }).publicKey;
    expect(await server.stop()).toBe(0);
  }
  await using server = await startBinary({ folder: dir.path, env: { ...ADMIN, OB_ADMIN_PASSWORD: "another-password" } });
  expect(((await (await fetch(`${server.url}/user-svc/public-key`)).json()) as { publicKey: string }).publicKey).toBe(publicKey);
  const self = await post(`${server.url}/user-svc/self`, {}, token);
  expect(self.status).toBe(200);
  expect(self.body.user.slug).toBe("alice");
  expect((await post(`${server.url}/user-svc/login`, { appHost: "unnamed", slug: "alice", password: "alice-password" })).status).toBe(200);
  // The admin was created on first boot; a changed OB_ADMIN_PASSWORD does not reset an existing account.
  expect((await post(`${server.url}/user-svc/login`, { appHost: "unnamed", slug: "1backend", password: "admin-pass-123" })).status).toBe(200);
});

test("SIGTERM lets an in-flight proxied request finish before the binary exits", async () => {
  await using dir = tempDir();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrived = false;
  using upstream = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch() {
      arrived = true;
      await released;
      return new Response("finished");
    },
  });
  const server = await startBinary({ folder: dir.path, env: ADMIN });
  try {
    const account = await post(`${server.url}/user-svc/register`, { appHost: "unnamed", slug: "slow-svc", password: "slow-svc-password" });
    const registered = await fetch(`${server.url}/registry-svc/instance`, {
      method: "PUT",
      headers: { "content-type": "application/json", authorization: `Bearer ${account.body.token.token}` },
      body: JSON.stringify({ url: `http://127.0.0.1:${upstream.port}` }),
    });
    expect(registered.status).toBe(201);
    const inFlight = fetch(`${server.url}/slow-svc/work`);
    await waitFor("the request to reach the upstream", () => arrived);
    server.process.kill("SIGTERM");
    await waitFor("the server to log its shutdown", () => server.lines.some((l) => l.includes('"msg":"shutting down"')));
    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("finished");
    expect(await server.process.exited).toBe(0);
  } finally {
    release();
    await server.stop();
  }
});

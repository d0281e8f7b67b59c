/**
 * The proxy inside the real server: accounts from the User Svc, instances from the registry
 * (PUT /registry-svc/instance), tokens judged by the real gate, connect failures seen in the registry.
 */
import { describe, expect, test } from "bun:test";
import { FakeClock } from "../helpers/fake-clock";
import { testServer, type TestServer } from "../helpers/server";
import { echoUpstream, json, upstream } from "./helpers";

const APP = "proxy.test";
// A fake clock moves token expiry by hand; the sweeper must not expire instances meanwhile.
const ENV = { OB_UNHEALTHY_AFTER: "1h", OB_INSTANCE_TTL: "0", OB_TOKEN_EXPIRATION: "5m" };

async function call(s: TestServer, method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await fetch(`${s.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

async function registerService(s: TestServer, slug: string, ...urls: string[]): Promise<string> {
  const r = await call(s, "POST", "/user-svc/register", undefined, { appHost: APP, slug, password: `${slug}-password`, name: slug });
  expect(r.status).toBe(200);
  const token = r.body.token.token as string;
  for (const url of urls) expect((await call(s, "PUT", "/registry-svc/instance", token, { url })).status).toBe(201);
  return token;
}

describe("proxy end to end (real server, registry and User Svc)", () => {
  test("GET /skeleton-svc/hello reaches the registered instance with path, query and token unchanged", async () => {
    await using up = echoUpstream();
    await using s = await testServer({ env: ENV });
    const token = await registerService(s, "skeleton-svc", up.url);
    const r = await json(fetch(`${s.url}/skeleton-svc/hello?x=1`, { headers: { authorization: `Bearer ${token}` } }));
    expect(r.path).toBe("/skeleton-svc/hello?x=1");
    expect(r.headers.authorization).toBe(`Bearer ${token}`);
    const none = await fetch(`${s.url}/unknown-svc/hello`);
    expect(none.status).toBe(404);
    expect(await none.json()).toEqual({ error: "no instances found", code: "proxy.no_instances" });
  });

  test("an expired token of an active session is replaced before forwarding; a revoked one is refused", async () => {
    const clock = new FakeClock(Date.now());
    const seen: (string | null)[] = [];
    await using up = upstream((req) => (seen.push(req.headers.get("authorization")), new Response("ok")));
    await using s = await testServer({ env: ENV, clock });
    const token = await registerService(s, "skeleton-svc", up.url);
    clock.advance(6 * 60_000);
    const refreshed = await fetch(`${s.url}/skeleton-svc/x`, { headers: { authorization: `Bearer ${token}` } });
    expect(refreshed.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^Bearer ey/);
    expect(seen[0]).not.toBe(`Bearer ${token}`);

    const fresh = (await call(s, "POST", "/user-svc/login", undefined, { appHost: APP, slug: "skeleton-svc", password: "skeleton-svc-password" })).body.token.token;
    expect((await call(s, "DELETE", "/user-svc/tokens", fresh, {})).status).toBe(200);
    const refused = await fetch(`${s.url}/skeleton-svc/x`, { headers: { authorization: `Bearer ${fresh}` } });
    expect(refused.status).toBe(401);
    expect((await json(refused)).code).toBe("user.token_revoked");
    expect(seen).toHaveLength(1);
  });

  test("a stopped instance is marked Unreachable in the registry at the first failed connect; clients never see it", async () => {
    await using alive = echoUpstream("alive");
    const dead = echoUpstream("dead");
    await using s = await testServer({ env: ENV });
    const token = await registerService(s, "skeleton-svc", alive.url, dead.url);
    await dead[Symbol.asyncDispose]();
    for (let i = 0; i < 6; i++) expect((await json(fetch(`${s.url}/skeleton-svc/x`))).name).toBe("alive");
    const listed = (await call(s, "GET", "/registry-svc/instances", token)).body.instances as { url: string; status: string }[];
    expect(listed.find((i) => i.url === dead.url)?.status).toBe("Unreachable");
  });

  test("WebSocket frames go through the real server both ways", async () => {
    await using up = upstream((req, srv) => (srv.upgrade(req, { data: undefined }) ? undefined : new Response("no", { status: 400 })), {
      message: (ws, message) => void ws.send(typeof message === "string" ? `echo ${message}` : message),
    });
    await using s = await testServer({ env: ENV });
    await registerService(s, "skeleton-svc", up.url);
    const client = new WebSocket(`${s.url.replace("http", "ws")}/skeleton-svc/ws`);
    client.binaryType = "arraybuffer";
    await new Promise((resolve, reject) => ((client.onopen = resolve), (client.onerror = reject)));
    const reply = new Promise<unknown>((resolve) => (client.onmessage = (e) => resolve(e.data)));
    client.send("hi");
    expect(await reply).toBe("echo hi");
    client.close();
  });
});

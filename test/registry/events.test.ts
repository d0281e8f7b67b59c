/**
 * `GET /registry-svc/events` (the console's live view) on a real server: the snapshot comes first, then
 * registered / status / heartbeat / removed in the order they happened; a non-admin sees its own slug's
 * instances only; a revoked session's or expired token's stream ends with `event: end`; a reader that
 * stops reading is cut off at the queue cap; the per-account cap answers 429; stopping the server ends
 * every stream; on PostgreSQL a change made through another node arrives on this node's stream.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { call } from "../helpers/call";
import { onPostgres, tablePrefix } from "../helpers/dialect";
import { FakeClock } from "../helpers/fake-clock";
import { testServer, type TestServer } from "../helpers/server";
import { waitFor } from "../helpers/wait";
import { openEventStream, type Frame } from "./event-stream-reader";

const APP = "events.app";
/** Probes only when asked (at registration, or prober.runOnce()), so every status change is the test's. */
const QUIET = { OB_HEALTH_INTERVAL: "1h", OB_UNHEALTHY_AFTER: "1h" };

const upstreams: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const u of upstreams.splice(0)) u.stop(true);
});

function upstream(): ReturnType<typeof Bun.serve> {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("ok") });
  upstreams.push(server);
  return server;
}

async function login(s: TestServer, slug: string, password = "changeme"): Promise<string> {
  const r = await call("POST", `${s.url}/user-svc/login`, { appHost: APP, slug, password });
  if (r.status !== 200) throw new Error(`login ${slug}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token.token;
}

async function account(s: TestServer, slug: string): Promise<string> {
  const r = await call("POST", `${s.url}/user-svc/register`, { appHost: APP, slug, password: `${slug}-password` });
  if (r.status !== 200) throw new Error(`register ${slug}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token.token;
}

async function registerInstance(s: TestServer, token: string, url: string, id?: string): Promise<void> {
  const r = await call("PUT", `${s.url}/registry-svc/instance`, { url, ...(id ? { id } : {}) }, token);
  expect(r.status).toBe(201);
}

const events = (s: TestServer, token: string) => openEventStream(`${s.url}/registry-svc/events`, token);
/** Reads frames up to the first about instance `id` of type `type`; answers the frames about `id` on the way, that one last. */
async function framesUntil(stream: Awaited<ReturnType<typeof events>>, id: string, type: string): Promise<Frame[]> {
  const seen: Frame[] = [];
  for (;;) {
    const [frame] = await stream.next();
    if (frame!.event !== "instance" || frame!.data.instance.id !== id) continue;
    seen.push(frame!);
    if (frame!.data.type === type) return seen;
  }
}

const until = async (stream: Awaited<ReturnType<typeof events>>, id: string, type: string) => summary(await framesUntil(stream, id, type));

const summary = (frames: { event: string; data: any }[]) =>
  frames.map((f) => (f.event === "instance" ? `${f.data.type} ${f.data.instance.id} ${f.data.instance.status}` : `${f.event} ${JSON.stringify(f.data)}`));

describe("GET /registry-svc/events", () => {
  test("the snapshot comes first, then registered, status, heartbeat and removed, in order, as the list shows them", async () => {
    await using s = await testServer({ env: QUIET });
    const admin = await login(s, "1backend");
    const svc = await account(s, "ev-svc");
    const first = upstream();
    await registerInstance(s, svc, `http://127.0.0.1:${first.port}`, "ev-1");
    await waitFor("the first instance to be probed", async () => (await call("GET", `${s.url}/registry-svc/instances`, undefined, admin)).body.instances[0].status === "Healthy");
    await using stream = await events(s, admin);
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(stream.headers.get("cache-control")).toBe("no-store");
    expect(stream.headers.get("x-accel-buffering")).toBe("no");
    const [snapshot] = await stream.next();
    const listed = (await call("GET", `${s.url}/registry-svc/instances`, undefined, admin)).body;
    expect(snapshot).toEqual({ event: "snapshot", data: listed });

    const second = upstream();
    await registerInstance(s, svc, `http://127.0.0.1:${second.port}`, "ev-2"); // registered Unknown, then the probe: Healthy
    expect(summary(await stream.next(2))).toEqual(["registered ev-2 Unknown", "status ev-2 Healthy"]);
    await registerInstance(s, svc, `http://127.0.0.1:${second.port}`, "ev-2"); // the owner's re-registration: a heartbeat
    const [heartbeat] = await stream.next();
    expect(summary([heartbeat!])).toEqual(["heartbeat ev-2 Healthy"]);
    const [now] = (await call("GET", `${s.url}/registry-svc/instances?id=ev-2`, undefined, admin)).body.instances;
    expect(heartbeat!.data.instance).toEqual(now);
    const port = second.port;
    second.stop(true);
    await s.deps.registry.prober.runOnce(); // the closed port: Unreachable (ev-1's probe is a heartbeat of its own)
    expect(await until(stream, "ev-2", "status")).toEqual(["status ev-2 Unreachable"]);
    expect((await call("DELETE", `${s.url}/registry-svc/instance/ev-2`, undefined, svc)).status).toBe(204);
    expect(await framesUntil(stream, "ev-2", "removed")).toEqual([{ event: "instance", data: { type: "removed", instance: { id: "ev-2", url: now.url, slug: "ev-svc", status: "Unreachable", scheme: "http", host: "127.0.0.1", ip: "127.0.0.1", port } } }]);
  });

  test("heartbeats of one instance are sent at most once a second", async () => {
    await using s = await testServer({ env: QUIET });
    const svc = await account(s, "beat-svc");
    const u = upstream();
    await registerInstance(s, svc, `http://127.0.0.1:${u.port}`, "beat-1");
    await waitFor("the instance to be probed", async () => (await call("GET", `${s.url}/registry-svc/instances`, undefined, svc)).body.instances[0].status === "Healthy");
    await using stream = await events(s, svc);
    await stream.next(); // snapshot
    const started = performance.now();
    for (let i = 0; i < 5; i++) await registerInstance(s, svc, `http://127.0.0.1:${u.port}`, "beat-1");
    const elapsed = performance.now() - started;
    await registerInstance(s, svc, `http://127.0.0.1:${upstream().port}`, "beat-2"); // a marker after the heartbeats
    await until(stream, "beat-2", "registered");
    const beats = summary(stream.frames.filter((f) => f.event === "instance" && f.data.instance.id === "beat-1"));
    // Five heartbeats within `elapsed` (~tens of ms): one frame, or one more per second they took.
    expect(beats[0]).toBe("heartbeat beat-1 Healthy");
    expect(beats.length).toBeLessThanOrEqual(1 + Math.floor(elapsed / 1000));
  });

  test("a non-admin sees only its own slug's instances and none of another's events; an admin sees both", async () => {
    await using s = await testServer({ env: QUIET });
    const admin = await login(s, "1backend");
    const alpha = await account(s, "alpha-svc");
    const beta = await account(s, "beta-svc");
    await registerInstance(s, alpha, `http://127.0.0.1:${upstream().port}`, "a-1");
    await registerInstance(s, beta, `http://127.0.0.1:${upstream().port}`, "b-1");
    await using alphaStream = await events(s, alpha);
    await using adminStream = await events(s, admin);
    const [alphaSnapshot] = await alphaStream.next();
    expect(alphaSnapshot!.data.instances.map((i: any) => i.id)).toEqual(["a-1"]);
    const [adminSnapshot] = await adminStream.next();
    expect(adminSnapshot!.data.instances.map((i: any) => i.id).sort()).toEqual(["a-1", "b-1"]);
    await registerInstance(s, beta, `http://127.0.0.1:${upstream().port}`, "b-2");
    await registerInstance(s, alpha, `http://127.0.0.1:${upstream().port}`, "a-2");
    const alphaFrames = summary(await alphaStream.next(1)); // b-2's would have come first
    expect(alphaFrames).toEqual(["registered a-2 Unknown"]);
    const adminIds = new Set<string>();
    await waitFor("the admin's stream to show both", async () => {
      for (const f of await adminStream.next()) adminIds.add(f.data.instance.id);
      return adminIds.has("a-2") && adminIds.has("b-2");
    });
    expect(alphaStream.frames.some((f) => f.event === "instance" && f.data.instance.slug !== "alpha-svc")).toBe(false);
  });

  test("a revoked session's stream ends with event: end user.token_revoked", async () => {
    await using s = await testServer({ env: QUIET });
    const svc = await account(s, "rev-svc");
    await using stream = await events(s, svc);
    await stream.next();
    expect((await call("DELETE", `${s.url}/user-svc/tokens`, {}, svc)).status).toBe(200);
    expect(await stream.next()).toEqual([{ event: "end", data: { code: "user.token_revoked" } }]);
    expect(await stream.done).toBe("ended");
    expect(s.deps.registry.streams.size).toBe(0);
  });

  test("a stream ends with event: end user.token_expired once its token's lifetime is over", async () => {
    const clock = new FakeClock(Date.now());
    await using s = await testServer({ env: { ...QUIET, OB_TOKEN_EXPIRATION: "1m" }, clock });
    const svc = await account(s, "exp-svc");
    await using stream = await events(s, svc);
    await stream.next();
    s.deps.registry.streams.runOnce();
    expect(s.deps.registry.streams.size).toBe(1); // not expired yet
    clock.advance(61_000);
    s.deps.registry.streams.runOnce();
    expect(await stream.next()).toEqual([{ event: "end", data: { code: "user.token_expired" } }]);
    expect(await stream.done).toBe("ended");
  });

  test("a stream quiet for 15 s (not 14.999 s) gets one keep-alive comment", async () => {
    const clock = new FakeClock(Date.now());
    await using s = await testServer({ env: QUIET, clock });
    const svc = await account(s, "ka-svc");
    await using stream = await events(s, svc);
    await stream.next();
    clock.advance(14_999);
    s.deps.registry.streams.runOnce();
    clock.advance(1);
    s.deps.registry.streams.runOnce();
    await waitFor("the keep-alive comment", () => stream.frames.some((f) => f.event === "comment"));
    expect(stream.frames.map((f) => f.event)).toEqual(["snapshot", "comment"]);
    expect(stream.frames[1]!.data).toBe("keep-alive");
  });

  test("the per-account cap answers 429 registry.too_many_streams; a closed stream frees its place", async () => {
    await using s = await testServer({ env: { ...QUIET, OB_EVENT_STREAMS_PER_USER: "2" } });
    const svc = await account(s, "cap-svc");
    const other = await account(s, "cap-other");
    const one = await events(s, svc);
    await using two = await events(s, svc);
    const three = await events(s, svc);
    expect(three.status).toBe(429);
    expect(three.headers.get("retry-after")).toBe("5");
    expect(three.frames[0]!.data).toEqual({ error: expect.stringContaining("at most 2 event streams"), code: "registry.too_many_streams" });
    await using elsewhere = await events(s, other); // another account is not counted with it
    expect(elsewhere.status).toBe(200);
    await one[Symbol.asyncDispose]();
    await waitFor("the closed stream to be forgotten", () => s.deps.registry.streams.size === 2);
    await using again = await events(s, svc);
    expect(again.status).toBe(200);
  });

  test("the node-wide cap answers 503 registry.streams_full over all accounts; a closed stream frees its place", async () => {
    await using s = await testServer({ env: { ...QUIET, OB_EVENT_STREAMS_MAX: "2" } });
    const [a, b, c] = await Promise.all(["full-a", "full-b", "full-c"].map((slug) => account(s, slug)));
    const first = await events(s, a!);
    await using second = await events(s, b!);
    const third = await events(s, c!); // one stream per account: only the node's cap refuses it
    expect(third.status).toBe(503);
    expect(third.headers.get("retry-after")).toBe("5");
    expect(third.frames[0]!.data).toEqual({ error: expect.any(String), code: "registry.streams_full" });
    await first[Symbol.asyncDispose]();
    await waitFor("the closed stream to be forgotten", () => s.deps.registry.streams.size === 1);
    await using again = await events(s, c!);
    expect(again.status).toBe(200);
  });

  test("stopping the server ends every stream with event: end registry.server_stopping, without waiting for the grace period", async () => {
    const s = await testServer({ env: QUIET });
    try {
      const svc = await account(s, "stop-svc");
      const stream = await events(s, svc);
      await stream.next();
      const started = performance.now();
      await s.stop(10_000);
      expect(performance.now() - started).toBeLessThan(5000);
      expect(await stream.next()).toEqual([{ event: "end", data: { code: "registry.server_stopping" } }]);
      expect(await stream.done).toBe("ended");
    } finally {
      await s[Symbol.asyncDispose]();
    }
  });

  test("a reader that stops reading is cut off at the queue cap; one that reads keeps its stream", async () => {
    await using s = await testServer({ env: QUIET });
    const svc = await account(s, "slow-svc");
    await registerInstance(s, svc, `http://127.0.0.1:${upstream().port}`, "slow-1");
    await using reader = await events(s, svc);
    await reader.next();
    const stalled = await stalledReader(s.port, svc);
    await waitFor("both streams to be open", () => s.deps.registry.streams.size === 2);
    const { table, streams } = s.deps.registry;
    let flips = 0;
    // Each flip is a ~250-byte status frame; 40 MiB is far past the cap plus any socket buffer.
    while (streams.dropped === 0 && flips < 160_000) {
      for (let i = 0; i < 500; i++, flips++) table.setHealth("slow-1", flips % 2 === 0 ? "Degraded" : "Healthy");
      await Bun.sleep(0); // lets the sockets move (and the reader read)
    }
    stalled.destroy();
    expect(streams.dropped).toBe(1);
    expect(streams.size).toBe(1); // the reading one stays
    console.log(`the stalled reader was dropped after ${flips} status frames`);
    await waitFor("the reading stream to see the last flip", () => summary(reader.frames.slice(-1))[0]?.endsWith(flips % 2 === 0 ? "Healthy" : "Degraded"));
  });
});

test("the OpenAPI document describes the stream as text/event-stream with each event's frame, and its 429", async () => {
  await using s = await testServer({ env: QUIET });
  const doc = (await call("GET", `${s.url}/openapi.json`)).body;
  const op = doc.paths["/registry-svc/events"].get;
  expect(op.operationId).toBe("streamInstanceEvents");
  expect(op["x-permission"]).toBe("registry-svc:instance:view");
  expect(Object.keys(op.responses["200"].content)).toEqual(["text/event-stream"]);
  expect(Object.keys(op.responses["200"].content["text/event-stream"].schema.properties)).toEqual(["snapshot", "instance", "end"]);
  expect(Object.keys(op.responses).sort()).toEqual(["200", "401", "403", "429", "503"]);
});

/** A raw connection that asks for the stream and then never reads again (its socket paused). */
async function stalledReader(port: number, token: string): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(`GET /registry-svc/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n\r\n`);
  await new Promise<void>((resolve) => socket.once("data", () => resolve()));
  socket.pause();
  return socket;
}

describe.skipIf(!onPostgres)("GET /registry-svc/events in a cluster", () => {
  test("a change made through another node arrives on this node's stream", async () => {
    await using a = await testServer({ env: QUIET });
    await using b = await testServer({ env: { ...QUIET, OB_DB_PREFIX: tablePrefix(a.folder) } });
    const svc = await account(a, "far-svc");
    await using stream = await events(b, await login(b, "1backend"));
    await stream.next();
    await registerInstance(a, svc, `http://127.0.0.1:${upstream().port}`, "far-1");
    // Registered (Unknown, or already Healthy when B reads the row after A's probe), then A's probe result.
    const registered = await until(stream, "far-1", "registered");
    expect(registered).toHaveLength(1);
    expect(registered[0]).toMatch(/^registered far-1 (Unknown|Healthy)$/);
    expect((await call("DELETE", `${a.url}/registry-svc/instance/far-1`, undefined, svc)).status).toBe(204);
    const rest = await until(stream, "far-1", "removed");
    expect(rest.at(-1)).toMatch(/^removed far-1 /);
    expect(rest.slice(0, -1).every((f) => f.startsWith("status far-1"))).toBe(true);
  });

  test("a session revoked through another node ends this node's stream", async () => {
    await using a = await testServer({ env: QUIET });
    await using b = await testServer({ env: { ...QUIET, OB_DB_PREFIX: tablePrefix(a.folder) } });
    const svc = await account(a, "far-rev-svc");
    await using stream = await events(b, svc);
    await stream.next();
    expect((await call("DELETE", `${a.url}/user-svc/tokens`, {}, svc)).status).toBe(200);
    expect(await stream.next()).toEqual([{ event: "end", data: { code: "user.token_revoked" } }]);
    expect(await stream.done).toBe("ended");
  });
});

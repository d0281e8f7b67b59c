/**
 * The network policy at connect time (contract §4: "checked at registration and at every connect"):
 * a host name may resolve elsewhere after its registration, and stored instances may be denied by the
 * policy of a later start. The denied address is always a loopback one denied by OB_INSTANCE_DENY
 * (127.0.0.3/32), so even a bug could send nothing off this machine. Also: a real server on port 0
 * refuses its own address.
 */
import { describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { silentLogger } from "../../src/lib/log";
import { AddressGuard, NAME_STALE_MAX_MS, NAME_VERDICT_TTL_MS } from "../../src/modules/registry/address-guard";
import { AddressPolicy } from "../../src/modules/registry/address-policy";
import type { ProbeFn } from "../../src/modules/registry/probe";
import { withTimeout } from "../../src/modules/registry/resolve";
import type { ConnectRefusal, ConnectVerdict } from "../../src/modules/registry/routing";
import { SelfAddresses } from "../../src/modules/registry/self-addresses";
import { FakeClock } from "../helpers/fake-clock";
import { testServer } from "../helpers/server";
import { tempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait";
import { FakeRouting, proxyHarness, rawRequest } from "../proxy/helpers";
import { ScriptedResolver } from "./fake-resolver";
import { registryHarness, type RegistryHarness } from "./harness";
import { list, register } from "./instances";

const DENY = { OB_INSTANCE_DENY: "127.0.0.3/32" };
const DENIED_BODY = { code: "proxy.address_denied", error: "the instance's address is denied by the network policy" };

/** An HTTP upstream on `hostname`, port 0, counting the requests that reach it. */
function countingUpstream(hostname = "127.0.0.1") {
  const seen = { requests: 0 };
  const server = Bun.serve({
    hostname,
    port: 0,
    fetch(request, srv: Server<unknown>) {
      seen.requests++;
      if (request.headers.get("upgrade") === "websocket" && srv.upgrade(request, { data: {} })) return undefined;
      return Response.json({ ok: true });
    },
    websocket: { message() {} },
  });
  return { port: server.port!, seen, [Symbol.asyncDispose]: () => server.stop(true) };
}

/** `work`, or a rejection naming `what` when it has not settled within `ms` (a bound, not a wait). */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until instance `id`'s connect check answers `kind` (a background refresh has landed). */
function verdictBecomes(h: RegistryHarness, id: string, kind: Exclude<ConnectVerdict, undefined>["kind"]) {
  return waitFor(`the connect check of ${id} to answer ${kind}`, async () => (await h.registry.routing.checkConnect!(id))?.kind === kind);
}

/** A probe that records its targets and says alive, sending nothing. */
function recordingProbe(): { probe: ProbeFn; targets: string[] } {
  const targets: string[] = [];
  return { targets, probe: async (t) => (targets.push(`${t.host}:${t.port}`), true) };
}

describe("connect-time check of host names", () => {
  test("a name that moves into a denied network is not connected to by the proxy once the refresh says so: 502 proxy.address_denied, Unreachable", async () => {
    await using up = countingUpstream();
    using resolver = new ScriptedResolver({ localhost: ["127.0.0.1"] });
    const clock = new FakeClock(Date.now());
    await using h = await registryHarness({ env: DENY, clock, resolve: resolver.resolve });
    await register(h, "alpha", { url: `http://localhost:${up.port}`, id: "inst-1" });
    expect((await h.json("GET", "/alpha-svc/x")).status).toBe(200);
    expect(up.seen.requests).toBe(1);

    resolver.set("localhost", ["127.0.0.3"]);
    const release = resolver.hold();
    clock.advance(NAME_VERDICT_TTL_MS + 1);
    // While the refresh is under way the last verdict holds: the connect goes to the address it checked.
    expect((await h.json("GET", "/alpha-svc/x")).status).toBe(200);
    expect(up.seen.requests).toBe(2);
    release();
    // The refresh answers "denied": it replaces the allowed verdict at once, well within the stale grace.
    await verdictBecomes(h, "inst-1", "denied");
    const r = await h.json("GET", "/alpha-svc/x");
    expect({ status: r.status, body: r.body }).toEqual({ status: 502, body: DENIED_BODY });
    expect(up.seen.requests).toBe(2);
    expect(h.registry.table.get("inst-1")!.status).toBe("Unreachable");
  });

  test("after its verdict expires, an allowed name is answered at once (a slow lookup is not waited for) and refreshed by one lookup", async () => {
    await using up = countingUpstream();
    using resolver = new ScriptedResolver({ "alpha.test": ["127.0.0.1"] });
    const clock = new FakeClock(Date.now());
    await using h = await registryHarness({ clock, resolve: resolver.resolve });
    await register(h, "alpha", { url: `http://alpha.test:${up.port}`, id: "inst-1" });
    const lookups = () => resolver.asked.filter((name) => name === "alpha.test").length;
    expect(lookups()).toBe(1);

    const release = resolver.hold();
    clock.advance(NAME_VERDICT_TTL_MS + 1);
    for (let i = 0; i < 3; i++) expect((await within(2000, "a request while the lookup is held", h.json("GET", "/alpha-svc/x"))).status).toBe(200);
    // The refresh runs in the background (it first reads the node list: a round trip on PostgreSQL).
    await waitFor("the refresh lookup to be asked", () => resolver.waiting === 1);
    expect({ requests: up.seen.requests, lookups: lookups(), held: resolver.waiting }).toEqual({ requests: 3, lookups: 2, held: 1 });
    release();
    await waitFor("the held lookup to answer", () => resolver.waiting === 0);
    expect((await h.json("GET", "/alpha-svc/x")).status).toBe(200);
    expect(h.registry.table.get("inst-1")!.status).not.toBe("Unreachable");
  });

  test("a lookup that fails after a good one keeps the instance served within the grace; after it the name is unresolved", async () => {
    await using up = countingUpstream();
    using resolver = new ScriptedResolver({ "alpha.test": ["127.0.0.1"] });
    const clock = new FakeClock(Date.now());
    const confirmed = clock.now();
    await using h = await registryHarness({ clock, resolve: resolver.resolve });
    await register(h, "alpha", { url: `http://alpha.test:${up.port}`, id: "inst-1" });

    resolver.fail("alpha.test");
    let served = 0;
    for (let elapsed = NAME_VERDICT_TTL_MS + 1; elapsed < NAME_STALE_MAX_MS; elapsed += NAME_VERDICT_TTL_MS + 1) {
      clock.set(confirmed + elapsed);
      const asked = resolver.asked.length;
      expect((await h.json("GET", "/alpha-svc/x")).status).toBe(200);
      served++;
      // The refresh this request started runs in the background; let it fail before the clock moves on.
      await waitFor("the background refresh to be asked", () => resolver.asked.length > asked);
    }
    expect(up.seen.requests).toBe(served);
    expect(resolver.asked.filter((name) => name === "alpha.test").length).toBeGreaterThan(2); // refreshed, and failed, meanwhile
    expect(h.registry.table.get("inst-1")!.status).not.toBe("Unreachable");

    clock.set(confirmed + NAME_STALE_MAX_MS + 1);
    expect((await h.json("GET", "/alpha-svc/x")).status).toBe(503); // its only instance could not be connected
    expect(up.seen.requests).toBe(served);
    expect(h.registry.table.get("inst-1")!.status).toBe("Unreachable");
    expect(await h.registry.routing.checkConnect!("inst-1")).toMatchObject({ kind: "unresolved" });
  });

  test("a stalled lookup ends as unresolved after the lookup timeout", async () => {
    using resolver = new ScriptedResolver({ "alpha.test": ["127.0.0.1"] });
    const clock = new FakeClock(Date.now());
    await using h = await registryHarness({ clock, resolve: resolver.resolve });
    await register(h, "alpha", { url: "http://alpha.test:9311", id: "inst-1" });
    resolver.hold(); // never answers until the test ends
    const self = new SelfAddresses({ listenHost: "127.0.0.1", listenPort: 0, selfUrl: "http://127.0.0.1:0", nodeUrls: async () => [], resolve: resolver.resolve, clock, interfaces: () => [] });
    // A guard of its own, over the registry's table, with a short timeout (the real one: LOOKUP_TIMEOUT_MS).
    const guard = new AddressGuard({ policy: new AddressPolicy({ allow: [], deny: [] }), self, resolve: resolver.resolve, table: h.registry.table, clock, log: silentLogger, lookupTimeoutMs: 50 });
    const verdict = await within(2000, "the connect check of a stalled name", Promise.resolve(guard.checkConnect("inst-1")));
    expect(verdict).toEqual({ kind: "unresolved", reason: "host alpha.test did not resolve within 50 ms" });
    expect(resolver.waiting).toBe(1);
    // The system resolver's wrapper: a lookup that does not answer rejects with ETIMEOUT.
    expect(await within(2000, "a stalled lookup", withTimeout(resolver.resolve, 20)("alpha.test").catch((e: { code?: string }) => e.code))).toBe("ETIMEOUT");
  });

  test("the verdict is cached for a few seconds: one lookup per name, not one per request", async () => {
    await using up = countingUpstream();
    const resolver = new ScriptedResolver({ localhost: ["127.0.0.1"] });
    const clock = new FakeClock(Date.now());
    await using h = await registryHarness({ env: DENY, clock, resolve: resolver.resolve });
    await register(h, "alpha", { url: `http://localhost:${up.port}`, id: "inst-1" });
    for (let i = 0; i < 5; i++) expect((await h.json("GET", "/alpha-svc/x")).status).toBe(200);
    expect(resolver.asked.filter((name) => name === "localhost")).toHaveLength(1);
  });

  test("nor by the prober: the probe is not called and the instance is Unreachable", async () => {
    const { probe, targets } = recordingProbe();
    const resolver = new ScriptedResolver({ localhost: ["127.0.0.1"] });
    const clock = new FakeClock(Date.now());
    await using h = await registryHarness({ env: DENY, clock, resolve: resolver.resolve, probe });
    await register(h, "alpha", { url: "http://localhost:9311", id: "inst-1" });
    expect(await h.registry.prober.runOnce()).toMatchObject({ probed: 1, healthy: 1 });
    expect(targets).toEqual(["localhost:9311"]);

    resolver.set("localhost", ["127.0.0.3"]);
    clock.advance(NAME_VERDICT_TTL_MS + 1);
    await verdictBecomes(h, "inst-1", "denied");
    expect(await h.registry.prober.runOnce()).toMatchObject({ probed: 1, unreachable: 1 });
    expect(targets).toEqual(["localhost:9311"]);
    expect(h.registry.table.get("inst-1")!.status).toBe("Unreachable");
  });

  test("a name that stops resolving for longer than the stale grace is a connect failure: the next instance answers", async () => {
    await using up = countingUpstream();
    // localhost: were the check skipped, fetch's own lookup would still stay on this machine.
    const resolver = new ScriptedResolver({ localhost: ["127.0.0.1"] });
    const clock = new FakeClock(Date.now());
    await using h = await registryHarness({ clock, resolve: resolver.resolve });
    await register(h, "alpha", { url: `http://localhost:${up.port}`, id: "inst-gone" });
    await register(h, "alpha", { url: `http://127.0.0.1:${up.port}`, id: "inst-ip" });
    resolver.set("localhost", []);
    clock.advance(NAME_STALE_MAX_MS + 1);
    for (let i = 0; i < 2; i++) expect((await h.json("GET", "/alpha-svc/x")).status).toBe(200);
    expect(h.registry.table.get("inst-gone")!.status).toBe("Unreachable");
    expect(up.seen.requests).toBe(2);
  });
});

describe("stored instances denied by the policy of a later start", () => {
  test("are kept and listed, but neither proxied to nor probed", async () => {
    await using up = countingUpstream("127.0.0.3");
    await using dir = tempDir();
    const { probe, targets } = recordingProbe();
    {
      await using before = await registryHarness({ folder: dir.path, probe });
      await register(before, "alpha", { url: `http://127.0.0.3:${up.port}`, id: "inst-1" });
    }
    await using h = await registryHarness({ folder: dir.path, env: DENY, probe });
    expect((await list(h)).map((i) => i.id)).toEqual(["inst-1"]);
    const r = await h.json("GET", "/alpha-svc/x");
    expect({ status: r.status, body: r.body }).toEqual({ status: 502, body: DENIED_BODY });
    await h.registry.prober.runOnce();
    expect({ probes: targets, requests: up.seen.requests }).toEqual({ probes: [], requests: 0 });
    expect(h.registry.table.get("inst-1")!.status).toBe("Unreachable");
  });
});

describe("WebSocket upgrades", () => {
  test("a refused instance gets no handshake: 502 proxy.address_denied and marked Unreachable", async () => {
    await using up = countingUpstream();
    class DenyingRouting extends FakeRouting {
      checkConnect(): ConnectRefusal {
        return { kind: "denied", reason: "host 127.0.0.1 is in denied network 127.0.0.1/32 (OB_INSTANCE_DENY)" };
      }
    }
    const routing = new DenyingRouting();
    const instance = routing.add("ws-svc", `http://127.0.0.1:${up.port}`);
    await using h = proxyHarness({ routing, logLevel: "silent" });
    const r = await rawRequest(h.url, "GET", "/ws-svc/socket", {
      connection: "Upgrade",
      upgrade: "websocket",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "sec-websocket-version": "13",
    });
    expect({ status: r.status, body: JSON.parse(r.body) }).toEqual({ status: 502, body: DENIED_BODY });
    expect({ requests: up.seen.requests, failures: routing.failures }).toEqual({ requests: 0, failures: [instance.id] });
  });
});

describe("a real server on port 0", () => {
  test("refuses its own address and localhost at its real port with 400 registry.self_url", async () => {
    await using s = await testServer();
    const login = await fetch(`${s.url}/user-svc/login`, { method: "POST", body: JSON.stringify({ appHost: "test.app", slug: "1backend", password: "changeme" }), headers: { "content-type": "application/json" } });
    const token = ((await login.json()) as { token: { token: string } }).token.token;
    const put = async (url: string) => {
      const r = await fetch(`${s.url}/registry-svc/instance`, { method: "PUT", body: JSON.stringify({ url }), headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } });
      return { status: r.status, body: await r.json() };
    };
    for (const url of [`http://127.0.0.1:${s.port}`, `http://localhost:${s.port}/1backend`]) {
      expect(await put(url)).toEqual({ status: 400, body: { code: "registry.self_url", error: expect.stringContaining(`points at this server (its listening address 127.0.0.1:${s.port})`) } });
    }
    expect((await put(`http://127.0.0.1:${s.port === 65535 ? 65534 : s.port + 1}`)).status).toBe(201);
  });
});

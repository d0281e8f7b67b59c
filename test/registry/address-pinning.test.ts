/**
 * DNS rebinding (contract §4, "checked at every connect"): a host-name instance is connected at the
 * address its network-policy check resolved, never at a second lookup of the name. The upstream
 * listens only on 127.0.0.2; the scripted resolver answers `localhost` → 127.0.0.2, while the system
 * resolver (which fetch, Bun.connect and WebSocket would use on their own) answers 127.0.0.1, where
 * nothing listens on that port. So a request that arrives proves the connect used the checked address.
 * Loopback only; no name leaves the scripted resolver but `localhost`.
 *
 * https: Bun's fetch and WebSocket take `tls.serverName` as the SNI and as the name the certificate
 * is verified against (chain included). The registry and proxy then run in a child process
 * (fixtures/pinned-https.ts), since only NODE_EXTRA_CA_CERTS at start makes a self-signed certificate,
 * made with openssl here, trusted by fetch without the product code knowing about it.
 */
import { describe, expect, test } from "bun:test";
import type { Server, TLSOptions, WebSocketHandler } from "bun";
import { join } from "node:path";
import { createProxyModule } from "../../src/modules/proxy";
import { tempDir } from "../helpers/temp-dir";
import { ScriptedResolver } from "./fake-resolver";
import { registryHarness, type RegistryHarness } from "./harness";
import { register } from "./instances";

/** What the upstream saw of one request. */
interface Seen {
  host: string | null;
  path: string;
}

/** Resolves true when something accepts a TCP connection at hostname:port. */
function listening(hostname: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    Bun.connect({ hostname, port, socket: { open: (s) => (s.end(), resolve(true)), connectError: () => resolve(false), data() {} } }).catch(() => resolve(false));
  });
}

/**
 * HTTP and WebSocket upstream on `hostname` only (127.0.0.2 unless told), at a port where 127.0.0.1 has
 * no listener (checked: otherwise a connect to the system resolver's answer could succeed and prove
 * nothing). A WebSocket upgrade is answered with one text frame: the Host field of the handshake.
 */
async function upstreamOn127002(tls?: TLSOptions | TLSOptions[], hostname = "127.0.0.2") {
  for (let tries = 0; tries < 10; tries++) {
    const seen: Seen[] = [];
    const server = Bun.serve({
      hostname,
      port: 0,
      tls,
      fetch(request, srv: Server<unknown>) {
        const url = new URL(request.url);
        const entry = { host: request.headers.get("host"), path: url.pathname + url.search };
        seen.push(entry);
        if (request.headers.get("upgrade") === "websocket" && srv.upgrade(request, { data: entry })) return undefined;
        return Response.json(entry);
      },
      websocket: {
        open: (ws) => void ws.send(String((ws.data as Seen).host)),
        message() {},
      },
    });
    const port = server.port!;
    if (!(await listening("127.0.0.1", port))) return { port, seen, [Symbol.asyncDispose]: () => server.stop(true) };
    await server.stop(true);
  }
  throw new Error("no port free on both 127.0.0.1 and 127.0.0.2");
}

/** The registry harness with `localhost` answered 127.0.0.2 (or `addresses`) by the scripted resolver. */
function harness(addresses = ["127.0.0.2"]): Promise<RegistryHarness> {
  return registryHarness({ resolve: new ScriptedResolver({ localhost: addresses }).resolve });
}

/** The harness's registry behind a real socket (WebSocket upgrades need a Bun server). */
function proxyServer(h: RegistryHarness) {
  const proxy = createProxyModule(h.deps, h.gate, h.registry.routing);
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request, srv) => proxy.forward(request, srv),
    websocket: proxy.websocket as WebSocketHandler<unknown>,
  });
  return {
    port: server.port!,
    async [Symbol.asyncDispose]() {
      await server.stop(true);
      await proxy.stop?.();
    },
  };
}

describe("a host-name instance is connected at the address its check resolved", () => {
  test("the premise: nothing answers at 127.0.0.1 on the upstream's port, the system's localhost", async () => {
    await using up = await upstreamOn127002();
    expect({ at127002: await listening("127.0.0.2", up.port), at127001: await listening("127.0.0.1", up.port) }).toEqual({ at127002: true, at127001: false });
  });

  test("a proxied request reaches 127.0.0.2 with the Host of the instance URL, path prefix kept", async () => {
    await using up = await upstreamOn127002();
    await using h = await harness();
    await register(h, "alpha", { url: `http://localhost:${up.port}/prefix`, id: "inst-1" });
    const r = await h.json("GET", "/alpha-svc/x?q=1");
    expect({ status: r.status, body: r.body }).toEqual({ status: 200, body: { host: `localhost:${up.port}`, path: "/prefix/alpha-svc/x?q=1" } });
    expect(h.registry.table.get("inst-1")!.status).not.toBe("Unreachable");
  });

  test("of several resolved addresses the first is connected to, every time", async () => {
    await using up = await upstreamOn127002();
    await using h = await harness(["127.0.0.2", "127.0.0.1"]);
    await register(h, "alpha", { url: `http://localhost:${up.port}`, id: "inst-1" });
    for (let i = 0; i < 3; i++) expect((await h.json("GET", "/alpha-svc/x")).status).toBe(200);
    expect(up.seen).toHaveLength(3);
  });

  // Bun's own lookup of localhost reaches ::1 too, so this checks the pinned URL's form, not the pin.
  test("an IPv6 answer is connected to in brackets, with the Host of the instance URL", async () => {
    await using up = await upstreamOn127002(undefined, "::1");
    await using h = await harness(["::1"]);
    await register(h, "alpha", { url: `http://localhost:${up.port}`, id: "inst-1" });
    const r = await h.json("GET", "/alpha-svc/x");
    expect({ status: r.status, body: r.body }).toEqual({ status: 200, body: { host: `localhost:${up.port}`, path: "/alpha-svc/x" } });
  });

  test("a retry after a refused pinned connect goes to the next instance with that instance's own Host", async () => {
    let deadPort: number;
    {
      await using gone = await upstreamOn127002();
      deadPort = gone.port; // nothing listens there once disposed
    }
    await using up = await upstreamOn127002();
    await using h = await harness();
    await register(h, "alpha", { url: `http://localhost:${deadPort}`, id: "inst-name" });
    await register(h, "alpha", { url: `http://127.0.0.2:${up.port}`, id: "inst-ip" });
    h.registry.table.setHealth("inst-name", "Healthy"); // picked first
    const r = await h.json("GET", "/alpha-svc/x");
    expect({ status: r.status, body: r.body }).toEqual({ status: 200, body: { host: `127.0.0.2:${up.port}`, path: "/alpha-svc/x" } });
    expect(h.registry.table.get("inst-name")!.status).toBe("Unreachable");
  });

  test("a WebSocket upgrade reaches 127.0.0.2 with the Host of the instance URL", async () => {
    await using up = await upstreamOn127002();
    await using h = await harness();
    await using proxy = proxyServer(h);
    await register(h, "alpha", { url: `http://localhost:${up.port}`, id: "inst-1" });
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/alpha-svc/socket`);
    const first = await new Promise<string>((resolve, reject) => {
      ws.onmessage = (event) => resolve(String(event.data));
      ws.onerror = () => reject(new Error("the proxied WebSocket failed"));
      ws.onclose = (event) => reject(new Error(`closed ${event.code} before a frame`));
    });
    ws.close();
    expect({ first, seen: up.seen }).toEqual({ first: `localhost:${up.port}`, seen: [{ host: `localhost:${up.port}`, path: "/alpha-svc/socket" }] });
  });

  test("the TCP probe connects to 127.0.0.2: the instance becomes Healthy", async () => {
    await using up = await upstreamOn127002();
    await using h = await harness();
    await register(h, "alpha", { url: `http://localhost:${up.port}`, id: "inst-1" });
    expect(await h.registry.prober.runOnce()).toMatchObject({ probed: 1, healthy: 1 });
    expect(h.registry.table.get("inst-1")!.status).toBe("Healthy");
  });

  test("a name whose first checked address has no listener is Healthy in one probe cycle, and proxied requests go to the address that answered", async () => {
    await using up = await upstreamOn127002();
    // 127.0.0.1 first, where nothing listens on the port (as ::1 first for a service bound to 127.0.0.1).
    await using h = await harness(["127.0.0.1", "127.0.0.2"]);
    await register(h, "alpha", { url: `http://localhost:${up.port}`, id: "inst-1" });
    expect(await h.registry.prober.runOnce()).toMatchObject({ probed: 1, healthy: 1 });
    const r = await h.json("GET", "/alpha-svc/x");
    expect({ status: r.status, instance: h.registry.table.get("inst-1")!.status, seen: up.seen.length }).toEqual({ status: 200, instance: "Healthy", seen: 1 });
  });

  test("a name none of whose checked addresses answers is Unreachable after trying each once", async () => {
    await using up = await upstreamOn127002();
    await using h = await harness(["127.0.0.1", "127.0.0.4"]);
    await register(h, "alpha", { url: `http://localhost:${up.port}`, id: "inst-1" });
    expect(await h.registry.prober.runOnce()).toMatchObject({ probed: 1, unreachable: 1 });
    expect({ status: h.registry.table.get("inst-1")!.status, seen: up.seen.length }).toEqual({ status: "Unreachable", seen: 0 });
  });

  test("the HTTP probe gets its health path from 127.0.0.2, with the Host of the instance URL", async () => {
    await using up = await upstreamOn127002();
    await using h = await harness();
    await register(h, "alpha", { url: `http://localhost:${up.port}`, id: "inst-1", healthCheckPath: "/healthz" });
    expect(await h.registry.prober.runOnce()).toMatchObject({ probed: 1, healthy: 1 });
    expect({ status: h.registry.table.get("inst-1")!.status, seen: up.seen }).toEqual({ status: "Healthy", seen: [{ host: `localhost:${up.port}`, path: "/healthz" }] });
  });
});

/** A self-signed certificate (P-256) with `subjectAltName` `san`, written to `dir`. */
async function selfSigned(dir: string, name: string, san: string): Promise<{ cert: string; key: string; certFile: string }> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  const args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", `/CN=${name}`, "-addext", `subjectAltName=${san}`, "-keyout", keyFile, "-out", certFile];
  const made = Bun.spawnSync(["openssl", ...args], { stdout: "ignore", stderr: "pipe" });
  if (made.exitCode !== 0) throw new Error(`openssl failed: ${made.stderr.toString()}`);
  return { cert: await Bun.file(certFile).text(), key: await Bun.file(keyFile).text(), certFile };
}

/** Runs fixtures/pinned-https.ts against the upstream at `port`, trusting `caFile`; its JSON line. */
async function runHttpsFixture(port: number, caFile: string): Promise<unknown> {
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "fixtures", "pinned-https.ts")], {
    env: { ...process.env, UPSTREAM_PORT: String(port), NODE_EXTRA_CA_CERTS: caFile },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  clearTimeout(timer);
  if (code !== 0) throw new Error(`fixture exited with ${code}: ${err}`);
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

describe("an https host-name instance at its checked address", () => {
  test("gets the name as SNI and has its certificate checked against the name: proxied, WebSocket and probed", async () => {
    using dir = tempDir();
    const named = await selfSigned(dir.path, "localhost", "DNS:localhost");
    // Presented without SNI `localhost`: valid for neither the name nor the address (never resolved).
    const other = await selfSigned(dir.path, "other", "DNS:other.invalid");
    await using up = await upstreamOn127002([{ cert: other.cert, key: other.key }, { serverName: "localhost", cert: named.cert, key: named.key }]);
    const ca = join(dir.path, "ca.pem");
    await Bun.write(ca, named.cert + other.cert);
    expect(await runHttpsFixture(up.port, ca)).toEqual({
      put: 201,
      http: { status: 200, body: { host: `localhost:${up.port}`, path: "/alpha-svc/x" } },
      ws: `frame localhost:${up.port}`,
      probe: { healthy: 1, status: "Healthy" },
    });
  });

  test("a certificate valid for the address but not for the name is refused: 502, no frame, Unreachable", async () => {
    using dir = tempDir();
    const addressOnly = await selfSigned(dir.path, "address", "IP:127.0.0.2");
    await using up = await upstreamOn127002({ cert: addressOnly.cert, key: addressOnly.key });
    expect(await runHttpsFixture(up.port, addressOnly.certFile)).toEqual({
      put: 201,
      http: { status: 502, body: { code: "proxy.bad_gateway", error: expect.any(String) } },
      ws: expect.stringMatching(/^closed /),
      probe: { healthy: 0, status: "Unreachable" },
    });
    expect(up.seen).toEqual([]);
  });
});

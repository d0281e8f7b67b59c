/**
 * The TLS edge listener and its plain HTTP companion, real sockets on loopback: certificates by SNI
 * (two hosts, a wildcard, a host without a certificate refused), a certificate replaced in the table
 * served by the next handshake while an open connection lives on, WebSocket and SSE through TLS,
 * `X-Forwarded-Proto: https` and the client's Host upstream, HTTP → HTTPS 301 and ACME challenges.
 * Certificates are made by openssl under a test CA (helpers.ts); SNI and Host are passed explicitly.
 */
import { describe, expect, test } from "bun:test";
import { X509Certificate } from "node:crypto";
import { connect } from "node:tls";
import { PLACEHOLDER_NAME } from "../../src/modules/edge/tls";
import { waitFor } from "../helpers/wait";
import { echoUpstream, upstream } from "../proxy/helpers";
import { edgeHarness, fetchTls, handshake, routes, TestCa } from "./helpers";

describe("TLS edge", () => {
  test("SNI picks each host's certificate, exact before wildcard; other names are refused at the handshake", async () => {
    await using ca = new TestCa();
    await using edge = await edgeHarness();
    const port = edge.httpsPort!;
    const a = ca.issue(["a.test"]);
    const b = ca.issue(["b.test", "www.b.test"]);
    const wild = ca.issue(["*.w.test"]);
    const exact = ca.issue(["x.w.test"]);
    edge.table.setCerts([a, b, wild, exact]);
    await Promise.resolve(); // the swap runs in a microtask after the change

    const served = async (name: string | undefined) => {
      const r = await handshake(port, name, ca.certPem);
      return r.ok ? r.cert.subject.CN : `refused (${r.error})`;
    };
    expect(await served("a.test")).toBe("a.test");
    expect(await served("b.test")).toBe("b.test");
    expect(await served("WWW.B.TEST")).toBe("b.test");
    expect(await served("y.w.test")).toBe("*.w.test");
    expect(await served("x.w.test")).toBe("x.w.test");
    for (const name of ["a.b.w.test", "w.test", "unknown.test", undefined]) expect(await served(name)).toStartWith("refused");
    // What such a client is shown: the placeholder, never a real host's certificate.
    const shown = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port, servername: "unknown.test", rejectUnauthorized: false }, () => {
        resolve(String(socket.getPeerCertificate().subject.CN));
        socket.end();
      });
      socket.on("error", reject);
    });
    expect(shown).toBe(PLACEHOLDER_NAME);
  });

  test("a replaced certificate is served by the next handshake; a WebSocket opened before lives on", async () => {
    await using ca = new TestCa();
    await using app = upstream(
      (request, server) => (server.upgrade(request, { data: undefined }) ? undefined : new Response("hello")),
      { message: (socket, message) => void socket.send(`echo:${message}`) },
    );
    await using edge = await edgeHarness();
    const port = edge.httpsPort!;
    edge.table.setRoutes(routes({ "r.test": app.url }));
    const first = ca.issue(["r.test"]);
    edge.table.setCerts([first]);
    await Promise.resolve();
    const serialOf = async () => {
      const r = await handshake(port, "r.test", ca.certPem);
      if (!r.ok) throw new Error(r.error);
      return Number.parseInt(r.cert.serialNumber, 16);
    };
    expect(await serialOf()).toBe(serialHex(first.certPem));
    const client = await openWebSocket(port, "r.test", ca.certPem);

    const second = ca.issue(["r.test"]);
    edge.table.setCerts([second]);
    await Promise.resolve();
    expect(await serialOf()).toBe(serialHex(second.certPem));
    expect(await (await fetchTls(port, "r.test", "/", ca.certPem)).text()).toBe("hello");
    // The socket made on the first certificate is still piped (the replaced server finishes it).
    client.socket.send("after");
    await waitFor("the echo after the swap", () => client.got.length === 1);
    expect(client.got).toEqual(["echo:after"]);
    client.socket.close();
  });

  test("the upstream gets X-Forwarded-Proto https and the client's Host", async () => {
    await using ca = new TestCa();
    await using echo = echoUpstream();
    await using edge = await edgeHarness();
    edge.table.setRoutes(routes({ "h.test/api": echo.url }));
    edge.table.setCerts([ca.issue(["h.test"])]);
    await Promise.resolve();
    const r = await fetchTls(edge.httpsPort!, "h.test", "/api/v1?x=1", ca.certPem);
    const seen = (await r.json()) as { path: string; headers: Record<string, string> };
    expect([seen.path, seen.headers.host, seen.headers["x-forwarded-proto"], seen.headers["x-forwarded-host"]]).toEqual(["/api/v1?x=1", "h.test", "https", "h.test"]);
  });

  test("WebSocket through the TLS edge: frames both ways, the upstream sees Host and X-Forwarded-Proto", async () => {
    await using ca = new TestCa();
    let handshakeHeaders: Record<string, string> = {};
    await using ws = upstream(
      (request, server) => {
        handshakeHeaders = Object.fromEntries(request.headers);
        return server.upgrade(request, { data: undefined }) ? undefined : new Response("no", { status: 400 });
      },
      { message: (socket, message) => void socket.send(`echo:${message}`) },
    );
    await using edge = await edgeHarness();
    edge.table.setRoutes(routes({ "ws.test": ws.url }));
    edge.table.setCerts([ca.issue(["ws.test"])]);
    await Promise.resolve();
    const { socket, got } = await openWebSocket(edge.httpsPort!, "ws.test", ca.certPem, "/chat");
    socket.send("hi");
    socket.send("there");
    await waitFor("two echoes", () => got.length === 2);
    expect(got).toEqual(["echo:hi", "echo:there"]);
    expect([handshakeHeaders.host, handshakeHeaders["x-forwarded-proto"]]).toEqual(["ws.test", "https"]);
    socket.close();
  });

  test("server-sent events stream through the TLS edge: the first event arrives before the upstream ends", async () => {
    await using ca = new TestCa();
    let push: ((text: string) => void) | undefined;
    let end: (() => void) | undefined;
    await using sse = upstream(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              push = (text) => controller.enqueue(new TextEncoder().encode(text));
              end = () => controller.close();
              push("data: one\n\n"); // Bun sends a streamed answer's headers with its first chunk

            },
          }),
          { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } },
        ),
    );
    await using edge = await edgeHarness();
    edge.table.setRoutes(routes({ "sse.test": sse.url }));
    edge.table.setCerts([ca.issue(["sse.test"])]);
    await Promise.resolve();
    const r = await fetchTls(edge.httpsPort!, "sse.test", "/events", ca.certPem, { headers: { "accept-encoding": "gzip, br" } });
    expect(r.headers.get("content-type")).toBe("text/event-stream");
    const reader = r.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("data: one\n\n");
    push!("data: two\n\n");
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: two\n\n");
    end!();
    expect((await reader.read()).done).toBe(true);
  });
});

describe("plain HTTP edge listener", () => {
  test("301 to https:// for hosts with a route, a redirect or a certificate; 404 for others; ACME challenges first", async () => {
    await using ca = new TestCa();
    await using edge = await edgeHarness();
    edge.table.setRoutes(routes({ "routed.test/app": "http://127.0.0.1:9" }));
    edge.table.setCerts([ca.issue(["*.certified.test"])]);
    edge.challenges.set("tok", "tok.key-authorization");
    const get = (path: string, host: string) => fetch(edge.httpUrl + path, { headers: { host }, redirect: "manual" });
    const https = `:${edge.httpsPort}`;
    const routed = await get("/other/x?y=1", "ROUTED.test:80");
    expect([routed.status, routed.headers.get("location")]).toEqual([301, `https://routed.test${https}/other/x?y=1`]);
    const certified = await get("/", "a.certified.test");
    expect([certified.status, certified.headers.get("location")]).toEqual([301, `https://a.certified.test${https}/`]);
    const unknown = await get("/", "unknown.test");
    expect([unknown.status, ((await unknown.json()) as { code: string }).code]).toEqual([404, "edge.route_not_found"]);
    const challenge = await get("/.well-known/acme-challenge/tok", "routed.test");
    expect([challenge.status, await challenge.text()]).toEqual([200, "tok.key-authorization"]);
    const missing = await get("/.well-known/acme-challenge/other", "routed.test");
    expect([missing.status, ((await missing.json()) as { code: string }).code]).toEqual([404, "edge.challenge_not_found"]);
  });

  test("the bound ports are reported in the log line", async () => {
    await using edge = await edgeHarness();
    const line = edge.logs.map((l) => JSON.parse(l) as { msg: string; https?: string; http?: string }).find((l) => l.msg === "edge listening")!;
    expect([line.https, line.http]).toEqual([`https://127.0.0.1:${edge.httpsPort}`, edge.httpUrl]);
  });
});

describe("Bun", () => {
  test("server.reload() ignores tls in this Bun (why listeners.ts swaps servers instead)", async () => {
    await using ca = new TestCa();
    const one = ca.issue(["one.test"]);
    const two = ca.issue(["one.test"]);
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, tls: [{ cert: one.certPem, key: one.keyPem, serverName: "one.test" }], fetch: () => new Response("") });
    try {
      server.reload({ tls: [{ cert: two.certPem, key: two.keyPem, serverName: "one.test" }], fetch: () => new Response("") } as never);
      const r = await handshake(server.port!, "one.test", ca.certPem);
      expect(r.ok && Number.parseInt(r.cert.serialNumber, 16)).toBe(serialHex(one.certPem));
    } finally {
      server.stop(true);
    }
  });
});

function serialHex(certPem: string): number {
  return Number.parseInt(new X509Certificate(certPem).serialNumber, 16);
}

/** A WebSocket to the TLS edge at 127.0.0.1:`port` as `host` (SNI and Host), open, collecting its messages. */
async function openWebSocket(port: number, host: string, ca: string, path = "/"): Promise<{ socket: WebSocket; got: string[] }> {
  const socket = new WebSocket(`wss://127.0.0.1:${port}${path}`, { headers: { host }, tls: { ca, serverName: host } } as unknown as string[]);
  const got: string[] = [];
  socket.onmessage = (event) => void got.push(String(event.data));
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error("websocket did not open"));
  });
  return { socket, got };
}

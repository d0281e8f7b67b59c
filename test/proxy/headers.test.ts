/** Proxy header rules both ways: hop-by-hop and Connection-listed fields, X-Forwarded-* trust, redirects, gzip, HEAD. */
import { describe, expect, test } from "bun:test";
import type { AuthGate } from "../../src/modules/auth-gate";
import { echoUpstream, fakeGate, json, proxyHarness, rawRequest, upstream } from "./helpers";

/** The echo upstream's JSON out of a raw response (the body may be chunked). */
const echoed = (r: { body: string }) => JSON.parse(r.body.slice(r.body.indexOf("{"), r.body.lastIndexOf("}") + 1));

/** The fake gate, recording every Authorization value it is asked about. */
function recordingGate(): { gate: AuthGate; asked: (string | null)[] } {
  const asked: (string | null)[] = [];
  const gate: AuthGate = { ...fakeGate, authorizationForUpstream: (a) => (asked.push(a), fakeGate.authorizationForUpstream(a)) };
  return { gate, asked };
}

/**
 * Sends `request` (a raw header block) and resolves with the response head once it is complete, then
 * closes: for a WebSocket handshake, whose connection stays open after the 101.
 */
async function rawHead(baseUrl: string, request: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  let text = "";
  const head = Promise.withResolvers<string>();
  const socket = await Bun.connect({
    hostname,
    port: Number(port),
    socket: {
      open: (s) => void s.write(request),
      data: (_s, data) => {
        text += data.toString("latin1");
        if (text.includes("\r\n\r\n")) head.resolve(text.slice(0, text.indexOf("\r\n\r\n")));
      },
      close: () => head.reject(new Error(`closed before a complete head: ${text}`)),
      error: (_s, err) => head.reject(err),
    },
  });
  try {
    return await head.promise;
  } finally {
    socket.end();
  }
}

/** A raw TCP upstream that answers every request with exactly `response` (full control of the header block). */
function rawUpstream(response: string) {
  const listener = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: { data: (socket) => void (socket.write(response), socket.end()) },
  });
  return { url: `http://127.0.0.1:${listener.port}`, [Symbol.dispose]: () => listener.stop(true) };
}

describe("proxy headers", () => {
  test("hop-by-hop and Connection-listed request headers are not forwarded; end-to-end ones are", async () => {
    await using up = echoUpstream();
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    const r = await rawRequest(h.url, "GET", "/svc/x", {
      connection: "keep-alive, X-Drop-Me",
      "x-drop-me": "secret",
      "keep-alive": "timeout=5",
      te: "trailers",
      trailer: "x-t",
      "proxy-authorization": "Basic cHJveHk=",
      "proxy-connection": "keep-alive",
      "x-keep": "yes",
      cookie: "a=1",
    });
    const seen = JSON.parse(r.body.slice(r.body.indexOf("{"), r.body.lastIndexOf("}") + 1)).headers;
    for (const name of ["x-drop-me", "keep-alive", "te", "trailer", "proxy-authorization", "proxy-connection"]) expect(seen[name]).toBeUndefined();
    expect(seen["x-keep"]).toBe("yes");
    expect(seen.cookie).toBe("a=1");
    expect(seen.host).toBe(new URL(up.url).host);
  });

  test("Connection: authorization keeps a valid token from the upstream and from the gate: it was for this hop", async () => {
    await using up = echoUpstream();
    const { gate, asked } = recordingGate();
    await using h = proxyHarness({ gate });
    h.routing.add("svc", up.url);
    const listed = await rawRequest(h.url, "GET", "/svc/x", { connection: "keep-alive, Authorization", authorization: "Bearer valid" });
    expect([listed.status, echoed(listed).headers.authorization]).toEqual([200, undefined]);
    // Not judged either: a revoked token addressed to this hop only is no 401, the request goes on without it.
    const revoked = await rawRequest(h.url, "GET", "/svc/x", { connection: "AUTHORIZATION", authorization: "Bearer revoked" });
    expect([revoked.status, echoed(revoked).headers.authorization]).toEqual([200, undefined]);
    expect(asked).toEqual([]);
    // Not listed: judged and forwarded (refreshed) as before.
    const plain = await rawRequest(h.url, "GET", "/svc/x", { authorization: "Bearer expired-active" });
    expect(echoed(plain).headers.authorization).toBe("Bearer refreshed");
    expect(asked).toEqual(["Bearer expired-active"]);
  });

  test("Connection options match case-insensitively across several Connection lines, with whitespace and empty items", async () => {
    await using up = echoUpstream();
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    // rawRequest sends its own `connection: close` line first, so this is a second line.
    const r = await rawRequest(h.url, "GET", "/svc/x", { Connection: " ,X-One ,, x-TWO\t, x-one", "x-one": "1", "X-Two": "2", "x-three": "3" });
    const seen = echoed(r).headers;
    expect([r.status, seen["x-one"], seen["x-two"], seen["x-three"]]).toEqual([200, undefined, undefined, "3"]);
  });

  test("a Connection option that names no field (`a b`, `a@b`) is skipped, not a 500, in both directions", async () => {
    using up = rawUpstream(["HTTP/1.1 200 OK", "Connection: a b, X-Internal, a@b", "X-Internal: secret", "X-Visible: yes", "Content-Length: 2", "", "ok"].join("\r\n"));
    await using echo = echoUpstream();
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    h.routing.add("echo", echo.url);
    const request = await rawRequest(h.url, "GET", "/echo/x", { connection: "a b, x-drop, a@b", "x-drop": "1", "x-keep": "yes" });
    expect(request.status).toBe(200);
    expect([echoed(request).headers["x-drop"], echoed(request).headers["x-keep"]]).toEqual([undefined, "yes"]);
    const response = await fetch(`${h.url}/svc/x`);
    expect([response.status, await response.text(), response.headers.get("x-internal"), response.headers.get("x-visible")]).toEqual([200, "ok", null, "yes"]);
  });

  test("Connection: x-foo, set-cookie from the upstream keeps both fields from the client", async () => {
    using up = rawUpstream(
      ["HTTP/1.1 200 OK", "Connection: keep-alive, X-Foo", "connection: Set-Cookie", "X-Foo: hop", "Set-Cookie: a=1", "Set-Cookie: b=2", "X-Bar: end", "Content-Length: 2", "", "ok"].join("\r\n"),
    );
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    const r = await fetch(`${h.url}/svc/x`);
    expect(await r.text()).toBe("ok");
    expect([r.headers.get("x-foo"), r.headers.getSetCookie(), r.headers.get("x-bar")]).toEqual([null, [], "end"]);
  });

  test("WebSocket handshake: Connection-listed fields (authorization too) are not sent upstream; nothing of the upstream's 101 but the subprotocol comes back", async () => {
    const seen: Record<string, string>[] = [];
    await using up = upstream(
      (req, srv) => {
        seen.push(Object.fromEntries(req.headers));
        const headers = { "sec-websocket-protocol": "chat", "x-internal": "secret", "set-cookie": "u=1" };
        return srv.upgrade(req, { data: undefined, headers }) ? undefined : new Response("no", { status: 400 });
      },
      { message() {} },
    );
    const { gate, asked } = recordingGate();
    await using h = proxyHarness({ gate });
    h.routing.add("svc", up.url);
    const { host } = new URL(h.url);
    const head = await rawHead(
      h.url,
      [
        "GET /svc/socket HTTP/1.1",
        `Host: ${host}`,
        "Upgrade: websocket",
        "Connection: Upgrade, Authorization,, x-FOO ",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Protocol: chat",
        "Authorization: Bearer valid",
        "X-Foo: hop",
        "X-Keep: yes",
        "",
        "",
      ].join("\r\n"),
    );
    expect(head.split("\r\n")[0]).toBe("HTTP/1.1 101 Switching Protocols");
    const back = Object.fromEntries(head.split("\r\n").slice(1).map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
    expect([back["sec-websocket-protocol"], back["x-internal"], back["set-cookie"]]).toEqual(["chat", undefined, undefined]);
    expect(seen).toHaveLength(1);
    expect([seen[0]!.authorization, seen[0]!["x-foo"], seen[0]!["x-keep"]]).toEqual([undefined, undefined, "yes"]);
    expect(asked).toEqual([]);
  });

  test("Upgrade: websocket without a handshake key is plain HTTP, its Upgrade header removed", async () => {
    await using up = echoUpstream();
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    const r = await rawRequest(h.url, "GET", "/svc/x", { upgrade: "websocket", connection: "upgrade" });
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body.slice(r.body.indexOf("{"), r.body.lastIndexOf("}") + 1));
    expect([seen.path, seen.headers.upgrade]).toEqual(["/svc/x", undefined]);
  });

  test("hop-by-hop and Connection-listed response headers are not passed back; Set-Cookie stays separate", async () => {
    const body = "hello";
    using up = rawUpstream(
      [
        "HTTP/1.1 200 OK",
        "Connection: keep-alive, X-Internal",
        "X-Internal: secret",
        "Keep-Alive: timeout=5",
        "Proxy-Authenticate: Basic",
        "Upgrade: h2c",
        "X-Visible: yes",
        "Set-Cookie: a=1",
        "Set-Cookie: b=2",
        `Content-Length: ${body.length}`,
        "",
        body,
      ].join("\r\n"),
    );
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    const r = await fetch(`${h.url}/svc/x`);
    expect(await r.text()).toBe(body);
    for (const name of ["x-internal", "keep-alive", "proxy-authenticate", "upgrade"]) expect(r.headers.get(name)).toBeNull();
    expect(r.headers.get("x-visible")).toBe("yes");
    expect(r.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
  });

  test("X-Forwarded-* from an untrusted client are replaced by what the proxy saw", async () => {
    await using up = echoUpstream();
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    const r = await json(fetch(`${h.url}/svc/x`, { headers: { "x-forwarded-for": "6.6.6.6", "x-forwarded-proto": "https", "x-forwarded-host": "evil.example", forwarded: "for=6.6.6.6", "x-real-ip": "6.6.6.6" } }));
    expect(r.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(r.headers["x-forwarded-proto"]).toBe("http");
    expect(r.headers["x-forwarded-host"]).toBe(new URL(h.url).host);
    expect(r.headers.forwarded).toBeUndefined();
    expect(r.headers["x-real-ip"]).toBeUndefined();
  });

  test("X-Forwarded-* from a trusted proxy (OB_TRUSTED_PROXIES, CIDR) are kept and extended", async () => {
    await using up = echoUpstream();
    await using h = proxyHarness({ env: { OB_TRUSTED_PROXIES: "10.0.0.1, 127.0.0.0/8" } });
    h.routing.add("svc", up.url);
    const r = await json(fetch(`${h.url}/svc/x`, { headers: { "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https", "x-forwarded-host": "app.example" } }));
    expect(r.headers["x-forwarded-for"]).toBe("203.0.113.7, 127.0.0.1");
    expect(r.headers["x-forwarded-proto"]).toBe("https");
    expect(r.headers["x-forwarded-host"]).toBe("app.example");
  });

  test("X-Forwarded-* a trusted proxy lists in Connection are dropped, and ours still describe this hop", async () => {
    await using up = echoUpstream();
    await using h = proxyHarness({ env: { OB_TRUSTED_PROXIES: "127.0.0.0/8" } });
    h.routing.add("svc", up.url);
    const r = await rawRequest(h.url, "GET", "/svc/x", { connection: "X-Forwarded-For, x-forwarded-host", "x-forwarded-for": "203.0.113.7", "x-forwarded-host": "app.example" });
    const seen = echoed(r).headers;
    // A client cannot hide its address from the upstream by naming the field: the value we add is ours, for the next hop.
    expect([seen["x-forwarded-for"], seen["x-forwarded-host"]]).toEqual(["127.0.0.1", new URL(h.url).host]);
  });

  test("a redirect is passed back unchanged, never followed", async () => {
    let followed = 0;
    await using up = upstream((req) =>
      new URL(req.url).pathname === "/svc/elsewhere" ? (followed++, new Response("followed")) : new Response("moved", { status: 302, headers: { location: "/svc/elsewhere?x=1" } }),
    );
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    const r = await fetch(`${h.url}/svc/start`, { redirect: "manual" });
    expect(r.status).toBe(302);
    expect(r.headers.get("location")).toBe("/svc/elsewhere?x=1");
    expect(await r.text()).toBe("moved");
    expect(followed).toBe(0);
  });

  test("a gzip body passes through byte-exact with its Content-Encoding and length", async () => {
    const gz = Bun.gzipSync(new TextEncoder().encode("compressible ".repeat(10_000)));
    await using up = upstream(() => new Response(gz, { headers: { "content-encoding": "gzip", "content-type": "text/plain" } }));
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    const r = await fetch(`${h.url}/svc/x`, { headers: { "accept-encoding": "gzip" }, decompress: false } as RequestInit);
    expect(r.headers.get("content-encoding")).toBe("gzip");
    expect(r.headers.get("content-length")).toBe(String(gz.byteLength));
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(gz);
  });

  test("HEAD keeps the upstream's Content-Length and sends no body", async () => {
    await using up = upstream(() => new Response(null, { headers: { "content-length": "1234", "x-head": "1" } }));
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    const r = await fetch(`${h.url}/svc/x`, { method: "HEAD" });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-length")).toBe("1234");
    expect(r.headers.get("x-head")).toBe("1");
  });
});

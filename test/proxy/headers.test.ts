/** Proxy header rules both ways: hop-by-hop and Connection-listed fields, X-Forwarded-* trust, redirects, gzip, HEAD. */
import { describe, expect, test } from "bun:test";
import { echoUpstream, json, proxyHarness, rawRequest, upstream } from "./helpers";

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

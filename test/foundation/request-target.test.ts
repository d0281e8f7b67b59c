/**
 * The request target is parsed once and that one path decides built-in vs proxy and the route; the
 * Host header never routes (contract §2 "routing"). Raw sockets against a real server on port 0,
 * because fetch cannot send odd Host values, repeated header lines or non-origin targets.
 */
import { describe, expect, test } from "bun:test";
import { createLogger } from "../../src/lib/log";
import { serverErrorHandler } from "../../src/http/listen";
import { rawRequest, type RawResponse } from "../helpers/raw-http";
import { testServer } from "../helpers/server";

/** A server whose log lines (info and up) are kept, to show what a request did and did not log. */
async function loggedServer() {
  const lines: string[] = [];
  const server = await testServer({ log: createLogger("info", (line) => void lines.push(line)) });
  return Object.assign(server, { lines });
}

const json = (r: RawResponse) => JSON.parse(r.body) as unknown;
const LOGIN = JSON.stringify({ slug: "1backend", password: "changeme" });
const get = (port: number, target: string, host: string | undefined, extra: string[] = []) =>
  rawRequest(port, [`GET ${target} HTTP/1.1`, ...(host === undefined ? [] : [`Host: ${host}`]), "Connection: close", ...extra]);

// Host values that once moved the path (≤ 3 characters, see Elysia's indexOf("/", 11)) or that make
// Bun hand over a relative request.url (empty, "/", "?", "@", non-ASCII) or an authority that the
// WHATWG URL parser refuses ("[::1", ":80").
const ODD_HOSTS = ["x", "abc", "", "a/b", "/user-svc/login", "/health", "a?b", "u@a", "[::1]:80", "[::1", ":80", "localhost:99999"];

describe("the Host header never changes routing", () => {
  test.each(ODD_HOSTS)("Host %p: built-in routes answer as with a normal Host", async (host) => {
    await using s = await testServer();
    const normal = `127.0.0.1:${s.port}`;
    for (const [method, target] of [
      ["GET", "/health"],
      ["DELETE", "/health"],
      ["GET", "/user-svc/public-key"],
      ["GET", "/user-svc/no-such-thing"],
      ["POST", "/registry-svc/nodes?x=1"],
    ] as const) {
      const head = (h: string) => [`${method} ${target} HTTP/1.1`, `Host: ${h}`, "Connection: close", "Content-Length: 0"];
      const expected = await rawRequest(s.port, head(normal));
      const got = await rawRequest(s.port, head(host));
      expect({ method, target, status: got.status, body: json(got) }).toEqual({ method, target, status: expected.status, body: json(expected) });
    }
  });

  test("HTTP/1.0 without a Host header is routed like any other request", async () => {
    await using s = await testServer();
    const r = await rawRequest(s.port, ["GET /health HTTP/1.0"]);
    expect(r.status).toBe(200);
    expect(json(r)).toMatchObject({ status: "ok" });
    const wrong = await rawRequest(s.port, ["DELETE /health HTTP/1.0"]);
    expect({ status: wrong.status, body: json(wrong) }).toEqual({ status: 405, body: { error: "method not allowed; allowed: GET", code: "http.method_not_allowed" } });
  });

  test("POST /health/user-svc/login with Host: x is not a login", async () => {
    await using s = await testServer();
    const login = (host: string) =>
      rawRequest(s.port, ["POST /health/user-svc/login HTTP/1.1", `Host: ${host}`, "Connection: close", "Content-Type: application/json", `Content-Length: ${LOGIN.length}`], LOGIN);
    const normal = await login(`127.0.0.1:${s.port}`);
    expect([404, 405]).toContain(normal.status);
    for (const host of ["x", "ab", "abc", ""]) {
      const r = await login(host);
      expect({ host, status: r.status, body: json(r) }).toEqual({ host, status: normal.status, body: json(normal) });
      expect(r.body).not.toContain("token");
    }
  });

  test("a proxied path is routed by its path whatever the Host: no instance → 404, never a built-in", async () => {
    await using s = await testServer();
    for (const host of [`127.0.0.1:${s.port}`, "x", "", "/health"]) {
      const r = await get(s.port, "/skeleton-svc/health", host);
      expect({ host, status: r.status, code: (json(r) as { code: string }).code }).toEqual({ host, status: 404, code: "proxy.no_instances" });
    }
  });
});

describe("only origin-form targets are served", () => {
  test("authority-form CONNECT is a JSON 400, not a 500, and logs no error", async () => {
    await using s = await loggedServer();
    const r = await rawRequest(s.port, ["CONNECT example.com:443 HTTP/1.1", "Host: example.com:443"]);
    expect({ status: r.status, type: r.headers["content-type"], body: json(r) }).toEqual({
      status: 400,
      type: "application/json",
      body: { error: "only origin-form request targets (/path) are served", code: "http.invalid_target" },
    });
    const other = await rawRequest(s.port, ["CONNECT /health HTTP/1.1", `Host: 127.0.0.1:${s.port}`]);
    expect({ status: other.status, code: (json(other) as { code: string }).code }).toEqual({ status: 400, code: "http.invalid_target" });
    expect(s.lines.filter((l) => JSON.parse(l).level === "error")).toEqual([]);
    expect(s.lines.join("\n")).not.toMatch(/\bat \w|stack/);
  });

  test("asterisk-form is a 400 (Bun's parser answers it before any handler: the body is Bun's)", async () => {
    await using s = await testServer();
    const r = await rawRequest(s.port, ["OPTIONS * HTTP/1.1", "Host: x"]);
    expect(r.status).toBe(400);
  });

  test("absolute-form: the target's authority never routes, only its path does", async () => {
    // Bun 1.4.5 rewrites `GET http://a/p` into request.url `http://<Host>/p` before any handler, so the
    // form cannot be refused with a 400 (see src/http/request-target.ts); RFC 9112 §3.2.2 has servers
    // accept it anyway. What must hold is that neither the target's authority nor Host picks the route.
    await using s = await testServer();
    const viaAuthority = await get(s.port, "http://user-svc/health", "x");
    expect(viaAuthority.status).toBe(200);
    expect(json(viaAuthority)).toMatchObject({ status: "ok" });
    const login = await rawRequest(
      s.port,
      ["POST http://x/health/user-svc/login HTTP/1.1", "Host: x", "Connection: close", "Content-Type: application/json", `Content-Length: ${LOGIN.length}`],
      LOGIN,
    );
    expect([404, 405]).toContain(login.status);
    expect(login.body).not.toContain("token");
  });
});

describe("ambiguous framing headers", () => {
  test("two Host header lines are a JSON 400 on built-in and proxied paths", async () => {
    await using s = await testServer();
    for (const target of ["/health", "/skeleton-svc/hello"]) {
      const r = await rawRequest(s.port, [`GET ${target} HTTP/1.1`, "Host: a.example", "Host: b.example", "Connection: close"]);
      expect({ target, status: r.status, body: json(r) }).toEqual({
        target,
        status: 400,
        body: { error: "a request carries exactly one Host header field", code: "http.duplicate_host" },
      });
    }
  });

  test("repeated Content-Length lines are a JSON 400 on built-in and proxied paths", async () => {
    await using s = await testServer();
    for (const target of ["/user-svc/login", "/skeleton-svc/hello"]) {
      const r = await rawRequest(s.port, [`POST ${target} HTTP/1.1`, "Host: a.example", "Content-Length: 2", "Content-Length: 2", "Connection: close"], "{}");
      expect({ target, status: r.status, body: json(r) }).toEqual({
        target,
        status: 400,
        body: { error: "a request carries at most one Content-Length header field", code: "http.duplicate_content_length" },
      });
    }
  });

  test("differing Content-Length lines are refused by Bun's parser with a 400", async () => {
    await using s = await testServer();
    const r = await rawRequest(s.port, ["POST /user-svc/login HTTP/1.1", "Host: a.example", "Content-Length: 2", "Content-Length: 3", "Connection: close"], "{}x");
    expect(r.status).toBe(400);
  });

  test("header fields past Bun's limit are a 431 (Bun's parser answers it: the body is Bun's)", async () => {
    await using s = await testServer();
    const r = await rawRequest(s.port, ["GET /health HTTP/1.1", "Host: a.example", `X-Big: ${"a".repeat(20_000)}`, "Connection: close"]);
    expect(r.status).toBe(431);
  });
});

describe("the server's last-resort error handler", () => {
  test("answers a JSON 500 and logs the error without Bun's source excerpt", async () => {
    const lines: string[] = [];
    const handle = serverErrorHandler(createLogger("info", (line) => void lines.push(line)));
    const response = await handle(new TypeError("boom"));
    expect(response.status).toBe(500);
    expect(response.headers.get("content-type")).toBe("application/json");
    const body = (await response.json()) as { error: string; code: string };
    expect(body.code).toBe("http.internal");
    expect(body.error).not.toContain("boom");
    expect(lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ level: "error", msg: "unhandled server error", error: "TypeError: boom" })]);
  });
});

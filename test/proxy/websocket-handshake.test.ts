/**
 * WebSocket handshakes the proxy cannot forward as sent: a malformed `Sec-WebSocket-Protocol` is the
 * client's mistake, answered 400 `proxy.bad_handshake` before any upstream socket; a failure inside the
 * upgrade is a logged JSON 500, never Bun's bare last-resort answer.
 */
import { describe, expect, test } from "bun:test";
import { rawRequest } from "../helpers/raw-http";
import { FakeRouting, proxyHarness, upstream } from "./helpers";

const portOf = (url: string) => Number(new URL(url).port);

/** A raw handshake to `/svc/ws` with `extra` header lines (no client-side validation of the protocols). */
function handshake(port: number, extra: string[]) {
  return rawRequest(port, [
    "GET /svc/ws HTTP/1.1",
    `Host: 127.0.0.1:${port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    "Origin: http://app.example",
    ...extra,
  ]);
}

/** An upstream recording each handshake's `Sec-WebSocket-Protocol` and choosing the last one offered. */
function protocolUpstream() {
  const seen: (string | null)[] = [];
  const up = upstream(
    (req, srv) => {
      const offered = req.headers.get("sec-websocket-protocol");
      seen.push(offered);
      const chosen = offered?.split(",").at(-1)?.trim();
      const headers = chosen ? { "sec-websocket-protocol": chosen } : undefined;
      return srv.upgrade(req, { data: undefined, headers }) ? undefined : new Response("no", { status: 400 });
    },
    { message() {} },
  );
  return Object.assign(up, { seen });
}

/** A registry view whose network-policy check fails unexpectedly (a bug, not a refusal). */
class CrashingRouting extends FakeRouting {
  checkConnect(): Promise<never> {
    return Promise.reject(new Error("policy store exploded"));
  }
}

describe("proxy WebSocket handshake", () => {
  test("a malformed Sec-WebSocket-Protocol is a 400 proxy.bad_handshake with CORS and request id, and reaches no upstream", async () => {
    await using up = protocolUpstream();
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    const port = portOf(h.url);
    for (const value of ["a b", "chat, chat", "chat,,x", "Chat, chat", "chat,", "a;b", "chat, \"x\""]) {
      const r = await handshake(port, [`Sec-WebSocket-Protocol: ${value}`]);
      expect({ value, status: r.status }).toEqual({ value, status: 400 });
      expect(r.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(r.body).code).toBe("proxy.bad_handshake");
      expect(r.headers["x-request-id"]).toBeTruthy();
      expect(r.headers["access-control-allow-origin"]).toBe("http://app.example");
    }
    expect(up.seen).toEqual([]);
    expect(h.logs).toEqual([]);

    // A valid list still reaches the upstream as offered, and its choice comes back.
    const client = new WebSocket(`${h.url.replace("http", "ws")}/svc/ws`, ["chat", "superchat"]);
    await using _ = { [Symbol.asyncDispose]: async () => client.close() };
    await new Promise((resolve, reject) => ((client.onopen = resolve), (client.onerror = reject)));
    expect(client.protocol).toBe("superchat");
    expect(up.seen).toEqual(["chat, superchat"]);
  });

  test("a failure inside the upgrade is a logged JSON 500 with the request id, not Bun's bare 500", async () => {
    await using up = protocolUpstream();
    const routing = new CrashingRouting();
    await using h = proxyHarness({ routing });
    routing.add("svc", up.url);
    const r = await handshake(portOf(h.url), ["Sec-WebSocket-Protocol: chat", "X-Request-Id: ws-crash-1"]);
    expect(r.status).toBe(500);
    expect(r.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(r.body).code).toBe("http.internal");
    expect(r.headers["x-request-id"]).toBe("ws-crash-1");
    expect(r.headers["access-control-allow-origin"]).toBe("http://app.example");
    expect(h.logs.some((line) => line.includes("ws-crash-1") && line.includes("policy store exploded"))).toBe(true);
    expect(up.seen).toEqual([]);
  });
});

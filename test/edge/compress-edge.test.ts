/**
 * Compression through the real edge listener (test mode, plain HTTP; the TLS listener runs the same
 * handler): a route's answer is encoded as the client asks, and a WebSocket handshake carrying
 * `Accept-Encoding: gzip` still upgrades and echoes byte for byte.
 */
import { describe, expect, test } from "bun:test";
import { gunzipSync } from "node:zlib";
import { edgeHarness, routes } from "./helpers";

const json = JSON.stringify(Array.from({ length: 500 }, (_, i) => ({ id: i, name: `item ${i}` })));

function upstream() {
  const server = Bun.serve<{ path: string }>({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request, srv) {
      if (request.headers.get("upgrade") === "websocket") return srv.upgrade(request, { data: { path: new URL(request.url).pathname } }) ? undefined : new Response("no", { status: 400 });
      return new Response(json, { headers: { "content-type": "application/json" } });
    },
    websocket: {
      message(ws, message) {
        ws.send(message);
      },
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, [Symbol.asyncDispose]: async () => void server.stop(true) };
}

describe("compression on the edge listener", () => {
  test("an edge route's JSON answer is gzip-encoded for a client that accepts gzip, and decodes to the original", async () => {
    await using up = upstream();
    await using edge = await edgeHarness({ testMode: true });
    edge.table.setRoutes(routes({ "app.test": up.url }));
    const r = await fetch(`${edge.httpUrl}/items`, { headers: { host: "app.test", "accept-encoding": "gzip" }, decompress: false } as RequestInit);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-encoding")).toBe("gzip");
    expect(r.headers.get("vary")).toBe("Accept-Encoding");
    expect(gunzipSync(new Uint8Array(await r.arrayBuffer())).toString()).toBe(json);
  });

  test("a WebSocket handshake with Accept-Encoding: gzip still upgrades through the edge", async () => {
    await using up = upstream();
    await using edge = await edgeHarness({ testMode: true });
    edge.table.setRoutes(routes({ "ws.test": up.url }));
    const ws = new WebSocket(`${edge.httpUrl.replace("http", "ws")}/chat`, { headers: { host: "ws.test", "accept-encoding": "gzip" } } as unknown as string[]);
    const echoed = new Promise<string>((resolve, reject) => {
      ws.onmessage = (event) => resolve(String(event.data));
      ws.onerror = () => reject(new Error("websocket error"));
    });
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onclose = (event) => reject(new Error(`closed before open: ${event.code}`));
    });
    ws.send(json);
    expect(await echoed).toBe(json);
    ws.close();
  });
});

/**
 * Compression through the real edge listener (test mode, plain HTTP; the TLS listener runs the same
 * handler): a WebSocket handshake carrying `Accept-Encoding: gzip` still upgrades and echoes byte for byte.
 */
import { describe, expect, test } from "bun:test";
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

/**
 * WebSocket relay under a slow reader on either side: the proxy stops reading the fast side instead
 * of buffering without bound, and no frame is lost or reordered. "Stops reading" is observed as the
 * sender's own buffer staying full for a bounded while (the absence of an event; there is nothing to await).
 */
import { describe, expect, test } from "bun:test";
import type { ServerWebSocket } from "bun";
import { waitFor } from "../helpers/wait";
import { proxyHarness, upstream } from "./helpers";

const MB = 1024 * 1024;
const FRAMES = 48; // 48 MiB: well past Bun's 16 MiB per-socket send limit, where frames used to be dropped
const HOLD_MS = 1000;

const frame = (i: number) => {
  const bytes = new Uint8Array(MB);
  bytes[0] = i;
  return bytes;
};
const inOrder = (seen: number[]) => seen.length === FRAMES && seen.every((v, i) => v === i);

describe("proxy WebSocket backpressure", () => {
  test("a slow client gets every upstream frame in order, and the upstream is held back meanwhile", async () => {
    const opened = Promise.withResolvers<ServerWebSocket<unknown>>();
    await using up = upstream((req, srv) => (srv.upgrade(req, { data: undefined }) ? undefined : new Response("no", { status: 400 })), {
      open(ws: ServerWebSocket<unknown>) {
        for (let i = 0; i < FRAMES; i++) ws.send(frame(i));
        opened.resolve(ws);
      },
      message() {},
      backpressureLimit: 0, // the test upstream itself buffers everything: only the proxy may push back
    } as never);
    // The upstream runs in this process and its open() queues 48 MiB at once, holding the event loop the proxy's
    // side of the handshake completes on: on a loaded machine that outlasted the 3 s connect timeout (a 502 in CI).
    // The timeout is not what this test is about.
    await using h = proxyHarness({ env: { OB_PROXY_CONNECT_TIMEOUT: "25s" } });
    h.routing.add("svc", up.url);
    const client = new WebSocket(`${h.url.replace("http", "ws")}/svc/socket`);
    client.binaryType = "arraybuffer";
    client.pause();
    const seen: number[] = [];
    client.onmessage = (e) => seen.push(new Uint8Array(e.data as ArrayBuffer)[0]!);
    await new Promise((resolve, reject) => ((client.onopen = resolve), (client.onerror = reject)));
    const sender = await opened.promise;
    // Without backpressure the proxy reads all of it at once (the upstream's buffer empties).
    await waitFor("the proxy to read the upstream dry", () => sender.getBufferedAmount() === 0, HOLD_MS).catch(() => {});
    expect(sender.getBufferedAmount()).toBeGreaterThan(0);
    client.resume();
    await waitFor("all frames at the client", () => seen.length >= FRAMES, 20_000);
    expect(inOrder(seen)).toBe(true);
    client.close();
  }, 30_000);

  test("a slow upstream gets every client frame in order, and the client is held back meanwhile", async () => {
    const seen: number[] = [];
    const opened = Promise.withResolvers<ServerWebSocket<unknown>>();
    await using up = upstream((req, srv) => (srv.upgrade(req, { data: undefined }) ? undefined : new Response("no", { status: 400 })), {
      open(ws) {
        ws.pause();
        opened.resolve(ws);
      },
      message: (_ws, message) => void seen.push(new Uint8Array(message as Buffer)[0]!),
    });
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    const client = new WebSocket(`${h.url.replace("http", "ws")}/svc/socket`);
    await new Promise((resolve, reject) => ((client.onopen = resolve), (client.onerror = reject)));
    const receiver = await opened.promise;
    for (let i = 0; i < FRAMES; i++) client.send(frame(i));
    // Without backpressure the proxy reads all of it into its own upstream buffer (the client's empties).
    await waitFor("the proxy to read the client dry", () => client.bufferedAmount === 0, HOLD_MS).catch(() => {});
    expect(client.bufferedAmount).toBeGreaterThan(0);
    receiver.resume();
    await waitFor("all frames at the upstream", () => seen.length >= FRAMES, 20_000);
    expect(inOrder(seen)).toBe(true);
    client.close();
  }, 30_000);
});

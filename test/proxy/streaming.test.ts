/** Proxy streaming: 100 MB up and down in bounded memory, SSE as sent, WebSocket frames, subprotocols and closes. */
import { describe, expect, test } from "bun:test";
import { proxyHarness, proxyProcess, upstream } from "./helpers";

const MB = 1024 * 1024;
const TOTAL = 100 * MB;

/** 100 chunks of 1 MiB: one random block with the chunk number stamped in, so chunks differ. */
function generated(): { stream: () => ReadableStream<Uint8Array>; sha256: string } {
  const block = crypto.getRandomValues(new Uint8Array(MB));
  const chunk = (i: number) => {
    const copy = block.slice();
    new DataView(copy.buffer).setUint32(0, i);
    return copy;
  };
  const hasher = new Bun.CryptoHasher("sha256");
  for (let i = 0; i < TOTAL / MB; i++) hasher.update(chunk(i));
  let i = 0;
  const stream = () =>
    new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i === TOTAL / MB) return controller.close();
        controller.enqueue(chunk(i++));
      },
    }, { highWaterMark: 0 });
  return { stream, sha256: hasher.digest("hex") };
}

async function hashOf(body: ReadableStream<Uint8Array>): Promise<{ bytes: number; sha256: string }> {
  const hasher = new Bun.CryptoHasher("sha256");
  let bytes = 0;
  for await (const chunk of body) {
    hasher.update(chunk);
    bytes += chunk.byteLength;
  }
  return { bytes, sha256: hasher.digest("hex") };
}

describe("proxy streaming", () => {
  test("a 100 MB upload streams through with its bytes intact and bounded proxy memory", async () => {
    await using up = upstream(async (req) => Response.json(await hashOf(req.body!)));
    await using proxy = await proxyProcess({ svc: up.url });
    const data = generated();
    const before = proxy.rss();
    proxy.resetPeak();
    const r = await fetch(`${proxy.url}/svc/upload`, { method: "POST", body: data.stream(), duplex: "half" } as RequestInit);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ bytes: TOTAL, sha256: data.sha256 });
    expect(proxy.peak() - before).toBeLessThan(40 * MB);
  });

  test("a 100 MB download streams through with its bytes intact and bounded proxy memory", async () => {
    const data = generated();
    await using up = upstream(() => new Response(data.stream(), { headers: { "content-type": "application/octet-stream" } }));
    await using proxy = await proxyProcess({ svc: up.url });
    const before = proxy.rss();
    proxy.resetPeak();
    const r = await fetch(`${proxy.url}/svc/download`);
    expect(r.status).toBe(200);
    expect(await hashOf(r.body!)).toEqual({ bytes: TOTAL, sha256: data.sha256 });
    expect(proxy.peak() - before).toBeLessThan(40 * MB);
  });

  test("server-sent events reach the client before the upstream has finished", async () => {
    const clientSawFirst = Promise.withResolvers<void>();
    const encoder = new TextEncoder();
    await using up = upstream(() => {
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(encoder.encode("event: tick\ndata: 1\n\n"));
          await clientSawFirst.promise; // event 2 exists only after the client proved it saw event 1
          controller.enqueue(encoder.encode("event: tick\ndata: 2\n\n"));
          controller.close();
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
    });
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    const r = await fetch(`${h.url}/svc/events`);
    expect(r.headers.get("content-type")).toBe("text/event-stream");
    const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("data: 1\n\n")) text += (await reader.read()).value ?? "";
    expect(text).toBe("event: tick\ndata: 1\n\n");
    clientSawFirst.resolve();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += chunk.value;
    expect(text).toBe("event: tick\ndata: 1\n\nevent: tick\ndata: 2\n\n");
  });

  test("WebSocket text and binary frames are echoed byte-exact, with the upstream's subprotocol", async () => {
    const seen: { protocol: string | null; authorization: string | null; path: string }[] = [];
    await using up = upstream(
      (req, srv) => {
        seen.push({ protocol: req.headers.get("sec-websocket-protocol"), authorization: req.headers.get("authorization"), path: new URL(req.url).pathname });
        return srv.upgrade(req, { data: undefined, headers: { "sec-websocket-protocol": "chat.v2" } }) ? undefined : new Response("no", { status: 400 });
      },
      { message: (ws, message) => void ws.send(message), close() {} },
    );
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    const client = new WebSocket(`${h.url.replace("http", "ws")}/svc/socket`, { protocols: ["chat.v1", "chat.v2"], headers: { authorization: "Bearer expired-active" } } as unknown as string[]);
    client.binaryType = "arraybuffer";
    await new Promise((resolve, reject) => ((client.onopen = resolve), (client.onerror = reject)));
    expect(client.protocol).toBe("chat.v2");
    const received: unknown[] = [];
    const two = new Promise<void>((resolve) => (client.onmessage = (e) => (received.push(e.data), received.length === 2 && resolve())));
    client.send('{"a":1}');
    client.send(new Uint8Array([1, 2, 3, 250]));
    await two;
    expect(received[0]).toBe('{"a":1}');
    expect([...new Uint8Array(received[1] as ArrayBuffer)]).toEqual([1, 2, 3, 250]);
    expect(seen).toEqual([{ protocol: "chat.v1, chat.v2", authorization: "Bearer refreshed", path: "/svc/socket" }]);
    const closed = new Promise<CloseEvent>((resolve) => (client.onclose = resolve));
    client.close(4001, "bye");
    expect((await closed).code).toBe(4001);
  });

  test("an upstream close reaches the WebSocket client with its code", async () => {
    await using up = upstream((req, srv) => (srv.upgrade(req, { data: undefined }) ? undefined : new Response("no", { status: 400 })), {
      message: (ws) => ws.close(4002, "done"),
    });
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    const client = new WebSocket(`${h.url.replace("http", "ws")}/svc/socket`);
    await new Promise((resolve) => (client.onopen = resolve));
    const closed = new Promise<CloseEvent>((resolve) => (client.onclose = resolve));
    client.send("close please");
    const event = await closed;
    expect([event.code, event.reason]).toEqual([4002, "done"]);
  });
});

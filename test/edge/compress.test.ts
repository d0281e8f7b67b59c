/**
 * Edge compression (src/modules/edge/compress.ts) on real responses: an upstream on port 0, an edge-like
 * server that fetches it as the proxy does (raw bytes, `decompress: false`) and answers compress() of
 * that response, and a client reading the raw bytes off the socket.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { brotliDecompressSync, createGunzip, gunzipSync, gzipSync } from "node:zlib";
import { codingFor, compress, encode, isCompressibleType, MIN_LENGTH, negotiate } from "../../src/modules/edge/compress";
import { waitFor } from "../helpers/wait";

const json = JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ["a", "b", "c"] })));
const text = (n: number) => "x".repeat(n);

/** Releases the second chunk of /stream once the test saw the first one decoded. */
let releaseSecond = () => {};
/** Releases the second event of /sse. */
let releaseSecondEvent = () => {};

function upstreamAnswer(request: Request): Response {
  const path = new URL(request.url).pathname;
  const headers = (h: Record<string, string> = {}) => ({ "content-type": "application/json", ...h });
  switch (path) {
    case "/json":
      return new Response(json, { headers: headers({ etag: '"v1"' }) });
    case "/weak-etag":
      return new Response(json, { headers: headers({ etag: 'W/"v1"' }) });
    case "/vary-origin":
      return new Response(json, { headers: headers({ vary: "Origin" }) });
    case "/vary-star":
      return new Response(json, { headers: headers({ vary: "*" }) });
    case "/svg":
      return new Response(`<svg xmlns="http://www.w3.org/2000/svg">${"<g/>".repeat(500)}</svg>`, { headers: { "content-type": "image/svg+xml" } });
    case "/png":
      return new Response(new Uint8Array(4096), { headers: { "content-type": "image/png" } });
    case "/no-type":
      return new Response(new Uint8Array(4096));
    case "/small":
      return new Response(text(MIN_LENGTH - 1), { headers: { "content-type": "text/plain" } });
    case "/at-threshold":
      return new Response(text(MIN_LENGTH), { headers: { "content-type": "text/plain" } });
    case "/small-chunked":
      // Two chunks, the second after a turn of the event loop: Bun sends a length it cannot know up front as chunked.
      return new Response(
        new ReadableStream({
          async start(c) {
            c.enqueue(new TextEncoder().encode("ti"));
            await new Promise((resolve) => setImmediate(resolve));
            c.enqueue(new TextEncoder().encode("ny"));
            c.close();
          },
        }),
        { headers: { "content-type": "text/plain" } },
      );
    case "/encoded":
      return new Response(gzipSync(json), { headers: headers({ "content-encoding": "gzip" }) });
    case "/no-transform":
      return new Response(json, { headers: headers({ "cache-control": "public, no-transform" }) });
    case "/no-content":
      return new Response(null, { status: 204 });
    case "/not-modified":
      return new Response(null, { status: 304, headers: { etag: '"v1"' } });
    case "/partial":
      return new Response(json.slice(0, 2000), { status: 206, headers: headers({ "content-range": `bytes 0-1999/${json.length}` }) });
    case "/error":
      return new Response(json, { status: 500, headers: headers() });
    case "/stream": {
      const second = new Promise<void>((resolve) => (releaseSecond = resolve));
      return new Response(
        new ReadableStream({
          async start(c) {
            c.enqueue(new TextEncoder().encode(`first ${text(2000)}\n`));
            await second;
            c.enqueue(new TextEncoder().encode("second\n"));
            c.close();
          },
        }),
        { headers: { "content-type": "text/plain" } },
      );
    }
    case "/sse": {
      const second = new Promise<void>((resolve) => (releaseSecondEvent = resolve));
      return new Response(
        new ReadableStream({
          async start(c) {
            c.enqueue(new TextEncoder().encode(`data: one ${text(2000)}\n\n`));
            await second;
            c.enqueue(new TextEncoder().encode("data: two\n\n"));
            c.close();
          },
        }),
        { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } },
      );
    }
  }
  return new Response("not found", { status: 404 });
}

let upstream: Server<unknown>;
let edge: Server<unknown>;

beforeAll(() => {
  upstream = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: upstreamAnswer });
  edge = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const upstreamResponse = await fetch(`http://127.0.0.1:${upstream.port}${url.pathname}`, { method: request.method, decompress: false } as RequestInit);
      return compress(request, upstreamResponse);
    },
  });
});
afterAll(() => {
  edge.stop(true);
  upstream.stop(true);
});

/** A request to the edge; the raw (still encoded) body and the headers. */
async function get(path: string, headers: Record<string, string> = {}, method = "GET") {
  const response = await fetch(`http://127.0.0.1:${edge.port}${path}`, { method, headers, decompress: false } as RequestInit);
  const body = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body };
}

const decoded = (body: Uint8Array, coding: string | null) => (coding === "br" ? brotliDecompressSync(body) : coding === "gzip" ? gunzipSync(body) : Buffer.from(body)).toString();

describe("edge compression", () => {
  test("gzip for a client that accepts gzip: the decoded body is the original, headers as the rules say", async () => {
    const r = await get("/json", { "accept-encoding": "gzip" });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-encoding")).toBe("gzip");
    expect(r.headers.get("vary")).toBe("Accept-Encoding");
    expect(r.headers.get("etag")).toBe('W/"v1"');
    expect(r.headers.get("content-length")).toBeNull(); // chunked: the encoded length is not known up front
    expect(r.body.length).toBeLessThan(json.length / 5);
    expect(decoded(r.body, "gzip")).toBe(json);
  });

  test("brotli for a client that accepts br: the decoded body is the original", async () => {
    const r = await get("/json", { "accept-encoding": "br" });
    expect(r.headers.get("content-encoding")).toBe("br");
    expect(decoded(r.body, "br")).toBe(json);
  });

  test("q-values choose between br and gzip through the socket", async () => {
    expect((await get("/json", { "accept-encoding": "gzip;q=1, br;q=0.5" })).headers.get("content-encoding")).toBe("gzip");
    expect((await get("/json", { "accept-encoding": "gzip;q=0.5, br" })).headers.get("content-encoding")).toBe("br");
    expect((await get("/json", { "accept-encoding": "gzip, deflate, br, zstd" })).headers.get("content-encoding")).toBe("gzip");
    expect((await get("/json", { "accept-encoding": "gzip;q=0.9, br" })).headers.get("content-encoding")).toBe("br");
    const refused = await get("/json", { "accept-encoding": "gzip;q=0" });
    expect(refused.headers.get("content-encoding")).toBeNull();
    expect(refused.headers.get("vary")).toBe("Accept-Encoding");
    expect(new TextDecoder().decode(refused.body)).toBe(json);
  });

  test.each([
    ["gzip", "gzip"],
    ["br", "br"],
    ["GZIP", "gzip"],
    ["x-gzip", "gzip"],
    ["gzip, br", "gzip"],
    ["br;q=0.9, gzip", "gzip"],
    ["br;q=0, gzip", "gzip"],
    ["br; q=0.8 , gzip ;q=0.7", "br"],
    ["br;Q=0.5, gzip;q=0.501", "gzip"],
    ["*", "gzip"],
    ["*;q=0.5, gzip", "gzip"],
    ["*;q=0.5, br;q=0", "gzip"],
    ["deflate, *;q=0.1", "gzip"],
    ["gzip;q=0", undefined],
    ["br;q=0, gzip;q=0", undefined],
    ["*;q=0", undefined],
    ["identity", undefined],
    ["", undefined],
    ["deflate, zstd", undefined],
    ["gzip;q=0.5", "gzip"],
    ["*;q=0.5, gzip;q=0.3", "br"],
    ["gzip;q=0.5, identity", undefined],
    ["gzip;q=0.5, identity;q=0.4", "gzip"],
    ["gzip, identity;q=0", "gzip"],
    ["gzip;q=2", undefined],
    ["gzip;q=0.5555", undefined],
    ["gzip;level=1", undefined],
    ["gzip;q=1.000", "gzip"],
  ])("Accept-Encoding %p → %p", (value, coding) => {
    expect(negotiate(value)).toBe(coding as "br" | "gzip" | undefined);
    expect(codingFor(value)).toBe(coding as "br" | "gzip" | undefined);
  });

  test("no Accept-Encoding: sent as it is, with Vary (the answer would differ for a client that accepts)", async () => {
    const r = await get("/json");
    expect(r.headers.get("content-encoding")).toBeNull();
    expect(r.headers.get("content-length")).toBe(String(json.length));
    expect(r.headers.get("etag")).toBe('"v1"');
    expect(r.headers.get("vary")).toBe("Accept-Encoding");
    expect(codingFor(null)).toBeUndefined();
  });

  test("an upstream that encoded its answer is passed through byte for byte", async () => {
    const r = await get("/encoded", { "accept-encoding": "br" });
    expect(r.headers.get("content-encoding")).toBe("gzip");
    expect(r.headers.get("vary")).toBeNull();
    expect(decoded(r.body, "gzip")).toBe(json);
  });

  test("Cache-Control: no-transform on the response or the request keeps the body as it is", async () => {
    const fromUpstream = await get("/no-transform", { "accept-encoding": "gzip" });
    expect(fromUpstream.headers.get("content-encoding")).toBeNull();
    expect(fromUpstream.headers.get("content-length")).toBe(String(json.length));
    const fromClient = await get("/json", { "accept-encoding": "gzip", "cache-control": "no-transform" });
    expect(fromClient.headers.get("content-encoding")).toBeNull();
    expect(new TextDecoder().decode(fromClient.body)).toBe(json);
  });

  test("HEAD is answered with the unencoded headers", async () => {
    const r = await get("/json", { "accept-encoding": "gzip" }, "HEAD");
    expect(r.headers.get("content-encoding")).toBeNull();
    expect(r.headers.get("content-length")).toBe(String(json.length));
  });

  test("204, 304 and 206 (a range of the unencoded bytes) are not encoded", async () => {
    expect((await get("/no-content", { "accept-encoding": "gzip" })).headers.get("content-encoding")).toBeNull();
    const notModified = await get("/not-modified", { "accept-encoding": "gzip" });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get("content-encoding")).toBeNull();
    expect(notModified.headers.get("etag")).toBe('"v1"');
    const partial = await get("/partial", { "accept-encoding": "gzip" });
    expect(partial.status).toBe(206);
    expect(partial.headers.get("content-encoding")).toBeNull();
    expect(partial.body.length).toBe(2000);
  });

  test("an error page of a compressible type is encoded like any answer", async () => {
    const r = await get("/error", { "accept-encoding": "gzip" });
    expect(r.status).toBe(500);
    expect(decoded(r.body, r.headers.get("content-encoding"))).toBe(json);
    expect(r.headers.get("content-encoding")).toBe("gzip");
  });

  test("bodies of a known length under 1 KiB are sent as they are; 1 KiB and unknown lengths are encoded", async () => {
    const small = await get("/small", { "accept-encoding": "gzip" });
    expect(small.headers.get("content-encoding")).toBeNull();
    expect(small.body.length).toBe(MIN_LENGTH - 1);
    expect(small.headers.get("vary")).toBeNull();
    const threshold = await get("/at-threshold", { "accept-encoding": "gzip" });
    expect(threshold.headers.get("content-encoding")).toBe("gzip");
    expect(decoded(threshold.body, "gzip")).toBe(text(MIN_LENGTH));
    const chunked = await get("/small-chunked", { "accept-encoding": "gzip" });
    expect(chunked.headers.get("content-length")).toBeNull();
    expect(chunked.headers.get("content-encoding")).toBe("gzip");
    expect(decoded(chunked.body, "gzip")).toBe("tiny");
  });

  test("compressible types: SVG yes; PNG, no type and text/event-stream no", async () => {
    const svg = await get("/svg", { "accept-encoding": "br" });
    expect(svg.headers.get("content-encoding")).toBe("br");
    expect(decoded(svg.body, "br")).toStartWith("<svg");
    for (const path of ["/png", "/no-type"]) {
      const r = await get(path, { "accept-encoding": "gzip, br" });
      expect(r.headers.get("content-encoding")).toBeNull();
      expect(r.body.length).toBe(4096);
    }
    expect(isCompressibleType("text/html; charset=utf-8")).toBe(true);
    expect(isCompressibleType("Application/JSON")).toBe(true);
    expect(isCompressibleType("application/problem+json")).toBe(true);
    expect(isCompressibleType("application/atom+xml")).toBe(true);
    expect(isCompressibleType("application/javascript")).toBe(true);
    expect(isCompressibleType("text/event-stream")).toBe(false);
    expect(isCompressibleType("application/octet-stream")).toBe(false);
    expect(isCompressibleType("image/jpeg")).toBe(false);
  });

  test("Vary keeps what the upstream listed; Vary: * stays; a weak ETag stays weak", async () => {
    expect((await get("/vary-origin", { "accept-encoding": "gzip" })).headers.get("vary")).toBe("Origin, Accept-Encoding");
    expect((await get("/vary-star", { "accept-encoding": "gzip" })).headers.get("vary")).toBe("*");
    expect((await get("/weak-etag", { "accept-encoding": "gzip" })).headers.get("etag")).toBe('W/"v1"');
  });

  test("a streamed body is flushed chunk by chunk: the first chunk is decoded before the upstream sends the second", async () => {
    const response = await fetch(`http://127.0.0.1:${edge.port}/stream`, { headers: { "accept-encoding": "gzip" }, decompress: false } as RequestInit);
    expect(response.headers.get("content-encoding")).toBe("gzip");
    const gunzip = createGunzip();
    let seen = "";
    gunzip.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    const done = new Promise((resolve) => gunzip.on("end", resolve));
    const pump = (async () => {
      for await (const chunk of response.body!) gunzip.write(chunk);
      gunzip.end();
    })();
    await waitFor("the first chunk, decoded", () => seen.startsWith("first ") && seen.endsWith("\n"), 5000, 5);
    expect(seen).not.toContain("second");
    releaseSecond();
    await pump;
    await done;
    expect(seen).toBe(`first ${text(2000)}\nsecond\n`);
  });

  test("server-sent events are not encoded and arrive event by event", async () => {
    const response = await fetch(`http://127.0.0.1:${edge.port}/sse`, { headers: { "accept-encoding": "gzip, br" }, decompress: false } as RequestInit);
    expect(response.headers.get("content-encoding")).toBeNull();
    const reader = response.body!.getReader();
    let seen = "";
    while (!seen.endsWith("\n\n")) seen += new TextDecoder().decode((await reader.read()).value);
    expect(seen).toStartWith("data: one ");
    releaseSecondEvent();
    for (let r = await reader.read(); !r.done; r = await reader.read()) seen += new TextDecoder().decode(r.value);
    expect(seen).toEndWith("data: two\n\n");
  });

  test("a WebSocket handshake is never encoded", () => {
    const request = new Request("http://edge.test/ws", { headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "x", "accept-encoding": "gzip" } });
    const response = new Response(json, { headers: { "content-type": "application/json" } });
    expect(compress(request, response)).toBe(response);
    expect(response.headers.get("content-encoding")).toBeNull();
  });

  test("a large streamed body: 8 MiB of text through gzip (both paths) and brotli decodes to the original", async () => {
    const line = "the quick brown fox jumps over the lazy dog 0123456789\n";
    const chunk = new TextEncoder().encode(line.repeat(Math.ceil(65536 / line.length)));
    const chunks = Math.ceil((8 * 1024 * 1024) / chunk.length);
    // A size hint (a known Content-Length) sends gzip through CompressionStream; none through node:zlib.
    for (const [coding, sizeHint] of [["gzip", 0], ["gzip", chunks * chunk.length], ["br", chunks * chunk.length]] as const) {
      let i = 0;
      const source = new ReadableStream<Uint8Array>({ pull: (c) => (i++ < chunks ? c.enqueue(chunk) : c.close()) }, { highWaterMark: 0 });
      const encoded = new Uint8Array(await new Response(encode(source, coding, sizeHint)).arrayBuffer());
      const plain = coding === "br" ? brotliDecompressSync(encoded) : gunzipSync(encoded);
      expect(plain.length).toBe(chunks * chunk.length);
      expect(plain.subarray(0, chunk.length)).toEqual(Buffer.from(chunk));
      expect(plain.subarray(plain.length - chunk.length)).toEqual(Buffer.from(chunk));
      expect(encoded.length).toBeLessThan(plain.length / 20);
    }
  });

  test.each([0, 1 << 20])("a client that goes away cancels the upstream body (gzip, size hint %p)", async (sizeHint) => {
    let cancelled: unknown;
    const source = new ReadableStream<Uint8Array>({
      pull: (c) => c.enqueue(new TextEncoder().encode(`${Math.random()}`.repeat(400))),
      cancel: (reason) => void (cancelled = reason ?? "cancelled"),
    });
    const encoded = encode(source, "gzip", sizeHint);
    const reader = encoded.getReader();
    await reader.read();
    await reader.cancel("gone");
    await waitFor("the upstream body cancelled", () => cancelled !== undefined, 2000, 5);
  });
});

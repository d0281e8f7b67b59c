/**
 * @module What edge compression costs (src/modules/edge/compress.ts), in process, one core:
 * - CPU per response and encoded size of the edge's streaming encode() (gzip of a known length through
 *   CompressionStream, of an unknown one through node:zlib's flushing stream; brotli 4) on three
 *   bodies (a 4 KiB HTML page, a 100 KiB JSON list, 1 MiB of text in 64 KiB chunks), against the
 *   codec alone on the whole body (node:zlib sync, the floor) at other levels, and Bun's
 *   CompressionStream("gzip") (the web API; it has no brotli);
 * - what compress() adds to a response it leaves alone (the per-request price on uncompressible answers);
 * - first-byte delay of a chunk through encode() vs the chunk as is.
 *   bun bench/edge/compress.ts        ITER=200
 */
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { compress, encode, type Coding } from "../../src/modules/edge/compress";

const ITER = Number(process.env.ITER ?? 200);

const html = `<!doctype html><html><head><title>t</title></head><body>${Array.from({ length: 60 }, (_, i) => `<p class="row">Paragraph ${i} of the page, some words.</p>`).join("")}</body></html>`;
const jsonBody = JSON.stringify(Array.from({ length: 1500 }, (_, i) => ({ id: i, name: `item ${i}`, price: i * 1.5, tags: ["a", "b"], active: i % 2 === 0 })));
const line = "2026-12-02T03:00:00Z INFO request handled path=/svc/items status=200 ms=1.2\n";
const textBody = line.repeat(Math.ceil((1024 * 1024) / line.length));
const bodies: [string, Uint8Array][] = [
  ["html 4 KiB", new TextEncoder().encode(html.slice(0, 4096))],
  ["json 100 KiB", new TextEncoder().encode(jsonBody.slice(0, 100 * 1024))],
  ["text 1 MiB", new TextEncoder().encode(textBody.slice(0, 1024 * 1024))],
];

const CHUNK = 64 * 1024;
function streamOf(body: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (at >= body.length) return c.close();
        c.enqueue(body.subarray(at, at + CHUNK));
        at += CHUNK;
      },
    },
    { highWaterMark: 0 },
  );
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += chunk.byteLength;
  return n;
}

/** Mean CPU µs (process user+system) and wall µs of `fn` over ITER runs, and the last result. */
async function measure(fn: () => Promise<number> | number): Promise<{ cpuUs: number; wallUs: number; size: number }> {
  for (let i = 0; i < 10; i++) await fn();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let size = 0;
  for (let i = 0; i < ITER; i++) size = await fn();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: (cpu.user + cpu.system) / ITER, wallUs: (wall * 1000) / ITER, size };
}

console.log(`# edge compression cost: Bun ${Bun.version}, ${navigator.hardwareConcurrency} cores, ITER=${ITER}, ${new Date().toISOString().slice(0, 16)}Z`);
for (const [name, body] of bodies) {
  console.log(`--- ${name} (${body.length} bytes)`);
  const rows: [string, () => Promise<number> | number][] = [
    ["passthrough stream (no coding)", () => drain(streamOf(body))],
    ["encode() gzip, known length", () => drain(encode(streamOf(body), "gzip", body.length))],
    ["encode() gzip, unknown length", () => drain(encode(streamOf(body), "gzip"))],
    ["encode() br 4", () => drain(encode(streamOf(body), "br", body.length))],
    ["CompressionStream gzip", () => drain(streamOf(body).pipeThrough(new CompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>))],
    ["gzipSync level 1", () => gzipSync(body, { level: 1 }).length],
    ["gzipSync level 6", () => gzipSync(body, { level: 6 }).length],
    ["brotliCompressSync q4", () => brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }).length],
    ["brotliCompressSync q5", () => brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }).length],
    ["brotliCompressSync q11", () => brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length],
  ];
  for (const [label, fn] of rows) {
    if (label.endsWith("q11") && body.length > 200_000) continue; // seconds per run
    const m = await measure(fn);
    const mbps = body.length / m.wallUs;
    console.log(`${label.padEnd(32)} ${m.cpuUs.toFixed(0).padStart(6)} µs CPU  ${m.wallUs.toFixed(0).padStart(6)} µs wall  ${mbps.toFixed(0).padStart(4)} MB/s  ${String(m.size).padStart(8)} bytes (${((100 * m.size) / body.length).toFixed(1)} %)`);
  }
}

console.log("--- compress() on an answer it leaves alone (image/png, Accept-Encoding: gzip, br)");
{
  const request = new Request("http://edge.test/x.png", { headers: { "accept-encoding": "gzip, deflate, br, zstd" } });
  const n = 200_000;
  const responses = Array.from({ length: 1000 }, () => new Response("x", { headers: { "content-type": "image/png" } }));
  const t0 = performance.now();
  for (let i = 0; i < n; i++) compress(request, responses[i % 1000]!);
  console.log(`${(((performance.now() - t0) * 1e6) / n).toFixed(0)} ns per call`);
  const jsonResponse = () => new Response(jsonBody, { headers: { "content-type": "application/json" } });
  const m = 20_000;
  const t1 = performance.now();
  for (let i = 0; i < m; i++) jsonResponse();
  const base = performance.now() - t1;
  const plain = new Request("http://edge.test/x.json");
  const t2 = performance.now();
  for (let i = 0; i < m; i++) compress(plain, jsonResponse());
  console.log(`a JSON answer, client without Accept-Encoding (Vary added): ${((((performance.now() - t2) - base) * 1e6) / m).toFixed(0)} ns per call`);
}

console.log("--- first chunk of a stream: time until its bytes leave encode()");
for (const coding of ["gzip", "br"] as Coding[]) {
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    let push!: (chunk: Uint8Array) => void;
    const source = new ReadableStream<Uint8Array>({ start: (c) => void (push = (chunk) => c.enqueue(chunk)) });
    const reader = encode(source, coding).getReader();
    const t0 = performance.now();
    push(new TextEncoder().encode(`data ${i} ${"y".repeat(200)}\n`));
    // Past the gzip header (10 bytes), which may leave on its own: the chunk's bytes are out.
    for (let bytes = 0; bytes < 20; ) bytes += (await reader.read()).value?.byteLength ?? 20;
    samples.push(performance.now() - t0);
    await reader.cancel();
  }
  samples.sort((a, b) => a - b);
  console.log(`${coding}: median ${(samples[100]! * 1000).toFixed(0)} µs, p99 ${(samples[197]! * 1000).toFixed(0)} µs`);
}

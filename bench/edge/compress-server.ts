/**
 * @module Compression through a Bun server, A/B in one process (interleaved wrk rounds, -c50): an
 * edge-like server forwards 100 KiB of JSON from an upstream with fetch (raw bytes) and answers it
 * as is (/identity), gzip through node:zlib's flushing stream (/zlib, the unknown-length path), gzip
 * through CompressionStream (/cs, the known-length path) or brotli (/br); req/s and this process's
 * CPU µs per response. The figures behind compress.ts's choice of path and of gzip on a tie.
 *   bun bench/edge/compress-server.ts
 */
import { encode } from "../../src/modules/edge/compress";
import { readFileSync } from "node:fs";
const body = JSON.stringify(Array.from({ length: 1500 }, (_, i) => ({ id: i, name: `item ${i}`, price: i * 1.5, tags: ["a", "b"], active: i % 2 === 0 }))).slice(0, 100 * 1024);
const up = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(body, { headers: { "content-type": "application/json" } }) });
const edge = Bun.serve({ hostname: "127.0.0.1", port: 0, async fetch(req) {
  const path = new URL(req.url).pathname;
  const r = await fetch(`http://127.0.0.1:${up.port}/`, { decompress: false } as RequestInit);
  if (path === "/identity") return r;
  const h = new Headers(r.headers); h.delete("content-length");
  const coding = path === "/br" ? "br" : "gzip"; h.set("content-encoding", coding);
  return new Response(encode(r.body!, coding, path === "/cs" ? body.length : 0), { headers: h });
} });
const cpu = () => { const f = readFileSync(`/proc/self/stat`, "utf8").split(") ")[1]!.split(" "); return (Number(f[11]) + Number(f[12])) * 10; };
const res: Record<string, string[]> = {};
for (let round = 0; round < 3; round++) for (const path of ["/identity", "/zlib", "/cs", "/br"]) {
  const c0 = cpu();
  const p = Bun.spawn(["wrk", "-t1", "-c50", "-d3s", `http://127.0.0.1:${edge.port}${path}`], { stdout: "pipe" });
  const out = await new Response(p.stdout).text();
  const reqs = Number(out.match(/(\d+) requests in/)?.[1] ?? 0);
  (res[path] ??= []).push(`${out.match(/Requests\/sec:\s+([\d.]+)/)?.[1]} rps ${((cpu() - c0) * 1000 / reqs).toFixed(0)}µs`);
}
for (const [k, v] of Object.entries(res)) console.log(k.padEnd(10), v.join(" | "));
console.log(readFileSync("/proc/loadavg", "utf8"));
edge.stop(true); up.stop(true);

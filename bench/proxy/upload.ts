/**
 * @module 1 GiB upload through the proxy (in its own process) to an upstream that counts the bytes;
 * reports the proxy's peak RSS growth (Linux VmHWM after clear_refs) and the throughput.
 *   bun bench/proxy/upload.ts [GiB=1]
 */
import { proxyProcess, upstream } from "../../test/proxy/helpers";

const MB = 1024 * 1024;
const total = Number(process.argv[2] ?? 1) * 1024 * MB;
await using up = upstream(async (req) => {
  let bytes = 0;
  for await (const chunk of req.body!) bytes += chunk.byteLength;
  return Response.json({ bytes });
});
await using proxy = await proxyProcess({ svc: up.url });
const block = crypto.getRandomValues(new Uint8Array(MB));
let sent = 0;
const body = new ReadableStream<Uint8Array>({
  pull(controller) {
    if (sent >= total) return controller.close();
    sent += MB;
    controller.enqueue(block.slice());
  },
}, { highWaterMark: 0 });
const before = proxy.rss();
proxy.resetPeak();
const started = performance.now();
const r = await fetch(`${proxy.url}/svc/upload`, { method: "POST", body, duplex: "half" } as RequestInit);
const result = (await r.json()) as { bytes: number };
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({
  status: r.status,
  bytes: result.bytes,
  ok: result.bytes === total,
  seconds: +seconds.toFixed(2),
  MBps: Math.round(total / MB / seconds),
  rssBeforeMB: +(before / MB).toFixed(1),
  peakMB: +(proxy.peak() / MB).toFixed(1),
  growthMB: +((proxy.peak() - before) / MB).toFixed(1),
}));

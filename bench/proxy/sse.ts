/**
 * @module First-SSE-event latency through the proxy (in its own process): the upstream stamps each
 * event with the time it was written; the client measures arrival. Reports min/median/max over N streams.
 *   bun bench/proxy/sse.ts [N=20]
 */
import { proxyProcess, upstream } from "../../test/proxy/helpers";

const n = Number(process.argv[2] ?? 20);
const encoder = new TextEncoder();
await using up = upstream(() => {
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      await Bun.sleep(20); // the stream is open and idle before the event is sent
      controller.enqueue(encoder.encode(`data: ${performance.timeOrigin + performance.now()}\n\n`));
      await Bun.sleep(20);
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
});
await using proxy = await proxyProcess({ svc: up.url });
const lags: number[] = [];
for (let i = 0; i < n; i++) {
  const r = await fetch(`${proxy.url}/svc/events`);
  const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n\n")) text += (await reader.read()).value ?? "";
  lags.push(performance.timeOrigin + performance.now() - Number(text.slice(6, text.indexOf("\n"))));
  await reader.cancel();
}
lags.sort((a, b) => a - b);
const ms = (v: number) => +v.toFixed(2);
console.log(JSON.stringify({ streams: n, minMs: ms(lags[0]!), medianMs: ms(lags[n >> 1]!), maxMs: ms(lags[n - 1]!) }));

/**
 * @module The floor for a Bun proxy: Bun.serve handing each request to fetch with nothing of ours
 * (no header rules, deadlines, abort wiring or selection). Compared with harness.ts it prices the
 * proxy module; compared with nginx it prices Bun's own HTTP server and client.
 *   PORT=19622 UPSTREAM=http://127.0.0.1:19311 bun bench/proxy/bare.ts
 */
const upstream = process.env.UPSTREAM ?? "http://127.0.0.1:19311";
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 19622),
  fetch(request) {
    const url = request.url;
    const path = url.slice(url.indexOf("/", url.indexOf("//") + 2));
    return fetch(upstream + path, { method: request.method, headers: request.headers, redirect: "manual", decompress: false } as RequestInit);
  },
});
console.log(`http://127.0.0.1:${server.port}/skeleton-svc/hello`);

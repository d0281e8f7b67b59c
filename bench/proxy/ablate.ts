/**
 * @module The floor for a Bun proxy, and what each piece of our work adds to it. Without VARIANT it is
 * the bare proxy: Bun.serve handing each request to fetch with nothing of ours (cpu.sh compares it with
 * nginx and with our module). VARIANT (comma list) switches on one piece of our per-request work at a
 * time, to price each apart from the rest (ablate.sh).
 *   session  upstream fetch through a Bun.FetchSession      hdr    header rules as Headers edits (hop count too)
 *   ip       server.requestIP (X-Forwarded-For)              body   request.body handed to fetch
 *   call     AbortController + signal to fetch + a timer     sig    only a signal to fetch
 *   sigonly  only reading a new controller's .signal         ac     only `new AbortController()`
 *   then     a .then() on fetch's promise                    rstrip response hop-by-hop strip
 *   PORT=19810 UPSTREAM=http://127.0.0.1:19311 VARIANT=session,hdr bun bench/proxy/ablate.ts
 */
import { incomingHeaders, stripHopByHop, upstreamRequestHeaders } from "../../src/modules/proxy/headers";
import { HOPS_HEADER, hopsOf } from "../../src/modules/proxy/hops";

const upstream = process.env.UPSTREAM ?? "http://127.0.0.1:19311";
const on = new Set((process.env.VARIANT ?? "").split(","));
const session = new Bun.FetchSession();
const fetchOf = on.has("session") ? session.fetch : fetch;

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 19810),
  fetch(request, srv) {
    const url = request.url;
    const path = url.slice(url.indexOf("/", url.indexOf("//") + 2));
    const ip = on.has("ip") ? srv.requestIP(request)?.address : undefined;
    const headers = on.has("hdr") ? upstreamRequestHeaders(incomingHeaders(request, false, hopsOf(request.headers.get(HOPS_HEADER))), { ip, trusted: false }, null) : request.headers;
    const init: RequestInit & { decompress: boolean } = { method: request.method, headers, redirect: "manual", decompress: false };
    if (on.has("body")) init.body = request.body;
    let timer: Timer | undefined;
    if (on.has("ac")) new AbortController();
    if (on.has("sigonly")) void new AbortController().signal;
    if (on.has("sig")) init.signal = new AbortController().signal;
    if (on.has("call")) {
      init.signal = new AbortController().signal;
      timer = setTimeout(() => {}, 50);
    }
    const response = fetchOf(upstream + path, init);
    if (!on.has("then") && !on.has("rstrip") && timer === undefined) return response;
    return response.then((r) => {
      clearTimeout(timer);
      if (on.has("rstrip")) stripHopByHop(r.headers);
      return r;
    });
  },
});
console.log(`http://127.0.0.1:${server.port}/skeleton-svc/hello`);

/** Proxy failure handling: connect failures and retries, 502/503/504, token decisions, client aborts. */
import { describe, expect, test } from "bun:test";
import { CLIENT_WATCH_MS } from "../../src/modules/proxy/upstream-call";
import { waitFor } from "../helpers/wait";
import { echoUpstream, fakeGate, json, proxyHarness, upstream } from "./helpers";
import { blackHole } from "../helpers/black-hole";

/** A TCP listener that closes every connection as soon as the request arrives (no HTTP answer). */
function hangUpServer() {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data: (socket) => void socket.end() } });
  return { url: `http://127.0.0.1:${listener.port}`, [Symbol.dispose]: () => listener.stop(true) };
}


describe("proxy failures", () => {
  test("a stopped instance gets no traffic after its first failed connect, and no client request fails", async () => {
    await using a = echoUpstream("a");
    const b = echoUpstream("b");
    await using h = proxyHarness();
    h.routing.add("svc", a.url);
    const bi = h.routing.add("svc", b.url);
    const names: string[] = [];
    for (let i = 0; i < 4; i++) names.push((await json(fetch(`${h.url}/svc/x`))).name);
    expect(names.sort()).toEqual(["a", "a", "b", "b"]);
    await b[Symbol.asyncDispose]();
    const after: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await fetch(`${h.url}/svc/x`, { method: "POST", body: `attempt ${i}` });
      after.push(r.status);
      // The retried attempt carries the whole body: the refused connect consumed none of it.
      expect(await json(r)).toMatchObject({ name: "a", bodyLength: `attempt ${i}`.length });
    }
    expect(after).toEqual(Array(10).fill(200));
    expect(h.routing.failures).toEqual([bi.id]);
    expect(h.logs.filter((l) => l.includes('"failure":"connect"'))).toHaveLength(1);
  });

  test("when every instance refuses connections the answer is 503, never upstream internals", async () => {
    const gone = echoUpstream();
    const url = gone.url;
    await gone[Symbol.asyncDispose]();
    await using h = proxyHarness();
    h.routing.add("svc", url);
    h.routing.add("svc", url + "/other");
    const r = await fetch(`${h.url}/svc/x`);
    expect(r.status).toBe(503);
    expect(await json(r)).toEqual({ error: "no healthy instances found", code: "proxy.no_healthy_instances" });
    expect(h.routing.failures).toHaveLength(2);
  });

  test("the retry budget is bounded by OB_PROXY_RETRIES", async () => {
    const gone = echoUpstream();
    const url = gone.url;
    await gone[Symbol.asyncDispose]();
    await using h = proxyHarness({ env: { OB_PROXY_RETRIES: "1" } });
    for (let i = 0; i < 4; i++) h.routing.add("svc", `${url}/${i}`);
    const r = await fetch(`${h.url}/svc/x`);
    expect(r.status).toBe(502);
    expect((await json(r)).code).toBe("proxy.upstream_unreachable");
    expect(h.routing.failures).toHaveLength(2);
  });

  test("an upstream that drops the connection without answering is 502, not retried", async () => {
    using dropper = hangUpServer();
    await using ok = echoUpstream();
    await using h = proxyHarness();
    h.routing.add("svc", dropper.url);
    h.routing.add("svc", ok.url, "Degraded");
    const r = await fetch(`${h.url}/svc/x`);
    expect(r.status).toBe(502);
    expect(await json(r)).toEqual({ error: "the instance failed to answer", code: "proxy.bad_gateway" });
    expect(h.routing.failures).toEqual([]);
  });

  test("no response headers within OB_PROXY_TIMEOUT is 504; a slow instance that accepts connections is not marked", async () => {
    const never = Promise.withResolvers<void>();
    await using slow = upstream(async () => (await never.promise, new Response("late")));
    await using h = proxyHarness({ env: { OB_PROXY_TIMEOUT: "400ms", OB_PROXY_CONNECT_TIMEOUT: "100ms" } });
    h.routing.add("svc", slow.url);
    const started = performance.now();
    const r = await fetch(`${h.url}/svc/x`);
    expect(r.status).toBe(504);
    expect(await json(r)).toEqual({ error: "the instance did not answer in time", code: "proxy.upstream_timeout" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(350);
    expect(h.routing.failures).toEqual([]);
    never.resolve();
  });

  test("a connect that does not complete within OB_PROXY_CONNECT_TIMEOUT moves on to the next instance", async () => {
    using hole = await blackHole();
    await using ok = echoUpstream("ok");
    await using h = proxyHarness({ env: { OB_PROXY_CONNECT_TIMEOUT: "200ms", OB_PROXY_TIMEOUT: "20s" } });
    const holeInstance = h.routing.add("svc", hole.url);
    h.routing.add("svc", ok.url, "Degraded");
    const r = await fetch(`${h.url}/svc/x`);
    expect(r.status).toBe(200);
    expect((await json(r)).name).toBe("ok");
    expect(h.routing.failures).toEqual([holeInstance.id]);
  });

  test("a token of ours that was revoked is refused; an expired one of an active session is replaced", async () => {
    await using up = echoUpstream();
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    const revoked = await fetch(`${h.url}/svc/x`, { headers: { authorization: "Bearer revoked" } });
    expect(revoked.status).toBe(401);
    expect(await json(revoked)).toEqual({ error: "the token was revoked", code: "user.token_revoked" });
    const expired = await json(fetch(`${h.url}/svc/x`, { headers: { authorization: "Bearer expired-active" } }));
    expect(expired.headers.authorization).toBe("Bearer refreshed");
    const foreign = await json(fetch(`${h.url}/svc/x`, { headers: { authorization: "Basic dXNlcjpwYXNz" } }));
    expect(foreign.headers.authorization).toBe("Basic dXNlcjpwYXNz");
    const none = await json(fetch(`${h.url}/svc/x`));
    expect(none.headers.authorization).toBeUndefined();
  });

  test("a failure inside the token check is a logged JSON 500 with the request id, never its text", async () => {
    await using up = echoUpstream();
    const gate = { ...fakeGate, authorizationForUpstream: async () => { throw new Error("SQLITE_BUSY: database is locked"); } };
    await using h = proxyHarness({ gate });
    h.routing.add("svc", up.url);
    const r = await fetch(`${h.url}/svc/x`, { headers: { authorization: "Bearer x", "x-request-id": "req-42", origin: "http://app.example" } });
    expect(r.status).toBe(500);
    expect(await json(r)).toEqual({ error: "internal error (request id req-42)", code: "http.internal" });
    expect(r.headers.get("access-control-allow-origin")).toBe("http://app.example");
    expect(h.logs.filter((l) => l.includes('"id":"req-42"') && l.includes("SQLITE_BUSY"))).toHaveLength(1);
  });

  test("a client abort closes the upstream request", async () => {
    let cancelled = false;
    const started = Promise.withResolvers<void>();
    await using up = upstream(() => {
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("data: 1\n\n"));
          started.resolve();
        },
        cancel() {
          cancelled = true;
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    });
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    const controller = new AbortController();
    const r = await fetch(`${h.url}/svc/events`, { signal: controller.signal });
    const reader = r.body!.getReader();
    await reader.read();
    await started.promise;
    controller.abort();
    await waitFor("upstream stream cancelled", () => cancelled, 5000);
    expect(cancelled).toBe(true);
  });

  // The client's signal is watched only after CLIENT_WATCH_MS (upstream-call.ts): an abort before then is
  // seen when the watch starts, one after it by the listener. The delay is that phase, not a wait for an event.
  test.each([0, CLIENT_WATCH_MS * 3])("a client abort %p ms into the wait for response headers cancels the upstream request", async (delay) => {
    let upstreamAborted = false;
    const arrived = Promise.withResolvers<void>();
    const never = Promise.withResolvers<void>();
    await using up = upstream(async (req) => {
      req.signal.addEventListener("abort", () => (upstreamAborted = true));
      arrived.resolve();
      await never.promise;
      return new Response("late");
    });
    await using h = proxyHarness();
    h.routing.add("svc", up.url);
    const controller = new AbortController();
    const pending = fetch(`${h.url}/svc/slow`, { signal: controller.signal }).catch((e) => e);
    await arrived.promise;
    if (delay > 0) await Bun.sleep(delay);
    controller.abort();
    await pending;
    await waitFor("upstream request aborted", () => upstreamAborted, 5000);
    never.resolve();
  });
});

/** The SDK's JSON client: a caller's abort signal and the timeout both end a request (without AbortSignal.any, which Node 20.0–20.2 lack). */
import { describe, expect, test } from "bun:test";
import { ApiClient } from "../../sdk/index.ts";

async function upstream() {
  return Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) => (new URL(request.url).pathname === "/slow" ? new Promise<Response>(() => {}) : Response.json({ ok: true })),
  });
}

describe("ApiClient signals", () => {
  test("a caller's signal aborts a hanging request; the same signal still serves later calls", async () => {
    await using server = await upstream();
    const api = new ApiClient(`http://127.0.0.1:${server.port}`);
    const controller = new AbortController();
    expect(await api.call("GET", "/fast", { signal: controller.signal })).toEqual({ ok: true });
    const slow = api.call("GET", "/slow", { signal: controller.signal, timeoutMs: 30_000 });
    controller.abort(new Error("caller gave up"));
    await expect(slow).rejects.toThrow("caller gave up");
  });

  test("the timeout ends a hanging request even when the caller passed a signal", async () => {
    await using server = await upstream();
    const api = new ApiClient(`http://127.0.0.1:${server.port}`);
    const err = await api.call("GET", "/slow", { signal: new AbortController().signal, timeoutMs: 50 }).catch((e: unknown) => e);
    expect((err as DOMException).name).toBe("TimeoutError");
  });
});

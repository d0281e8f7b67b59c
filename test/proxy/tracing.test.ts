/**
 * Trace context through the proxy (issue 10): the upstream always gets a W3C `traceparent` (the
 * client's when valid, a new one otherwise) and the request id (the client's when sane, ours
 * otherwise); the request log line carries both, so one grep joins the server's line to the trace.
 */
import { describe, expect, test } from "bun:test";
import { isValidTraceparent } from "../../src/http/trace-context";
import { createLogger } from "../../src/lib/log";
import { testServer, type TestServer } from "../helpers/server";
import { echoUpstream, type Upstream } from "./helpers";

const NEW_TRACE = /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/;
const VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

async function serverWithService(): Promise<{ s: TestServer; up: Upstream; lines: any[] }> {
  const lines: any[] = [];
  const up = echoUpstream();
  const s = await testServer({ log: createLogger("info", (line) => void lines.push(JSON.parse(line))) });
  const r = await fetch(`${s.url}/user-svc/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ appHost: "trace.test", slug: "skeleton-svc", password: "skeleton-svc-password" }),
  });
  const token = ((await r.json()) as any).token.token;
  const put = await fetch(`${s.url}/registry-svc/instance`, { method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ url: up.url }) });
  expect(put.status).toBe(201);
  return { s, up, lines };
}

/** What the upstream saw, and the server's request log line for that request. */
async function proxied(ctx: { s: TestServer; lines: any[] }, headers: Record<string, string>) {
  const seen = ((await (await fetch(`${ctx.s.url}/skeleton-svc/hello`, { headers })).json()) as any).headers as Record<string, string>;
  const line = ctx.lines.find((l) => l.msg === "request" && l.path === "/skeleton-svc/hello" && l.id === seen["x-request-id"]);
  return { seen, line };
}

describe("trace context and request id through the proxy", () => {
  test("without a traceparent the upstream gets a new valid one and our request id; the log line has both", async () => {
    const ctx = await serverWithService();
    await using _s = ctx.s;
    await using _u = ctx.up;
    const { seen, line } = await proxied(ctx, {});
    expect(seen.traceparent).toMatch(NEW_TRACE);
    expect(seen["x-request-id"]).toMatch(/^[0-9a-f]{16}$/);
    expect(line).toMatchObject({ level: "info", status: 200, id: seen["x-request-id"], trace: seen.traceparent!.slice(3, 35) });
    // Each request starts its own trace.
    expect((await proxied(ctx, {})).seen.traceparent).not.toBe(seen.traceparent);
  });

  test("a valid traceparent and its tracestate pass unchanged; the client's request id is kept", async () => {
    const ctx = await serverWithService();
    await using _s = ctx.s;
    await using _u = ctx.up;
    const { seen, line } = await proxied(ctx, { traceparent: VALID, tracestate: "vendor=abc", "x-request-id": "client-id-42" });
    expect([seen.traceparent, seen.tracestate, seen["x-request-id"]]).toEqual([VALID, "vendor=abc", "client-id-42"]);
    expect(line).toMatchObject({ id: "client-id-42", trace: "4bf92f3577b34da6a3ce929d0e0e4736" });
  });

  test("an invalid traceparent and an unusable request id are replaced, not forwarded", async () => {
    const ctx = await serverWithService();
    await using _s = ctx.s;
    await using _u = ctx.up;
    for (const bad of [VALID.toUpperCase(), "00-00000000000000000000000000000000-00f067aa0ba902b7-01", `ff${VALID.slice(2)}`, "garbage"]) {
      const { seen, line } = await proxied(ctx, { traceparent: bad, "x-request-id": "has spaces in it" });
      expect(seen.traceparent).toMatch(NEW_TRACE);
      expect(seen["x-request-id"]).toMatch(/^[0-9a-f]{16}$/);
      expect(line.trace).toBe(seen.traceparent!.slice(3, 35));
    }
  });
});

describe("isValidTraceparent (W3C Trace Context §3.2)", () => {
  test.each([
    [VALID, true],
    ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", true],
    // A future version with extra fields is parsed as far as version 00 goes (§4.3).
    ["01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", true],
    ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", false],
    ["00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", false],
    ["00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false],
    ["ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false],
    ["00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", false],
    ["", false],
  ])("%s → %p", (value, valid) => {
    expect(isValidTraceparent(value)).toBe(valid);
  });
});

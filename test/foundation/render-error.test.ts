import { describe, expect, test } from "bun:test";
import { internalError, serverStarting } from "../../src/http/errors";
import { renderError } from "../../src/http/render-error";

describe("renderError: the one AppError → response", () => {
  test("status, the {error, code} body, JSON content type and the error's own headers", async () => {
    const r = renderError(serverStarting());
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ error: "the server is starting, retry in a moment", code: "http.starting" });
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(r.headers.get("retry-after")).toBe("1");
    expect(r.headers.get("access-control-allow-origin")).toBeNull();
    expect(r.headers.get("x-request-id")).toBeNull();
  });

  test("given the request, CORS for its origin and its request id are added", () => {
    const request = new Request("http://localhost/x", { headers: { origin: "http://app.example", "x-request-id": "abc-123" } });
    const r = renderError(serverStarting(), request);
    expect(r.headers.get("access-control-allow-origin")).toBe("http://app.example");
    expect(r.headers.get("x-request-id")).toBe("abc-123");
  });

  test("http.internal names its request id in the body and in x-request-id, without a request", async () => {
    const r = renderError(internalError("id-1"));
    expect(r.status).toBe(500);
    expect(await r.json()).toEqual({ error: "internal error (request id id-1)", code: "http.internal" });
    expect(r.headers.get("x-request-id")).toBe("id-1");
  });
});

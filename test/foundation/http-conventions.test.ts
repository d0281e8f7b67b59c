import { describe, expect, test } from "bun:test";
import { testApp } from "../helpers/app";

describe("HTTP conventions (contract §2)", () => {
  test("GET /health answers ok", async () => {
    await using t = await testApp();
    const r = await t.json("GET", "/health");
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("ok");
  });

  test("every built-in response carries CORS headers and a request id", async () => {
    await using t = await testApp();
    const r = await t.request("GET", "/health", { headers: { origin: "http://app.example" } });
    expect(r.headers.get("access-control-allow-origin")).toBe("http://app.example");
    expect(r.headers.get("access-control-allow-headers")).toContain("Authorization");
    expect(r.headers.get("x-request-id")).toMatch(/^\w{16}$/);
    const echoed = await t.request("GET", "/health", { headers: { "x-request-id": "abc-123" } });
    expect(echoed.headers.get("x-request-id")).toBe("abc-123");
  });

  test("OPTIONS on a built-in path is answered before auth", async () => {
    await using t = await testApp();
    const r = await t.request("OPTIONS", "/user-svc/users");
    expect(r.status).toBe(204);
    expect(r.headers.get("access-control-allow-methods")).toContain("PUT");
  });

  test("a wrong method on a built-in path is 405 with Allow, not a proxy attempt", async () => {
    await using t = await testApp();
    const r = await t.json("DELETE", "/health");
    expect(r.status).toBe(405);
    expect(r.body).toEqual({ error: "method not allowed; allowed: GET", code: "http.method_not_allowed" });
    expect(r.headers.get("allow")).toBe("GET");
  });

  test("an unknown built-in path is a JSON 404", async () => {
    await using t = await testApp();
    const r = await t.json("GET", "/user-svc/no-such-thing");
    expect(r.status).toBe(404);
    expect(r.body.code).toBe("http.not_found");
  });

  test("the OpenAPI document is served and the docs UI references only local assets", async () => {
    await using t = await testApp();
    const doc = await t.json("GET", "/openapi.json");
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(doc.body.paths["/health"].get.summary).toBeTruthy();
    const page = await (await t.request("GET", "/swagger")).text();
    expect(page).toContain("/swagger/assets/swagger-ui-bundle.js");
    expect(page).not.toMatch(/https?:\/\/(?!localhost)[a-z]/i);
    const js = await t.request("GET", "/swagger/assets/swagger-ui-bundle.js");
    expect(js.status).toBe(200);
    expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });
});

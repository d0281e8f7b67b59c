/** The reserved /proxy-svc operations: 501 until edge routing exists, documented with the client's operation ids. */
import { describe, expect, test } from "bun:test";
import { testApp } from "../helpers/app";

describe("reserved /proxy-svc operations", () => {
  test.each([
    ["PUT", "/proxy-svc/routes", { routes: [{ id: "x.localhost", target: "http://127.0.0.1:1" }] }, "edge routes"],
    ["POST", "/proxy-svc/routes", undefined, "edge routes"],
    ["DELETE", "/proxy-svc/routes", { ids: ["x"] }, "edge routes"],
    ["PUT", "/proxy-svc/certs", { certs: [] }, "certificates"],
    ["POST", "/proxy-svc/certs", {}, "certificates"],
    ["PUT", "/proxy-svc/redirects", { redirects: [] }, "redirects"],
    ["POST", "/proxy-svc/redirects", undefined, "redirects"],
    ["DELETE", "/proxy-svc/redirects", { ids: [] }, "redirects"],
  ])("%s %s answers 501 proxy.not_implemented", async (method, path, body, what) => {
    await using t = await testApp();
    const r = await t.json(method, path, { body });
    expect(r).toMatchObject({ status: 501, body: { error: `${what} are not available yet`, code: "proxy.not_implemented" } });
  });

  test("they are documented in OpenAPI with the client's operation ids", async () => {
    await using t = await testApp();
    const doc = (await t.json("GET", "/openapi.json")).body;
    const ids = ["put", "post", "delete"].flatMap((m) => ["/proxy-svc/routes", "/proxy-svc/certs", "/proxy-svc/redirects"].map((p) => doc.paths[p]?.[m]?.operationId)).filter(Boolean);
    expect(ids.sort()).toEqual(["deleteRedirects", "deleteRoutes", "listCerts", "listRedirects", "listRoutes", "saveCerts", "saveRedirects", "saveRoutes"]);
  });
});

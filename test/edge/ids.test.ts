/** Edge ids and targets (modules/edge/ids.ts): one spelling per key, refusals naming the field. */
import { describe, expect, test } from "bun:test";
import { AppError } from "../../src/http/errors";
import { parseCertId, parseEdgeId, parseRedirectStatus, parseRouteTarget } from "../../src/modules/edge/ids";

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError && err.status === 400) return err.message;
    throw err;
  }
  throw new Error("expected a 400");
}

describe("parseEdgeId", () => {
  test.each([
    ["x.com", { id: "x.com", host: "x.com", path: "" }],
    ["X.Com/", { id: "x.com", host: "x.com", path: "" }],
    ["x.com/App/Admin/", { id: "x.com/App/Admin", host: "x.com", path: "/App/Admin" }],
    ["x.com:08443/a", { id: "x.com:8443/a", host: "x.com:8443", path: "/a" }],
    ["[2001:DB8::1]:443/v1", { id: "[2001:db8::1]:443/v1", host: "[2001:db8::1]:443", path: "/v1" }],
    ["127.0.0.1/a%20b/c@d", { id: "127.0.0.1/a%20b/c@d", host: "127.0.0.1", path: "/a%20b/c@d" }],
    ["my_host.internal/...", { id: "my_host.internal/...", host: "my_host.internal", path: "/..." }],
  ])("%s is stored as its normalised parts", (raw, parts) => {
    expect(parseEdgeId("routes.0.id", raw)).toEqual(parts);
  });

  test.each(["", "x.com.", ".x.com", "x..com", "-x.com", "x.com:", "x.com:65536", "[::1", "[nope]", "[::1]x", "x.com/a/./b", "x.com/a%2", "x.com/é", "http://x.com", "x.com\t", "x.com/a b", `${"a".repeat(64)}.com`])("%j is refused naming the field", (raw) => {
    expect(refusal(() => parseEdgeId("redirects.3.id", raw))).toStartWith("invalid field redirects.3.id: ");
  });

  test("certificate ids are hosts or one-level wildcards, lower-cased", () => {
    expect(parseCertId("certs.0.id", "*.X.com")).toBe("*.x.com");
    expect(parseCertId("certs.0.id", "A.com")).toBe("a.com");
    for (const bad of ["x.com:443", "x.com/a", "*.*.x.com", "a.*.com", "*"]) expect(refusal(() => parseCertId("certs.0.id", bad))).toStartWith("invalid field certs.0.id: ");
  });
});

describe("targets and statuses", () => {
  test("route targets: http(s) URLs with a path prefix, or slug:<slug>", () => {
    for (const ok of ["http://127.0.0.1:9311", "https://up.test/base/", "slug:skeleton-svc", "http://[::1]:8080"]) expect(parseRouteTarget("t", ok)).toBe(ok);
    for (const bad of [undefined, "", "slug:", "slug:UPPER", "slug:a--b", "mailto:x@y.z", "//x.test", "http:x.test", "https://x.test/#f"]) expect(refusal(() => parseRouteTarget("routes.0.target", bad))).toStartWith("invalid field routes.0.target: ");
  });

  test("redirect statuses: 308 by default and for 0; only 301, 302, 303, 307, 308", () => {
    expect([undefined, 0, 301, 302, 303, 307, 308].map((c) => parseRedirectStatus("s", c))).toEqual([308, 308, 301, 302, 303, 307, 308]);
    for (const bad of [200, 300, 304, 305, 306, 309, -1]) expect(refusal(() => parseRedirectStatus("redirects.0.statusCode", bad))).toContain(`unsupported redirect status code ${bad}`);
  });
});

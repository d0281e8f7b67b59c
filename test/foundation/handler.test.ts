import { describe, expect, test } from "bun:test";
import { isBuiltInPath } from "../../src/handler";
import { pathAt } from "../../src/http/request-target";
import { pathStartOf, scanFirstSegment } from "../../src/modules/proxy/target";

describe("request path parsing (one index into request.url)", () => {
  test.each([
    ["http://127.0.0.1:11337/skeleton-svc/hello?x=1", "/skeleton-svc/hello"],
    ["http://localhost/", "/"],
    ["http://x/health/user-svc/login", "/health/user-svc/login"],
    ["http://[::1]:8080/user-svc/login", "/user-svc/login"],
    // Bun's request.url is relative when the Host header is empty, absent or holds "/", "?", "@".
    ["/user-svc/self?x=1", "/user-svc/self"],
  ])("%s → %s", (url, path) => {
    expect(pathAt(url, pathStartOf(url))).toBe(path);
  });

  test("an authority-form url (CONNECT host:443) has no path", () => {
    expect(pathStartOf("example.com:443")).toBe(-1);
  });

  test("the first segment decides built-in versus proxy, compared in place", () => {
    const builtIn = (url: string) => isBuiltInPath(url, pathStartOf(url), scanFirstSegment(url, pathStartOf(url)));
    expect(builtIn("http://x/skeleton-svc/hello")).toBe(false);
    expect(builtIn("http://x/user-svc")).toBe(true);
    expect(builtIn("http://x/user-svc?x=1")).toBe(true);
    expect(builtIn("http://x/user-svcx/a")).toBe(false);
    expect(builtIn("http://x/user-sv")).toBe(false);
    expect(builtIn("http://x/health/user-svc/login")).toBe(true);
    expect(builtIn("http://x/")).toBe(true);
    expect(builtIn("/openapi.json")).toBe(true);
  });
});

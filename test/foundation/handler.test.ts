import { describe, expect, test } from "bun:test";
import { firstSegment, pathOf } from "../../src/handler";

describe("request path parsing", () => {
  test.each([
    ["http://127.0.0.1:11337/skeleton-svc/hello?x=1", "/skeleton-svc/hello"],
    ["http://localhost/", "/"],
    ["http://localhost", "/"],
    ["http://[::1]:8080/user-svc/login", "/user-svc/login"],
    // Bun's request.url is relative when the Host header holds "/" or "?".
    ["/user-svc/self?x=1", "/user-svc/self"],
  ])("%s → %s", (url, path) => {
    expect(pathOf(url)).toBe(path);
  });

  test("the first segment decides built-in versus proxy", () => {
    expect(firstSegment("/skeleton-svc/hello")).toBe("skeleton-svc");
    expect(firstSegment("/user-svc")).toBe("user-svc");
    expect(firstSegment("/")).toBe("");
  });
});

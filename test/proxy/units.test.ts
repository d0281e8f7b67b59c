/** Proxy pure parts as tables: slug parsing, trusted-proxy CIDRs, instance selection. */
import { describe, expect, test } from "bun:test";
import { createPicker } from "../../src/modules/proxy/pick";
import { targetOf } from "../../src/modules/proxy/target";
import { createTrustCheck } from "../../src/http/trust";
import type { RoutedInstance } from "../../src/modules/registry/routing";

describe("targetOf (slug and raw path)", () => {
  test.each([
    ["http://h:1/skeleton-svc/hello?a=%20", { slug: "skeleton-svc", pathAndQuery: "/skeleton-svc/hello?a=%20" }],
    ["http://h:1/svc", { slug: "svc", pathAndQuery: "/svc" }],
    ["http://h:1/svc?x", { slug: "svc", pathAndQuery: "/svc?x" }],
    ["/a1-b2/x%2Fy", { slug: "a1-b2", pathAndQuery: "/a1-b2/x%2Fy" }],
  ])("%s → routed", (url, expected) => expect(targetOf(url)).toEqual(expected));

  test.each(["http://h:1/", "http://h:1//svc/x", "http://h:1/skel%65ton-svc/x", "http://h:1/..%2fsvc", "http://h:1/Svc/x", "http://h:1/-svc", "http://h:1/svc-/x", "http://h:1/a--b", "http://h:1/a.b/x", "no-path"])(
    "%s → not a slug",
    (url) => expect(targetOf(url)).toBeUndefined(),
  );
});

describe("trusted proxies", () => {
  const trusted = createTrustCheck(["10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1"]);
  test.each([
    ["10.1.2.3", true],
    ["::ffff:10.1.2.3", true],
    ["11.0.0.1", false],
    ["192.168.1.7", true],
    ["192.168.1.8", false],
    ["fd12::1", true],
    ["fe80::1", false],
    ["::1", true],
    ["not-an-ip", false],
  ])("%s → %p", (ip, expected) => expect(trusted(ip)).toBe(expected));

  test("a bad entry fails fast and names the variable", () => {
    expect(() => createTrustCheck(["10.0.0.0/33"])).toThrow("OB_TRUSTED_PROXIES");
    expect(() => createTrustCheck(["example.com"])).toThrow("OB_TRUSTED_PROXIES");
  });
});

describe("picker", () => {
  const inst = (id: string, status: RoutedInstance["status"]): RoutedInstance => ({ id, slug: "s", url: `http://${id}`, status });
  test("round-robin within the best tier, skipping excluded instances", () => {
    const picker = createPicker();
    const list = [inst("a", "Healthy"), inst("b", "Degraded"), inst("c", "Healthy")];
    expect([1, 2, 3, 4].map(() => picker.pick("s", list)?.id)).toEqual(["a", "c", "a", "c"]);
    expect(picker.pick("s", list, ["a", "c"])?.id).toBe("b");
    expect(picker.pick("s", [inst("x", "Unreachable")])).toBeUndefined();
  });
});

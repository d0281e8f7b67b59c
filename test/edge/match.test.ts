/** Edge matching (match.ts), pure: host keys, longest segment prefix, ports and case, redirect locations, self-redirects. */
import { describe, expect, test } from "bun:test";
import { hostKeyOf, isSelfRedirect, PrefixIndex, RedirectTarget, type Keyed } from "../../src/modules/edge/match";

interface Entry extends Keyed {
  id: string;
}

/** Entries from ids the way the store keys them: host lower-cased, path without trailing slash. */
function index(...ids: string[]): PrefixIndex<Entry> {
  return new PrefixIndex(
    ids.map((id) => {
      const slash = id.indexOf("/");
      return { id, host: (slash < 0 ? id : id.slice(0, slash)).toLowerCase(), path: slash < 0 ? "" : id.slice(slash) };
    }),
  );
}

function find(idx: PrefixIndex<Entry>, host: string, path: string): string | undefined {
  return idx.find(hostKeyOf(host)!, path)?.id;
}

describe("hostKeyOf", () => {
  test("lower-cases, splits the port, drops a trailing dot", () => {
    expect(hostKeyOf("X.Com")).toEqual({ name: "x.com", withPort: undefined });
    expect(hostKeyOf("X.com:8443")).toEqual({ name: "x.com", withPort: "x.com:8443" });
    expect(hostKeyOf("x.com.")).toEqual({ name: "x.com", withPort: undefined });
    expect(hostKeyOf("[::1]:8080")).toEqual({ name: "[::1]", withPort: "[::1]:8080" });
    expect(hostKeyOf("[::1]")).toEqual({ name: "[::1]", withPort: undefined });
    expect(hostKeyOf("")).toBeUndefined();
    expect(hostKeyOf(null)).toBeUndefined();
  });
});

describe("PrefixIndex", () => {
  const idx = index("x.com", "x.com/app", "x.com/app/admin", "y.com/app");

  test("the longest segment prefix wins, down to the bare host", () => {
    expect(find(idx, "x.com", "/")).toBe("x.com");
    expect(find(idx, "x.com", "/other/thing")).toBe("x.com");
    expect(find(idx, "x.com", "/app")).toBe("x.com/app");
    expect(find(idx, "x.com", "/app/")).toBe("x.com/app");
    expect(find(idx, "x.com", "/app/z")).toBe("x.com/app");
    expect(find(idx, "x.com", "/app/admin")).toBe("x.com/app/admin");
    expect(find(idx, "x.com", "/app/admin/users/1")).toBe("x.com/app/admin");
    expect(find(idx, "x.com", "/app/administrator")).toBe("x.com/app");
  });

  test("a prefix matches whole segments only: /app is not /apple", () => {
    expect(find(idx, "x.com", "/apple")).toBe("x.com");
    expect(find(idx, "y.com", "/apple")).toBeUndefined();
    expect(find(idx, "y.com", "/app/x")).toBe("y.com/app");
    expect(find(idx, "y.com", "/")).toBeUndefined();
  });

  test("the host is case-insensitive, the path is not", () => {
    expect(find(idx, "X.COM", "/app")).toBe("x.com/app");
    expect(find(idx, "x.com", "/APP")).toBe("x.com");
  });

  test("unknown hosts match nothing", () => {
    expect(find(idx, "z.com", "/app")).toBeUndefined();
    expect(find(idx, "sub.x.com", "/")).toBeUndefined();
  });

  test("a portless id matches any port; an id naming a port matches only it and wins at equal paths", () => {
    const ports = index("x.com", "x.com/app", "x.com:8443", "x.com:8443/api");
    expect(find(ports, "x.com:8080", "/")).toBe("x.com");
    expect(find(ports, "x.com:8080", "/app/1")).toBe("x.com/app");
    expect(find(ports, "x.com:8443", "/")).toBe("x.com:8443");
    expect(find(ports, "x.com:8443", "/api/v1")).toBe("x.com:8443/api");
    // The longer path wins first, whatever the port: x.com/app beats x.com:8443 (bare).
    expect(find(ports, "x.com:8443", "/app/1")).toBe("x.com/app");
    expect(find(ports, "x.com", "/api")).toBe("x.com");
    const onlyPort = index("p.com:9000");
    expect(find(onlyPort, "p.com", "/")).toBeUndefined();
    expect(find(onlyPort, "p.com:9001", "/")).toBeUndefined();
    expect(find(onlyPort, "P.COM:9000", "/x")).toBe("p.com:9000");
  });

  test("the path is compared raw: an encoded slash is not a segment boundary", () => {
    const raw = index("x.com/a%2Fb", "x.com/a");
    expect(find(raw, "x.com", "/a%2Fb/c")).toBe("x.com/a%2Fb");
    expect(find(raw, "x.com", "/a/b")).toBe("x.com/a");
  });
});

describe("RedirectTarget", () => {
  test("appends the unmatched suffix with one slash where they meet", () => {
    expect(new RedirectTarget("https://new.com/manual").location("/a/b", "")).toBe("https://new.com/manual/a/b");
    expect(new RedirectTarget("https://new.com/manual/").location("/a", "")).toBe("https://new.com/manual/a");
    expect(new RedirectTarget("https://new.com/manual").location("", "")).toBe("https://new.com/manual");
    expect(new RedirectTarget("https://new.com").location("/", "")).toBe("https://new.com/");
    expect(new RedirectTarget("https://new.com/").location("/x", "")).toBe("https://new.com/x");
  });

  test("merges the queries, the target's first, and keeps the target's fragment", () => {
    expect(new RedirectTarget("https://new.com/p?a=1").location("/s", "b=2&c=3")).toBe("https://new.com/p/s?a=1&b=2&c=3");
    expect(new RedirectTarget("https://new.com/p").location("", "b=2")).toBe("https://new.com/p?b=2");
    expect(new RedirectTarget("https://new.com/p?a=1").location("", "")).toBe("https://new.com/p?a=1");
    expect(new RedirectTarget("https://new.com/p?a=1#top").location("/s", "b=2")).toBe("https://new.com/p/s?a=1&b=2#top");
    expect(new RedirectTarget("https://new.com/p#top").location("", "")).toBe("https://new.com/p#top");
  });
});

describe("isSelfRedirect", () => {
  test("the same scheme, host, port, path and query is a self-redirect", () => {
    expect(isSelfRedirect("https://x.com/a?b=1", "https", "x.com", "/a?b=1")).toBe(true);
    expect(isSelfRedirect("https://X.com:443/a?b=1", "https", "x.com", "/a?b=1")).toBe(true);
    expect(isSelfRedirect("https://x.com/a?b=1#f", "https", "x.com", "/a?b=1")).toBe(true);
  });

  test("any difference is a real redirect", () => {
    expect(isSelfRedirect("https://x.com/a", "http", "x.com", "/a")).toBe(false);
    expect(isSelfRedirect("https://x.com:8443/a", "https", "x.com", "/a")).toBe(false);
    expect(isSelfRedirect("https://www.x.com/a", "https", "x.com", "/a")).toBe(false);
    expect(isSelfRedirect("https://x.com/a/", "https", "x.com", "/a")).toBe(false);
    expect(isSelfRedirect("https://x.com/a?b=2", "https", "x.com", "/a?b=1")).toBe(false);
  });
});

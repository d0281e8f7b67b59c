/** One reading of an IP address however it is spelled (src/lib/ip.ts), and the limiters' key built on it. */
import { describe, expect, test } from "bun:test";
import { createTrustCheck } from "../../src/http/trust";
import { bareHost, canonicalIp, isLoopback, isUnspecified, parseIp, urlHost } from "../../src/lib/ip";
import { clientNetwork } from "../../src/lib/rate-limit";

describe("canonicalIp", () => {
  test.each([
    ["IPv4 as is", "203.0.113.7", "203.0.113.7"],
    ["IPv4 with a trailing dot", "203.0.113.7.", "203.0.113.7"],
    ["IPv4-mapped, dotted", "::ffff:203.0.113.7", "203.0.113.7"],
    ["IPv4-mapped, upper case", "::FFFF:203.0.113.7", "203.0.113.7"],
    ["IPv4-mapped, hex (as the URL parser writes it)", "::ffff:7f00:1", "127.0.0.1"],
    ["IPv4-mapped, bracketed", "[::ffff:a9fe:a9fe]", "169.254.169.254"],
    ["IPv4-mapped, written out", "0:0:0:0:0:ffff:c000:0201", "192.0.2.1"],
    ["brackets dropped", "[::1]", "::1"],
    ["upper case and leading zeros", "2001:0DB8:0000::0001", "2001:db8::1"],
    ["the longest zero run is compressed", "2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::"],
    ["the first of equal zero runs is compressed", "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["a single zero group is not compressed", "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["a zone id is dropped", "fe80::1%eth0", "fe80::1"],
    ["a zone id inside brackets is dropped", "[fe80::1%25eth0]", "fe80::1"],
    ["unspecified", "0:0:0:0:0:0:0:0", "::"],
    ["a name is no address: unchanged", "Example.COM", "Example.COM"],
    ["garbage with colons: unchanged", "foo:bar", "foo:bar"],
    ["empty: unchanged", "", ""],
  ])("%s: %s → %s", (_, text, expected) => expect(canonicalIp(text)).toBe(expected));
});

describe("parseIp", () => {
  test("IPv4, IPv6 groups (an embedded IPv4 tail as two groups), or undefined", () => {
    expect(parseIp("10.0.0.1")).toEqual({ family: 4, address: "10.0.0.1" });
    expect(parseIp("[2001:DB8::1]")).toEqual({ family: 6, groups: [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1] });
    expect(parseIp("64:ff9b::192.0.2.1")).toEqual({ family: 6, groups: [0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x201] });
    expect(parseIp("::ffff:10.0.0.1")).toEqual({ family: 4, address: "10.0.0.1" });
    expect(parseIp("localhost")).toBeUndefined();
    expect(parseIp("1.2.3")).toBeUndefined();
  });
});

describe("clientNetwork (the limiters' key)", () => {
  test.each([
    ["[::1]", "0:0:0:0::/64"],
    ["[2001:db8:aa:1::2]", "2001:db8:aa:1::/64"],
    ["[::ffff:203.0.113.7]", "203.0.113.7"],
    ["::ffff:cb00:7107", "203.0.113.7"],
    ["foo:bar", "foo:bar"],
    ["2001:db8::zz", "2001:db8::zz"],
  ])("%s → %s, never a key with NaN", (address, expected) => {
    expect(clientNetwork(address)).toBe(expected);
  });

  test("every spelling of one address is one key", () => {
    const spellings = ["2001:db8:aa:1::2", "2001:DB8:AA:1:0:0:0:2", "[2001:db8:aa:1::2]", "2001:db8:aa:1::2%eth0"];
    expect(new Set(spellings.map(clientNetwork))).toEqual(new Set(["2001:db8:aa:1::/64"]));
  });
});

describe("the other forms", () => {
  test("bareHost drops brackets and a trailing dot and lowers case, names too", () => {
    expect(bareHost("[::1]")).toBe("::1");
    expect(bareHost("Example.COM.")).toBe("example.com");
  });

  test("urlHost brackets IPv6 only", () => {
    expect(urlHost("::1")).toBe("[::1]");
    expect(urlHost("127.0.0.1")).toBe("127.0.0.1");
    expect(urlHost("localhost")).toBe("localhost");
  });

  test("loopback and unspecified addresses (canonical form)", () => {
    expect(["127.0.0.1", "127.255.0.9", "::1", "10.0.0.1", "::2"].map(isLoopback)).toEqual([true, true, true, false, false]);
    expect(["0.0.0.0", "::", "::1"].map(isUnspecified)).toEqual([true, true, false]);
  });

  test("a trusted-proxy entry in the mapped range trusts the IPv4 peers it maps, in every spelling", () => {
    const trusted = createTrustCheck(["::ffff:10.0.0.0/104"]);
    expect(["10.1.2.3", "::ffff:10.1.2.3", "::ffff:a01:203", "[::ffff:10.1.2.3]"].map(trusted)).toEqual([true, true, true, true]);
    expect(["11.0.0.1", "::ffff:b00:1", "2001:db8::1"].map(trusted)).toEqual([false, false, false]);
  });

  test("an IPv6 entry covering everything does not trust IPv4 peers, mapped or not", () => {
    const trusted = createTrustCheck(["::/0"]);
    expect(["2001:db8::1", "10.0.0.1", "::ffff:10.0.0.1"].map(trusted)).toEqual([true, false, false]);
  });
});

/**
 * The network policy for instance URLs (contract §4): rule parsing and matching, the built-in deny
 * list, OB_INSTANCE_ALLOW / OB_INSTANCE_DENY, and registrations refused because they point at this
 * server or at a denied network. Every refused URL here is refused before any packet is sent: the
 * registry runs no prober in these tests and the scripted resolver answers without DNS.
 */
import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config";
import { AddressRules } from "../../src/lib/address-rules";
import { canonicalIp } from "../../src/lib/ip";
import { AddressPolicy } from "../../src/modules/registry/address-policy";
import { FakeClock } from "../helpers/fake-clock";
import { SelfAddresses } from "../../src/modules/registry/self-addresses";
import { ScriptedResolver } from "./fake-resolver";
import { registryHarness, type RegistryHarness } from "./harness";
import { list } from "./instances";

const put = (h: RegistryHarness, url: string, token = "alpha") => h.json("PUT", "/registry-svc/instance", { token, body: { url } });

describe("address rules", () => {
  test("CIDRs, single addresses, names and *.domain match; the matching entry is named", () => {
    const rules = AddressRules.parse(" 10.0.0.0/8, 2001:db8::/32 ,192.0.2.7, Metadata.Internal., *.corp.example ");
    expect(rules.size).toBe(5);
    expect(rules.matchAddress("10.200.3.4")).toBe("10.0.0.0/8");
    expect(rules.matchAddress("[2001:db8::1]")).toBe("2001:db8::/32");
    expect(rules.matchAddress("192.0.2.7")).toBe("192.0.2.7");
    expect(rules.matchAddress("192.0.2.8")).toBeUndefined();
    expect(rules.matchName("METADATA.internal.")).toBe("metadata.internal");
    expect(rules.matchName("a.b.corp.example")).toBe("*.corp.example");
    expect(rules.matchName("corp.example")).toBeUndefined();
    expect(rules.matchAddress("not-an-ip")).toBeUndefined();
  });

  test("an IPv4-mapped IPv6 address, in either spelling, matches the IPv4 rule", () => {
    const rules = AddressRules.parse("169.254.0.0/16");
    expect(rules.matchAddress("::ffff:169.254.169.254")).toBe("169.254.0.0/16");
    expect(rules.matchAddress("[::ffff:a9fe:a9fe]")).toBe("169.254.0.0/16");
    expect(canonicalIp("[::ffff:a9fe:a9fe]")).toBe("169.254.169.254");
    expect(canonicalIp("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(canonicalIp("[::1]")).toBe("::1");
  });

  test.each([["10.0.0.0/33"], ["10.0.0.0/x"], ["1.2.3"], ["fe80::/129"], ["bad host!"], ["example.com/8"]])("%p is refused", (entry) => {
    expect(() => AddressRules.parse(entry)).toThrow(/bad entry/);
  });

  test("a bad entry stops the start naming the variable", () => {
    const load = (env: Record<string, string>) => () => loadConfig({ OB_SELF_URL: "http://127.0.0.1:0", ...env });
    expect(load({ OB_INSTANCE_DENY: "10.0.0.0/8,10.0.0.0/40" })).toThrow(/^invalid OB_INSTANCE_DENY: bad entry "10\.0\.0\.0\/40"/);
    expect(load({ OB_INSTANCE_ALLOW: "nope!" })).toThrow(/^invalid OB_INSTANCE_ALLOW: bad entry "nope!"/);
    expect(load({ OB_INSTANCE_ALLOW: "169.254.169.254", OB_INSTANCE_DENY: "127.0.0.2/32" })()).toMatchObject({ instanceAllow: ["169.254.169.254"], instanceDeny: ["127.0.0.2/32"] });
  });
});

describe("address policy", () => {
  const policy = new AddressPolicy({ allow: [], deny: [] });

  test("by default link-local, metadata, unspecified and their IPv4-mapped forms are denied, naming the rule", () => {
    expect(policy.checkAddress("169.254.169.254")).toBe("host 169.254.169.254 is in denied network 169.254.0.0/16 (OB_INSTANCE_DENY default)");
    expect(policy.checkAddress("::ffff:a9fe:a9fe")).toContain("169.254.0.0/16");
    expect(policy.checkAddress("fe80::1")).toContain("fe80::/10");
    expect(policy.checkAddress("0.0.0.0")).toContain("0.0.0.0/8");
    expect(policy.checkAddress("::ffff:0.0.0.0")).toContain("0.0.0.0/8");
    expect(policy.checkAddress("::")).toContain("::/128");
    expect(policy.checkAddress("fd00:ec2::254")).toContain("fd00:ec2::254/128");
    expect(policy.checkName("metadata.google.internal")).toBe("host metadata.google.internal is a cloud metadata name (OB_INSTANCE_DENY default)");
    expect(policy.checkName("METADATA.google.internal.")).toBeDefined();
    expect(policy.checkName("instance-data")).toBeDefined();
    expect(policy.checkAddress("10.0.0.5", "svc.test")).toBeUndefined();
  });

  test("loopback and private networks are allowed: that is where services live", () => {
    for (const ip of ["127.0.0.1", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "fd00::2", "100.64.0.1"]) expect(policy.checkAddress(ip)).toBeUndefined();
    expect(policy.checkName("svc.local")).toBeUndefined();
  });

  test("OB_INSTANCE_DENY adds to the built-in list; OB_INSTANCE_ALLOW wins over both for what it names", () => {
    const p = new AddressPolicy({ allow: ["169.254.10.0/24", "metadata.google.internal"], deny: ["127.0.0.2/32", "*.evil.test"] });
    expect(p.checkAddress("127.0.0.2")).toBe("host 127.0.0.2 is in denied network 127.0.0.2/32 (OB_INSTANCE_DENY)");
    expect(p.checkAddress("127.0.0.3", "a.test")).toBeUndefined();
    expect(p.checkName("x.evil.test")).toBe("host x.evil.test is denied by *.evil.test (OB_INSTANCE_DENY)");
    expect(p.checkAddress("169.254.10.9")).toBeUndefined();
    expect(p.checkAddress("169.254.169.254")).toContain("169.254.0.0/16");
    expect(p.checkName("metadata.google.internal")).toBeUndefined();
    expect(p.allowsName("metadata.google.internal")).toBe(true);
    expect(p.checkAddress("0.0.0.0")).toBeDefined();
  });
});

describe("registration refuses denied networks (400 naming the rule, nothing stored, no DNS)", () => {
  test.each([
    ["http://169.254.169.254", "host 169.254.169.254 is in denied network 169.254.0.0/16 (OB_INSTANCE_DENY default)"],
    ["http://[::ffff:169.254.169.254]:80/latest", "169.254.0.0/16 (OB_INSTANCE_DENY default)"],
    ["http://[fe80::1]:8080", "host fe80::1 is in denied network fe80::/10 (OB_INSTANCE_DENY default)"],
    ["http://0.0.0.0:9311", "host 0.0.0.0 is in denied network 0.0.0.0/8 (OB_INSTANCE_DENY default)"],
    ["http://[::]:9311", "host :: is in denied network ::/128 (OB_INSTANCE_DENY default)"],
    ["http://metadata.google.internal/computeMetadata/v1", "host metadata.google.internal is a cloud metadata name (OB_INSTANCE_DENY default)"],
    ["http://METADATA:80", "host metadata is a cloud metadata name (OB_INSTANCE_DENY default)"],
  ])("%s", async (url, message) => {
    const resolver = new ScriptedResolver();
    await using h = await registryHarness({ resolve: resolver.resolve });
    const r = await put(h, url);
    expect({ status: r.status, code: r.body.code }).toEqual({ status: 400, code: "registry.address_denied" });
    expect(r.body.error).toContain(message);
    expect(await list(h)).toEqual([]);
    expect(resolver.asked).toEqual([]);
  });

  test("the parts form (ip + port) is refused the same way", async () => {
    await using h = await registryHarness();
    const r = await h.json("PUT", "/registry-svc/instance", { token: "alpha", body: { ip: "169.254.169.254", port: 80 } });
    expect({ status: r.status, code: r.body.code }).toEqual({ status: 400, code: "registry.address_denied" });
  });

  test("a name resolving into a denied network is refused, naming name, address and rule", async () => {
    const resolver = new ScriptedResolver({ "sneaky.test": ["10.0.0.9", "169.254.169.254"] });
    await using h = await registryHarness({ resolve: resolver.resolve });
    const r = await put(h, "http://sneaky.test:80");
    expect(r.body).toEqual({ code: "registry.address_denied", error: "host sneaky.test resolves to 169.254.169.254, which is in denied network 169.254.0.0/16 (OB_INSTANCE_DENY default)" });
  });

  test("OB_INSTANCE_ALLOW re-allows one address; its neighbours stay denied", async () => {
    await using h = await registryHarness({ env: { OB_INSTANCE_ALLOW: "169.254.169.254" } });
    expect((await put(h, "http://169.254.169.254:80")).status).toBe(201);
    expect((await put(h, "http://169.254.169.253:80")).body.code).toBe("registry.address_denied");
  });

  test("OB_INSTANCE_DENY=127.0.0.2/32 denies that loopback address only", async () => {
    await using h = await registryHarness({ env: { OB_INSTANCE_DENY: "127.0.0.2/32" } });
    const r = await put(h, "http://127.0.0.2:9311");
    expect(r.body).toEqual({ code: "registry.address_denied", error: "host 127.0.0.2 is in denied network 127.0.0.2/32 (OB_INSTANCE_DENY)" });
    expect((await put(h, "http://127.0.0.1:9311")).status).toBe(201);
    expect((await list(h)).map((i) => i.url)).toEqual(["http://127.0.0.1:9311"]);
  });
});

describe("registration refuses URLs pointing at this server (400 registry.self_url)", () => {
  test("listening on 0.0.0.0: every loopback and interface address at our port is us, other ports are not", async () => {
    await using h = await registryHarness({ env: { OB_LISTEN: "0.0.0.0:45678" }, interfaces: () => ["127.0.0.1", "10.9.8.7", "fe80::1"] });
    for (const url of ["http://127.0.0.1:45678", "http://127.0.0.2:45678/prefix", "http://10.9.8.7:45678", "http://[::1]:45678", "http://localhost:45678"]) {
      const r = await put(h, url);
      expect({ url, status: r.status, body: r.body }).toEqual({ url, status: 400, body: { code: "registry.self_url", error: `url ${url} points at this server (its listening address 0.0.0.0:45678)` } });
    }
    // Other ports are not us (registered: loopback only, as every test instance is).
    expect((await put(h, "http://127.0.0.1:45679")).status).toBe(201);
    // Another address at our port is not us either: asked of the matcher, so no test registers a non-loopback URL.
    const self = new SelfAddresses({ listenHost: "0.0.0.0", listenPort: 45678, selfUrl: "http://127.0.0.1:45678", nodeUrls: async () => [], resolve: new ScriptedResolver().resolve, clock: { now: () => Date.now() }, interfaces: () => ["127.0.0.1", "10.9.8.7"] });
    const us = await self.current();
    expect({ other: us.match("10.9.8.6", 45678, ["10.9.8.6"]), iface: us.match("10.9.8.7", 45679, ["10.9.8.7"]) }).toEqual({ other: undefined, iface: undefined });
  });

  test("listening on one address: that address and the names resolving to it at our port", async () => {
    const resolver = new ScriptedResolver({ localhost: ["127.0.0.1"], "alias.test": ["10.0.0.1", "::ffff:127.0.0.1"] });
    await using h = await registryHarness({ env: { OB_LISTEN: "127.0.0.1:45678" }, resolve: resolver.resolve });
    for (const url of ["http://127.0.0.1:45678", "http://localhost:45678", "http://alias.test:45678", "https://[::ffff:127.0.0.1]:45678"]) {
      expect({ url, code: (await put(h, url)).body.code }).toEqual({ url, code: "registry.self_url" });
    }
    expect((await put(h, "http://127.0.0.2:45678")).status).toBe(201);
  });

  test("0.0.0.0 and :: at our port are us even where OB_INSTANCE_ALLOW lifts their denial (a connect to them reaches this host)", async () => {
    await using h = await registryHarness({ env: { OB_LISTEN: "127.0.0.1:45678", OB_INSTANCE_ALLOW: "0.0.0.0/8,::/128" } });
    for (const url of ["http://0.0.0.0:45678", "http://[::]:45678"]) expect({ url, code: (await put(h, url)).body.code }).toEqual({ url, code: "registry.self_url" });
    expect((await put(h, "http://0.0.0.0:45679")).status).toBe(201);
  });

  test("the host:port of OB_SELF_URL is us, compared by name before any lookup", async () => {
    await using h = await registryHarness({ env: { OB_SELF_URL: "https://api.self.test", OB_LISTEN: "127.0.0.1:0" } });
    const r = await put(h, "https://API.self.test:443/v1/");
    expect(r.body).toEqual({ code: "registry.self_url", error: "url https://api.self.test:443/v1 points at this server (its OB_SELF_URL)" });
    expect((await put(h, "http://api.self.test:8080")).status).toBe(201);
  });

  test("every node's URL in the node table is us (seen within the snapshot's few seconds)", async () => {
    const clock = new FakeClock(Date.now());
    await using h = await registryHarness({ clock });
    const { db, tables } = h.deps.database;
    await db.insert(tables.registryNodes).values({ id: "node-other", url: "http://127.1.1.1:11337", lastHeartbeat: clock.now() });
    clock.advance(6000);
    const r = await put(h, "http://127.1.1.1:11337");
    expect(r.body).toEqual({ code: "registry.self_url", error: "url http://127.1.1.1:11337 points at this server (registry node http://127.1.1.1:11337)" });
    expect(await list(h)).toEqual([]);
  });
});

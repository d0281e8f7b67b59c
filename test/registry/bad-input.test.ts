import { describe, expect, test } from "bun:test";
import { registryHarness } from "./harness";

const hostileUrls: [string, unknown][] = [
  ["file: scheme", "file:///etc/passwd"],
  ["javascript: scheme", "javascript:alert(1)"],
  ["data: scheme", "data:text/plain,hi"],
  ["ftp: scheme", "ftp://127.0.0.1:21"],
  ["no scheme", "127.0.0.1:9000"],
  ["scheme-relative", "//127.0.0.1:9000"],
  ["no host", "http://"],
  ["no host, only a path", "http:///path"],
  ["no host, only a port", "http://:8080"],
  ["single slash", "http:/127.0.0.1:9000"],
  ["port 0", "http://127.0.0.1:0"],
  ["port 70000", "http://127.0.0.1:70000"],
  ["port not a number", "http://127.0.0.1:http"],
  ["10 kB long", `http://127.0.0.1:9000/${"a".repeat(10_000)}`],
  ["embedded credentials", "http://user:pass@127.0.0.1:9000"],
  ["embedded user only", "http://user@127.0.0.1:9000"],
  ["an empty userinfo", "http://@127.0.0.1:9000"],
  ["a space in the host", "http://127.0.0 .1:9000"],
  ["a space in the path", "http://127.0.0.1:9000/a b"],
  ["a leading space", " http://127.0.0.1:9000"],
  ["a newline", "http://127.0.0.1:9000/\nx"],
  ["a tab", "http://127.0.\t0.1:9000"],
  ["a NUL byte", "http://127.0.0.1:9000/\u0000"],
  ["a non-breaking space", "http://127.0.0.1:9000/\u00a0"],
  ["a backslash", "http://127.0.0.1:9000\\@evil.com"],
  ["a query string", "http://127.0.0.1:9000/?next=http://evil"],
  ["a fragment", "http://127.0.0.1:9000/#x"],
  ["an invalid host", "http://exa mple.com:80"],
  ["the wrong type (number)", 9000],
  ["the wrong type (object)", { href: "http://127.0.0.1:9000" }],
  ["the wrong type (array)", ["http://127.0.0.1:9000"]],
  ["null", null],
];

const badParts: [string, Record<string, unknown>, string][] = [
  ["scheme ftp", { scheme: "ftp", host: "h", port: 1 }, "scheme"],
  ["port 0", { host: "h", port: 0 }, "port"],
  ["port 70000", { host: "h", port: 70000 }, "port"],
  ["port as a word", { host: "h", port: "eighty" }, "port"],
  ["fractional port", { host: "h", port: 80.5 }, "port"],
  ["ip that is not an IP", { ip: "999.1.1.1", port: 80 }, "ip"],
  ["host with a slash", { host: "a/b", port: 80 }, "host"],
  ["host with credentials", { host: "u:p@h", port: 80 }, "host"],
  ["path without a leading slash", { host: "h", port: 80, path: "api" }, "path"],
  ["path with a query", { host: "h", port: 80, path: "/a?b" }, "path"],
  ["healthCheckPath not absolute", { url: "http://h:80", healthCheckPath: "health" }, "healthCheckPath"],
  ["healthCheckPath with a space", { url: "http://h:80", healthCheckPath: "/a b" }, "healthCheckPath"],
  ["url and host disagree", { url: "http://h:80", host: "other" }, "host"],
  ["url and port disagree", { url: "http://h:80", port: 81 }, "port"],
  ["id with a slash", { url: "http://h:80", id: "a/b" }, "id"],
  ["id of the wrong type", { url: "http://h:80", id: 7 }, "id"],
  ["deploymentId of the wrong type", { url: "http://h:80", deploymentId: ["x"] }, "deploymentId"],
];

describe("bad registration input: a 4xx naming the field, never a 500, nothing stored", () => {
  test.each(hostileUrls)("url: %s", async (_name, url) => {
    await using h = await registryHarness();
    const r = await h.json("PUT", "/registry-svc/instance", { token: "alpha", body: { url } });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body.error).toContain("url");
    expect(h.registry.table.size).toBe(0);
  });

  test.each(badParts)("%s", async (_name, body, field) => {
    await using h = await registryHarness();
    const r = await h.json("PUT", "/registry-svc/instance", { token: "alpha", body });
    expect(r.status).toBe(400);
    expect(r.body.error).toContain(field);
    expect(h.registry.table.size).toBe(0);
  });

  test.each([["a JSON array body", "[]"], ["a JSON string body", '"http://h:1"'], ["a number body", "5"]])("%s: 400", async (_name, body) => {
    await using h = await registryHarness();
    const r = await h.json("PUT", "/registry-svc/instance", { token: "alpha", body });
    expect(r.status).toBe(400);
    expect(h.registry.table.size).toBe(0);
  });

  test("unknown fields are ignored", async () => {
    await using h = await registryHarness();
    const r = await h.json("PUT", "/registry-svc/instance", { token: "alpha", body: { url: "http://h:80", slug: "beta-svc", tags: ["x"] } });
    expect(r.status).toBe(201);
    expect([...h.registry.table.all()].map((i) => i.slug)).toEqual(["alpha-svc"]);
  });

  test("an over-long instance id or node URL on delete is a 400 naming it", async () => {
    await using h = await registryHarness();
    const instance = await h.json("DELETE", `/registry-svc/instance/${"a".repeat(300)}`, { token: "admin" });
    const node = await h.json("DELETE", `/registry-svc/node/${"a".repeat(3000)}`, { token: "admin" });
    expect([instance.status, node.status]).toEqual([400, 400]);
    expect([instance.body.error, node.body.error]).toEqual([expect.stringMatching(/\bid\b/), expect.stringMatching(/\burl\b/)]);
  });

  test("unknown ids on delete are 404 and a path-like id does not escape its segment", async () => {
    await using h = await registryHarness();
    for (const id of ["inst-nope", "..%2F..%2Fetc", "%00"]) {
      const r = await h.json("DELETE", `/registry-svc/instance/${id}`, { token: "admin" });
      expect(r.status).toBe(404);
    }
  });
});

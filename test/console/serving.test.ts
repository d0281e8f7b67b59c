/**
 * The console as the server serves it (src/modules/console): index.html for every console path, the
 * content-hashed assets cached for a year, gzip when accepted, and the security headers on all of it.
 */
import { describe, expect, test } from "bun:test";
import { gunzipSync } from "node:zlib";
import { testApp } from "../helpers/app";
import { CONSOLE_CSP } from "../../src/modules/console";

const assetsOf = (html: string) => [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]!);

describe("console serving", () => {
  test("GET / redirects to /console/", async () => {
    await using app = await testApp();
    const res = await app.request("GET", "/");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/console/");
  });

  test("every console path that is not an asset answers index.html with no-cache and the strict CSP", async () => {
    await using app = await testApp();
    for (const path of ["/console", "/console/", "/console/services", "/console/access/users", "/console/sign-in?next=%2Fconsole%2Fnodes"]) {
      const res = await app.request("GET", path, { headers: { "accept-encoding": "identity" } });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      const html = await res.text();
      expect(html).toContain('<div id="app">');
      // no inline script or style: the CSP would block them
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style|style="/);
    }
  });

  test("one JS and one CSS asset, content-hashed, immutable for a year, gzip-precompressed when accepted", async () => {
    await using app = await testApp();
    const html = await (await app.request("GET", "/console/", { headers: { "accept-encoding": "identity" } })).text();
    const assets = assetsOf(html);
    expect(assets.filter((a) => a.endsWith(".js"))).toHaveLength(1);
    expect(assets.filter((a) => a.endsWith(".css"))).toHaveLength(1);
    for (const asset of assets) {
      expect(asset).toMatch(/^\/console\/assets\/[a-z0-9_-]+-[a-z0-9]{8}\.(js|css)$/);
      const plain = await app.request("GET", asset, { headers: { "accept-encoding": "identity" } });
      expect(plain.status).toBe(200);
      expect(plain.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(plain.headers.get("content-encoding")).toBeNull();
      expect(plain.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
      expect(plain.headers.get("content-type")).toBe(asset.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8");
      const body = new Uint8Array(await plain.arrayBuffer());
      const zipped = await app.request("GET", asset, { headers: { "accept-encoding": "gzip, deflate, br" } });
      expect(zipped.headers.get("content-encoding")).toBe("gzip");
      expect(zipped.headers.get("vary")).toContain("accept-encoding");
      const compressed = new Uint8Array(await zipped.arrayBuffer());
      expect(compressed.length).toBeLessThan(body.length);
      expect(new Uint8Array(gunzipSync(compressed))).toEqual(body);
    }
  });

  test("an unknown asset is a JSON 404, not the page", async () => {
    await using app = await testApp();
    const res = await app.json("GET", "/console/assets/index-00000000.js");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: "console asset index-00000000.js not found", code: "console.asset_not_found" });
  });
});

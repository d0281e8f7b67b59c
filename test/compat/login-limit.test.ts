/** Login limits on a real socket: the client IP comes from the Bun server, so per-IP limiting works. */
import { expect, test } from "bun:test";
import { testServer } from "../helpers/server";

test("logins beyond the per-IP limit get 429 with Retry-After, whatever the slug", async () => {
  await using s = await testServer({ env: { OB_LOGIN_LIMIT_PER_IP: "3", OB_LOGIN_LIMIT_PER_SLUG: "100" } });
  const login = (slug: string) =>
    fetch(`${s.url}/user-svc/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ appHost: "a", slug, password: "wrong-password" }) });
  const statuses: number[] = [];
  for (const slug of ["a1", "a2", "a3", "a4"]) statuses.push((await login(slug)).status);
  expect(statuses).toEqual([401, 401, 401, 429]);
  const limited = await login("a5");
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get("retry-after"))).toBeWithin(1, 61);
  expect(await limited.json()).toEqual({ error: expect.stringContaining("retry in"), code: "user.too_many_logins" });
});

test("behind a trusted proxy each X-Forwarded-For client has its own budget; from others the header is ignored", async () => {
  const env = { OB_LOGIN_LIMIT_PER_IP: "2", OB_LOGIN_LIMIT_PER_SLUG: "100" };
  const login = (url: string, slug: string, forwardedFor: string) =>
    fetch(`${url}/user-svc/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
      body: JSON.stringify({ appHost: "a", slug, password: "wrong-password" }),
    }).then((r) => r.status);

  await using behindProxy = await testServer({ env: { ...env, OB_TRUSTED_PROXIES: "127.0.0.1" } });
  const trusted: number[] = [];
  for (const [slug, client] of [["b1", "203.0.113.1"], ["b2", "203.0.113.1"], ["b3", "203.0.113.1"], ["b4", "203.0.113.2"]] as const) {
    trusted.push(await login(behindProxy.url, slug, client));
  }
  expect(trusted).toEqual([401, 401, 429, 401]);

  await using direct = await testServer({ env });
  const spoofed: number[] = [];
  for (const [slug, client] of [["c1", "198.51.100.1"], ["c2", "198.51.100.2"], ["c3", "198.51.100.3"]] as const) {
    spoofed.push(await login(direct.url, slug, client));
  }
  expect(spoofed).toEqual([401, 401, 429]);
});

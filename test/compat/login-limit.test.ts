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

/** The SDK against the real server (in process, port 0): the wire shapes the fake imitates, checked for real. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Authenticator, registerOrLogin, SlugTakenError, startService } from "../../sdk/index.ts";
import { testServer } from "../helpers/server";
import { tempDir } from "../helpers/temp-dir";

const ADMIN = "sdk-admin-password";
type Listing = { instances?: { url: string; slug: string; region?: string }[] };

async function adminToken(url: string): Promise<string> {
  const r = await fetch(`${url}/user-svc/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ appHost: "unnamed", slug: "1backend", password: ADMIN }) });
  return ((await r.json()) as { token: { token: string } }).token.token;
}

describe("SDK on the real server", () => {
  test("startService registers the account and instance, verifies tokens offline, checks permissions, deregisters", async () => {
    await using server = await testServer({ env: { OB_ADMIN_PASSWORD: ADMIN } });
    await using dir = tempDir();
    const svc = await startService({ slug: "sdk-svc", serverUrl: server.url, selfUrl: "http://127.0.0.1:9", credentialsFile: join(dir.path, "c.json"), region: "eu-west-1", log: () => {} });
    try {
      const admin = await adminToken(server.url);
      const list = (await (await fetch(`${server.url}/registry-svc/instances?slug=sdk-svc`, { headers: { authorization: `Bearer ${admin}` } })).json()) as Listing;
      expect((list.instances ?? []).map((i) => ({ url: i.url, slug: i.slug, region: i.region }))).toEqual([{ url: "http://127.0.0.1:9", slug: "sdk-svc", region: "eu-west-1" }]);

      const auth = new Authenticator(server.url);
      const caller = await auth.authenticate(new Request("http://x/", { headers: { authorization: admin } }), "user-svc:user:view");
      expect({ slug: caller.slug, admin: caller.roles.includes("user-svc:admin") }).toEqual({ slug: "1backend", admin: true });
      const self = await auth.verifier.verify(await svc.token());
      expect({ slug: self.slug, roles: self.roles }).toEqual({ slug: "sdk-svc", roles: ["user-svc:user"] });
      expect((await auth.permissions.has(await svc.token(), "user-svc:user:view")).authorized).toBe(false);
    } finally {
      await svc.stop();
    }
    const admin = await adminToken(server.url);
    const after = (await (await fetch(`${server.url}/registry-svc/instances?slug=sdk-svc`, { headers: { authorization: `Bearer ${admin}` } })).json()) as Listing;
    expect(after.instances ?? []).toEqual([]);
  });

  test("a slug owned by another account is a SlugTakenError (login 401, register 409)", async () => {
    await using server = await testServer({ env: { OB_ADMIN_PASSWORD: ADMIN } });
    await using dir = tempDir();
    await registerOrLogin({ serverUrl: server.url, slug: "taken-svc", credentialsFile: join(dir.path, "a.json") });
    await expect(registerOrLogin({ serverUrl: server.url, slug: "taken-svc", credentialsFile: join(dir.path, "b.json") })).rejects.toBeInstanceOf(SlugTakenError);
    const again = await registerOrLogin({ serverUrl: server.url, slug: "taken-svc", credentialsFile: join(dir.path, "a.json") });
    expect(again.registered).toBe(false);
  });

  test("a service refuses callers with the server's own 401 and 403 bodies (user.missing_token, user.invalid_token, auth.permission_denied)", async () => {
    await using server = await testServer({ env: { OB_ADMIN_PASSWORD: ADMIN } });
    await using dir = tempDir();
    const account = await registerOrLogin({ serverUrl: server.url, slug: "codes-svc", credentialsFile: join(dir.path, "c.json") });
    const permission = "user-svc:user:create"; // what the server's POST /user-svc/user requires
    const guarded = new Authenticator(server.url).guard(() => Response.json({}), { permission });
    const answer = async (response: Response) => ({ status: response.status, body: await response.json() });
    const statuses: number[] = [];
    for (const authorization of [undefined, "Bearer garbage", `Bearer ${account.token}`]) {
      const headers: Record<string, string> = { "content-type": "application/json", ...(authorization ? { authorization } : {}) };
      const fromServer = await answer(await fetch(`${server.url}/user-svc/user`, { method: "POST", headers, body: JSON.stringify({ user: { slug: "x", name: "x" }, password: "password1" }) }));
      const fromService = await answer(await guarded(new Request("http://svc/codes-svc/thing", { headers })));
      expect(fromService).toEqual(fromServer);
      statuses.push(fromService.status);
    }
    expect(statuses).toEqual([401, 401, 403]);
  });
});

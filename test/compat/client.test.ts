/**
 * Compatibility: a real server driven through the official `@1backend/client` 0.9.18, as a 1Backend
 * user would (the client sends tokens bare in Authorization).
 */
import { describe, expect, test } from "bun:test";
import { Configuration, UserSvcApi } from "@1backend/client";
import { importSPKI, jwtVerify } from "jose";
import { testServer } from "../helpers/server";
import { answerOf } from "../helpers/client-answer";

const APP = "test.app";
const api = (basePath: string, token?: string, headers?: Record<string, string>) =>
  new UserSvcApi(new Configuration({ basePath, apiKey: token, headers }));

async function statusOf(call: Promise<unknown>): Promise<number> {
  return (await answerOf(call)).status;
}

describe("@1backend/client 0.9.18 against the server", () => {
  test("accounts, tokens and keys: the 1Backend user journey", async () => {
    await using s = await testServer();
    const anon = api(s.url);
    const reg = await anon.register({ body: { appHost: APP, slug: "test-user-slug-0", password: "testUserPassword0", name: "Test User Name 0" } });
    expect(reg.token?.userId).toMatch(/^usr-/);
    const login = await anon.login({ body: { appHost: APP, slug: "test-user-slug-0", password: "testUserPassword0" } });
    expect(login.token?.id).toBe(reg.token!.id);
    const token = login.token!.token;
    const user = api(s.url, token);

    const self = await user.readSelf();
    expect(self.user.slug).toBe("test-user-slug-0");
    expect(self.roles).toEqual(["user-svc:user"]);

    const { publicKey } = await anon.getPublicKey();
    expect(publicKey).toStartWith("-----BEGIN PUBLIC KEY-----");
    const verified = await jwtVerify(token, await importSPKI(publicKey, "RS256"), { algorithms: ["RS256"] });
    expect(verified.payload).toMatchObject({ "1ui": reg.token!.userId, "1ai": reg.token!.appId, "1sl": "test-user-slug-0", "1ro": ["user-svc:user"], "1de": "unknown" });
    expect(verified.payload.jti).toBeString();
    expect(verified.payload.exp! - verified.payload.iat!).toBe(300);

    const refreshed = await api(s.url, undefined, { Authorization: token }).refreshToken();
    expect(refreshed.token.token).not.toBe(token);
    const fresh = refreshed.token.token;

    const exchanged = await api(s.url, undefined, { Authorization: fresh }).exchangeToken({ body: { newAppHost: "socks.com", newDevice: "phone" } });
    expect(exchanged.token.app?.host).toBe("socks.com");
    expect(exchanged.token.device).toBe("phone");
    expect(exchanged.token.userId).toBe(reg.token!.userId);

    await user.changePassword({ body: { currentPassword: "testUserPassword0", newPassword: "newPassword0" } });
    expect(await statusOf(anon.login({ body: { appHost: APP, slug: "test-user-slug-0", password: "testUserPassword0" } }))).toBe(401);
    await anon.login({ body: { appHost: APP, slug: "test-user-slug-0", password: "newPassword0" } });

    const created = await user.createApiKey({ body: { name: "ci" } });
    expect(created.key).toStartWith(created.apiKey.prefix!);
    const keys = await user.listApiKeys({ body: {} });
    expect(keys.apiKeys.map((k) => k.id)).toEqual([created.apiKey.id]);
    const viaKey = await api(s.url, created.key).exchangeApiKey();
    expect(viaKey.token.userId).toBe(reg.token!.userId);
    expect((await api(s.url, viaKey.token.token).readSelf()).user.slug).toBe("test-user-slug-0");
    await user.revokeApiKeys({ body: { ids: [created.apiKey.id] } });
    expect(await statusOf(api(s.url, created.key).exchangeApiKey())).toBe(401);
    expect(await statusOf(api(s.url, viaKey.token.token).readSelf())).toBe(401);

    await user.revokeTokens();
    for (const t of [token, fresh, exchanged.token.token]) expect(await statusOf(api(s.url, t).readSelf())).toBe(401);
  });

  test("administration: users, permits, enrolls, organizations, memberships", async () => {
    await using s = await testServer();
    const anon = api(s.url);
    const adminToken = (await anon.login({ body: { appHost: APP, slug: "1backend", password: "changeme" } })).token!.token;
    const admin = api(s.url, adminToken);
    const u1 = (await anon.register({ body: { appHost: APP, slug: "owner-svc", password: "ownerPassword" } })).token!;
    const u2 = (await anon.register({ body: { appHost: APP, slug: "member", password: "memberPassword" } })).token!;
    const owner = api(s.url, u1.token);

    await admin.createUser({ body: { appHost: APP, user: { id: "", slug: "made-by-admin", name: "Made" }, password: "madePassword" } });
    const listed = await admin.listUsers({ body: { search: "made-by-admin" } });
    expect(listed.users?.map((u) => u.slug)).toEqual(["made-by-admin"]);
    const made = listed.users![0]!;
    await admin.saveUser({ userId: made.id, body: { name: "Renamed" } });
    expect((await admin.listUsers({ body: { ids: [made.id] } })).users?.[0]?.name).toBe("Renamed");
    await admin.deleteUser({ userId: made.id });
    expect((await admin.listUsers({ body: { ids: [made.id] } })).users ?? []).toEqual([]);
    expect(await statusOf(owner.listUsers())).toBe(403);

    await owner.savePermits({ body: { permits: [{ permission: "owner-svc:thing:read", slugs: ["member"], appHost: "*" }] } });
    expect(await statusOf(owner.savePermits({ body: { permits: [{ permission: "user-svc:user:view", slugs: ["owner-svc"] }] } }))).toBe(403);
    const permits = await admin.listPermits({ body: { permission: "owner-svc:thing:read" } });
    expect(permits.permits?.map((p) => p.slugs)).toEqual([["member"]]);
    expect((await api(s.url, u2.token).hasPermission({ permission: "owner-svc:thing:read" })).authorized).toBe(true);
    const denied = await owner.hasPermission({ permission: "owner-svc:thing:read" });
    expect(denied.authorized).toBe(false);
    expect(denied.user.slug).toBe("owner-svc");
    expect(denied.app.host).toBe(APP);

    const enrolled = await owner.saveEnrolls({ body: { enrolls: [{ role: "owner-svc:pro", userId: u2.userId }, { role: "owner-svc:pro", contactId: "later@example.com" }] } });
    expect(enrolled.enrolls.map((e) => e.contactId)).toEqual(["later@example.com"]);
    const byRole = await owner.listEnrolls({ body: { role: "owner-svc:pro" } });
    expect(byRole.enrolls.length).toBe(2);
    const relogin = await anon.login({ body: { appHost: APP, slug: "member", password: "memberPassword" } });
    expect((await api(s.url, relogin.token!.token).readSelf()).roles).toEqual(["user-svc:user", "owner-svc:pro"]);

    const org = await owner.saveOrganization({ body: { slug: "acme", name: "Acme" } });
    expect(org.organization.slug).toBe("acme");
    const orgToken = org.token!.token;
    expect((await api(s.url, orgToken).readSelf()).activeOrganizationId).toBe(org.organization.id);
    const orgs = await admin.listOrganizations();
    expect(orgs.organizations?.map((o) => o.id)).toContain(org.organization.id);
    const m = await api(s.url, orgToken).saveMembership({ organizationId: org.organization.id, userId: u2.userId });
    expect(m.membership.status).toBe("accepted");
    const memberships = await api(s.url, orgToken).listMemberships({ body: { organizationId: org.organization.id } });
    expect(memberships.memberships.map((x) => x.user.slug).sort()).toEqual(["member", "owner-svc"]);
    const memberLogin = await anon.login({ body: { appHost: APP, slug: "member", password: "memberPassword" } });
    expect((await api(s.url, memberLogin.token!.token).readSelf()).roles).toContain(`user-svc:org:{${org.organization.id}}:user`);
  });

  test("not-yet features answer 501 and the provider lists are empty", async () => {
    await using s = await testServer();
    const anon = api(s.url);
    expect(await statusOf(anon.sendOtp({ body: { appHost: APP, contactId: "a@b.c", contactPlatform: "email" } }))).toBe(501);
    expect(await anon.listContactAuthProviders({ appHost: APP })).toEqual({ providers: [] });
    expect(await anon.listOIDCContactAuthProviders({ appHost: APP })).toEqual({ providers: [] });
  });
});

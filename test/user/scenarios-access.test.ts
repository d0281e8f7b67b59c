/** Scenario tables: permits, permissions, has-permission, enrolls, apps and the 501 routes, each status they can answer. */
import { expect } from "bun:test";
import { runScenarios } from "../helpers/scenario";
import { userFixture, type UserApp } from "./fixture";

const APP = "test.app";
/** alice grants her `alice:pet:read` to bob. */
const grantPetRead = (c: UserApp) => c.step("PUT", "/user-svc/permits", { as: "alice", body: { permits: [{ permission: "alice:pet:read", slugs: ["bob"] }] } });
/** alice enrolls bob in `alice:pro`. */
const enrollBob = (c: UserApp) => c.step("PUT", "/user-svc/enrolls", { as: "alice", body: { enrolls: [{ role: "alice:pro", userId: c.ids.bob }] } });
/** alice enrolls a future user, by contact, in `alice:pro` as `enr-fixed`. */
const enrollFuture = (c: UserApp) => c.step("PUT", "/user-svc/enrolls", { as: "alice", body: { enrolls: [{ id: "enr-fixed", role: "alice:pro", contactId: "Future+1@Example.com" }] } });
const bobTriesAlicesEnroll = (c: UserApp) =>
  c.step("PUT", "/user-svc/enrolls", { as: "bob", body: { enrolls: [{ id: "enr-fixed", role: "bob:x", contactId: "bob-friend@example.com" }] }, status: 403 });
const deleteFuture = (c: UserApp) => c.step("DELETE", "/user-svc/enrolls", { as: "alice", body: { ids: ["enr-fixed"] } });
const createShoesApp = (c: UserApp) => c.step("POST", "/user-svc/app", { as: "alice", body: { host: "shoes.com" } });
const renameApp = (c: UserApp) => c.step("PUT", "/user-svc/app", { as: "admin", body: { id: c.ids.app, newHost: "renamed.app" } });

const login = (slug: string) => ({ method: "POST", path: "/user-svc/login", body: { appHost: APP, slug, password: `${slug}-password` } });

runScenarios("permits, permissions, has-permission", userFixture(), [
  { name: "alice grants her own permission to bob", method: "PUT", path: "/user-svc/permits", as: "alice", body: { permits: [{ permission: "alice:pet:read", slugs: ["bob"] }] }, status: 200 },
  {
    name: "saving the same permit again adds nothing",
    setup: grantPetRead,
    method: "PUT",
    path: "/user-svc/permits",
    as: "alice",
    body: { permits: [{ permission: "alice:pet:read", slugs: ["bob"] }] },
    status: 200,
    check: async (_r, c) => expect((await c.step("POST", "/user-svc/permits", { as: "admin", body: { permission: "alice:pet:read" } })).permits).toHaveLength(1),
  },
  { name: "a bare prefix is not ownership (slug `user` vs user-svc)", method: "PUT", path: "/user-svc/permits", as: "alice", body: { permits: [{ permission: "alice-svc:x", slugs: ["alice"] }] }, status: 403, code: "user.permission_not_owned" },
  { name: "a user cannot grant user-svc permissions", method: "PUT", path: "/user-svc/permits", as: "bob", body: { permits: [{ permission: "user-svc:user:view", slugs: ["bob"] }] }, status: 403, code: "user.permission_not_owned" },
  { name: "a permit needs a permission", method: "PUT", path: "/user-svc/permits", as: "alice", body: { permits: [{ slugs: ["bob"] }] }, status: 400, code: "user.permission_missing" },
  { name: "at most 500 permissions per save", method: "PUT", path: "/user-svc/permits", as: "alice", body: { permits: Array.from({ length: 6 }, (_, i) => ({ permissions: Array.from({ length: 100 }, (_, j) => `alice:p${i}-${j}`), slugs: ["bob"] })) }, status: 400, code: "user.too_many_permits" },
  { name: "permits must be a list", method: "PUT", path: "/user-svc/permits", as: "alice", body: { permits: "x" }, status: 400, code: "http.invalid_request" },
  { name: "save permits without a token", method: "PUT", path: "/user-svc/permits", body: { permits: [] }, status: 401 },
  { name: "admins list permits", setup: grantPetRead, method: "POST", path: "/user-svc/permits", as: "admin", body: { permission: "alice:pet:read" }, status: 200, check: ({ body: b }) => { expect(b.permits.length).toBe(1); expect(b.permits[0].slugs).toEqual(["bob"]); } },
  { name: "list permits by slug", setup: grantPetRead, method: "POST", path: "/user-svc/permits", as: "admin", body: { slug: "bob" }, status: 200, check: ({ body: b }) => expect(b.permits.map((p: any) => p.permission)).toEqual(["alice:pet:read"]) },
  { name: "users cannot list permits", method: "POST", path: "/user-svc/permits", as: "alice", body: {}, status: 403, code: "auth.permission_denied" },
  { name: "bob has the permission", setup: grantPetRead, method: "POST", path: "/user-svc/self/has/alice%3Apet%3Aread", as: "bob", status: 200, check: ({ body: b }) => { expect(b.authorized).toBe(true); expect(b.user.slug).toBe("bob"); expect(b.app.host).toBe(APP); } },
  { name: "alice does not (200, authorized false)", setup: grantPetRead, method: "POST", path: "/user-svc/self/has/alice:pet:read", as: "alice", status: 200, check: ({ body: b }) => expect(b.authorized).toBe(false) },
  { name: "admins hold user-svc permissions", method: "POST", path: "/user-svc/self/has/user-svc:user:view", as: "admin", status: 200, check: ({ body: b }) => expect(b.authorized).toBe(true) },
  { name: "has-permission without a token", method: "POST", path: "/user-svc/self/has/alice:pet:read", status: 401 },
  { name: "permissions of the caller's roles", method: "POST", path: "/user-svc/permissions", as: "alice", status: 200, check: ({ body: b }) => expect(b.permissions).toContain("user-svc:user:password-change") },
  { name: "permissions of a role not held", method: "POST", path: "/user-svc/permissions", as: "alice", body: { roles: ["user-svc:admin"] }, status: 403, code: "user.role_not_held" },
]);

runScenarios("enrolls", userFixture(), [
  { name: "alice enrolls bob in her role", method: "PUT", path: "/user-svc/enrolls", as: "alice", body: (c) => ({ enrolls: [{ role: "alice:pro", userId: c.ids.bob }] }), status: 200, check: ({ body: b }) => expect(b.enrolls).toEqual([]) },
  { name: "and a future user by contact", method: "PUT", path: "/user-svc/enrolls", as: "alice", body: { enrolls: [{ id: "enr-fixed", role: "alice:pro", contactId: "Future+1@Example.com" }] }, status: 200, check: ({ body: b }) => expect(b.enrolls[0]).toMatchObject({ id: "enr-fixed", contactId: "future@example.com", role: "alice:pro" }) },
  { name: "bob's next login carries the role", setup: enrollBob, ...login("bob"), status: 200, check: ({ body: b }) => expect(b.token.token).toBeString() },
  // Pending enrolls wait for a verified contact (test/user/otp.test.ts registers with a code and gets the role).
  { name: "registering the contact unverified does not get the role", setup: enrollFuture, method: "POST", path: "/user-svc/register", body: { appHost: APP, slug: "future", password: "future-password", contact: { id: "future@example.com", platform: "email" } }, status: 200, check: ({ body: b }) => expect(JSON.parse(Buffer.from(b.token.token.split(".")[1], "base64url").toString())["1ro"]).toEqual(["user-svc:user"]) },
  { name: "bob cannot overwrite alice's enroll through its id", setup: enrollFuture, method: "PUT", path: "/user-svc/enrolls", as: "bob", body: { enrolls: [{ id: "enr-fixed", role: "bob:x", contactId: "bob-friend@example.com" }] }, status: 403, code: "user.role_not_owned" },
  { name: "alice's enroll is untouched", setup: [enrollFuture, bobTriesAlicesEnroll], method: "POST", path: "/user-svc/enrolls", as: "admin", body: { contactId: "future@example.com" }, status: 200, check: ({ body: b }) => expect(b.enrolls.map((e: any) => [e.id, e.role])).toEqual([["enr-fixed", "alice:pro"]]) },
  { name: "bob cannot enroll in alice's role", method: "PUT", path: "/user-svc/enrolls", as: "bob", body: (c) => ({ enrolls: [{ role: "alice:pro", userId: c.ids.bob }] }), status: 403, code: "user.role_not_owned" },
  { name: "an unknown user", method: "PUT", path: "/user-svc/enrolls", as: "alice", body: { enrolls: [{ role: "alice:pro", userId: "usr-nope" }] }, status: 404, code: "user.user_not_found" },
  { name: "no target", method: "PUT", path: "/user-svc/enrolls", as: "alice", body: { enrolls: [{ role: "alice:pro" }] }, status: 400, code: "user.enroll_target_missing" },
  { name: "an empty list", method: "PUT", path: "/user-svc/enrolls", as: "alice", body: { enrolls: [] }, status: 400 },
  { name: "an enroll id bound to another app", setup: enrollFuture, method: "PUT", path: "/user-svc/enrolls", as: "alice", body: { enrolls: [{ id: "enr-fixed", appHost: "*", role: "alice:pro", contactId: "x@y.z" }] }, status: 409, code: "user.enroll_conflict" },
  { name: "list by role", setup: [enrollBob, enrollFuture], method: "POST", path: "/user-svc/enrolls", as: "alice", body: { role: "alice:pro" }, status: 200, check: ({ body: b }) => expect(b.enrolls.length).toBe(2) },
  { name: "list needs a filter", method: "POST", path: "/user-svc/enrolls", as: "alice", body: {}, status: 400, code: "user.filter_missing" },
  { name: "list a role not owned", method: "POST", path: "/user-svc/enrolls", as: "bob", body: { role: "alice:pro" }, status: 403, code: "user.role_not_owned" },
  { name: "list another user's enrolls", method: "POST", path: "/user-svc/enrolls", as: "bob", body: (c) => ({ userId: c.ids.alice }), status: 403 },
  { name: "delete an enroll not owned", setup: enrollFuture, method: "DELETE", path: "/user-svc/enrolls", as: "bob", body: { ids: ["enr-fixed"] }, status: 403, code: "user.role_not_owned" },
  { name: "delete an unknown enroll", method: "DELETE", path: "/user-svc/enrolls", as: "alice", body: { ids: ["enr-nope"] }, status: 404, code: "user.enroll_not_found" },
  { name: "delete an enroll", setup: enrollFuture, method: "DELETE", path: "/user-svc/enrolls", as: "alice", body: { ids: ["enr-fixed"] }, status: 200 },
  { name: "it is gone", setup: [enrollFuture, deleteFuture], method: "POST", path: "/user-svc/enrolls", as: "admin", body: { contactId: "future@example.com" }, status: 200, check: ({ body: b }) => expect(b.enrolls).toEqual([]) },
]);

runScenarios("apps", userFixture(), [
  { name: "a filtered list needs no token", method: "POST", path: "/user-svc/apps", body: { host: [APP] }, status: 200, check: ({ body: b }, c) => expect(b.apps).toEqual([{ id: c.ids.app, host: APP }]) },
  { name: "an unfiltered list needs a token", method: "POST", path: "/user-svc/apps", body: {}, status: 401 },
  { name: "and the multi-view permission", method: "POST", path: "/user-svc/apps", as: "alice", body: {}, status: 403 },
  { name: "admins list every app", method: "POST", path: "/user-svc/apps", as: "admin", body: {}, status: 200, check: ({ body: b }) => expect(b.apps.map((a: any) => a.host).sort()).toEqual([APP, "unnamed"]) },
  { name: "read-or-create an app", method: "POST", path: "/user-svc/app", as: "alice", body: { host: "shoes.com" }, status: 200, check: ({ body: b }) => expect(b.app.host).toBe("shoes.com") },
  { name: "read app without a host", method: "POST", path: "/user-svc/app", as: "alice", body: { host: "" }, status: 400, code: "user.host_missing" },
  { name: "rename an app: not an admin", method: "PUT", path: "/user-svc/app", as: "alice", body: (c) => ({ id: c.ids.app, newHost: "x.com" }), status: 403 },
  { name: "rename an unknown app", method: "PUT", path: "/user-svc/app", as: "admin", body: { id: "app-nope", newHost: "x.com" }, status: 404, code: "user.app_not_found" },
  { name: "rename onto a taken host", setup: createShoesApp, method: "PUT", path: "/user-svc/app", as: "admin", body: (c) => ({ id: c.ids.app, newHost: "shoes.com" }), status: 409, code: "user.host_taken" },
  { name: "rename an app", method: "PUT", path: "/user-svc/app", as: "admin", body: (c) => ({ id: c.ids.app, newHost: "renamed.app" }), status: 200 },
  { name: "the renamed app is found by its new host", setup: renameApp, method: "POST", path: "/user-svc/apps", body: { host: ["renamed.app"] }, status: 200, check: ({ body: b }, c) => expect(b.apps[0].id).toBe(c.ids.app) },
]);

runScenarios("not available yet", userFixture(), [
  // TOTP itself: test/user/totp.test.ts. Without OB_ENCRYPTION_KEY its secrets cannot be stored, so it cannot be set up.
  { name: "TOTP setup without OB_ENCRYPTION_KEY", method: "POST", path: "/user-svc/totp/setup", as: "alice", status: 503, code: "user.encryption_key_missing", check: ({ body: b }) => expect(b.error).toContain("OB_ENCRYPTION_KEY") },
  { name: "TOTP enable without OB_ENCRYPTION_KEY", method: "POST", path: "/user-svc/totp/enable", as: "alice", body: { code: "123456" }, status: 503, code: "user.encryption_key_missing" },
  { name: "TOTP disable: not enabled", method: "DELETE", path: "/user-svc/totp", as: "alice", body: { code: "123456", password: "alice-password" }, status: 404, code: "user.totp_not_enabled" },
  { name: "TOTP status", method: "POST", path: "/user-svc/totp/status", body: { email: "a@b.c" }, status: 200, check: ({ body: b }) => expect(b).toEqual({ totpEnabled: false }) },
  { name: "TOTP QR of no setup", method: "GET", path: "/user-svc/totp/setup/totp-1/qr.png", as: "alice", status: 404, code: "user.totp_setup_not_found" },
  { name: "send OTP", method: "POST", path: "/user-svc/otp/send", body: { appHost: APP, contactId: "a@b.c", contactPlatform: "email" }, status: 501, code: "user.mail_not_configured", check: ({ body: b }) => expect(b.error).toContain("OB_SMTP_URL") },
  { name: "contact-auth login (no OB_OIDC_CONFIG: no providers)", method: "POST", path: "/user-svc/auth/google/login", body: { appHost: APP, idToken: "x" }, status: 404, code: "user.auth_provider_not_found" },
  { name: "contact-auth start (no providers)", method: "GET", path: "/user-svc/auth/google/start?appHost=x", status: 404, code: "user.auth_provider_not_found" },
  { name: "contact-auth callback (no providers)", method: "GET", path: "/user-svc/auth/google/callback?code=c&state=s", status: 404, code: "user.auth_provider_not_found" },
  { name: "providers", method: "GET", path: "/user-svc/auth/providers?appHost=x", status: 200, check: ({ body: b }) => expect(b).toEqual({ providers: [] }) },
  { name: "OIDC providers", method: "GET", path: "/user-svc/oidc/providers?appHost=x", status: 200, check: ({ body: b }) => expect(b).toEqual({ providers: [] }) },
]);

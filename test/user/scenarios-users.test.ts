/** Scenario tables: self-service, passwords and user administration (the last admin, revocation on delete). */
import { expect } from "bun:test";
import { runScenarios } from "../helpers/scenario";
import { userFixture, type UserApp } from "./fixture";

const APP = "test.app";

const aliceSavesName = (c: UserApp) => c.step("PUT", "/user-svc/self", { as: "alice", body: { name: "Alice 🦊 \u200f", labels: { a: "1" } } });
const aliceAddsLabel = (c: UserApp) => c.step("PUT", "/user-svc/self", { as: "alice", body: { labels: { b: "2" } } });
const aliceChangesPassword = (c: UserApp) =>
  c.step("POST", "/user-svc/change-password", { as: "alice", body: { currentPassword: "alice-password", newPassword: "alice-password-2" } });
const resetBobsPassword = (c: UserApp) => c.step("POST", `/user-svc/${c.ids.bob}/reset-password`, { as: "admin", body: { newPassword: "reset-password" } });
/** The admin creates `made` (id `usr-fixed`, role `made:role`, contact made@example.com). */
const createMade = (c: UserApp) =>
  c.step("POST", "/user-svc/user", {
    as: "admin",
    body: { appHost: APP, user: { id: "usr-fixed", slug: "made", name: "Made" }, password: "made-password", roleIds: ["made:role"], contacts: [{ id: "made@example.com", platform: "email" }] },
  });
const renameMade = (c: UserApp) => c.step("PUT", "/user-svc/user/usr-fixed", { as: "admin", body: { name: "Renamed" } });
const deleteMade = (c: UserApp) => c.step("DELETE", "/user-svc/user/usr-fixed", { as: "admin" });
const pendingAdminEnroll = (c: UserApp) =>
  c.step("PUT", "/user-svc/enrolls", { as: "admin", body: { enrolls: [{ role: "user-svc:admin", contactId: "next-admin@example.com" }] } });
const deleteBob = (c: UserApp) => c.step("DELETE", `/user-svc/user/${c.ids.bob}`, { as: "admin" });

runScenarios("self and passwords", userFixture(), [
  { name: "read self", method: "POST", path: "/user-svc/self", as: "alice", body: { countTokens: true }, status: 200, check: ({ body: b }) => { expect(b.user.slug).toBe("alice"); expect(b.tokenCount).toBe(1); expect(b.roles).toEqual(["user-svc:user"]); } },
  { name: "read self without a token", method: "POST", path: "/user-svc/self", status: 401, code: "user.missing_token" },
  { name: "save self", method: "PUT", path: "/user-svc/self", as: "alice", body: { name: "Alice 🦊 \u200f", labels: { a: "1" } }, status: 200 },
  { name: "labels merge", setup: aliceSavesName, method: "PUT", path: "/user-svc/self", as: "alice", body: { labels: { b: "2" } }, status: 200 },
  { name: "saved name and labels read back", setup: [aliceSavesName, aliceAddsLabel], method: "POST", path: "/user-svc/self", as: "alice", status: 200, check: ({ body: b }) => expect(b.user).toMatchObject({ name: "Alice 🦊 \u200f", labels: { a: "1", b: "2" } }) },
  { name: "save self with a wrong type", method: "PUT", path: "/user-svc/self", as: "alice", body: { labels: ["x"] }, status: 400, code: "http.invalid_request" },
  { name: "change password: wrong current", method: "POST", path: "/user-svc/change-password", as: "alice", body: { currentPassword: "wrong-password", newPassword: "another-password" }, status: 400, code: "user.wrong_password" },
  { name: "change password: too short", method: "POST", path: "/user-svc/change-password", as: "alice", body: { currentPassword: "alice-password", newPassword: "short" }, status: 400, code: "user.password_too_short" },
  { name: "change password: missing field", method: "POST", path: "/user-svc/change-password", as: "alice", body: { currentPassword: "alice-password" }, status: 400, code: "http.invalid_request" },
  { name: "change password", method: "POST", path: "/user-svc/change-password", as: "alice", body: { currentPassword: "alice-password", newPassword: "alice-password-2" }, status: 200 },
  { name: "login with the new password", setup: aliceChangesPassword, method: "POST", path: "/user-svc/login", body: { appHost: APP, slug: "alice", password: "alice-password-2" }, status: 200 },
  { name: "change password without a token", method: "POST", path: "/user-svc/change-password", body: { currentPassword: "a", newPassword: "b" }, status: 401 },
  { name: "reset password: not an admin", method: "POST", path: (c) => `/user-svc/${c.ids.bob}/reset-password`, as: "alice", body: { newPassword: "reset-password" }, status: 403, code: "auth.permission_denied" },
  { name: "reset password: unknown user", method: "POST", path: "/user-svc/usr-nope/reset-password", as: "admin", body: { newPassword: "reset-password" }, status: 404, code: "user.user_not_found" },
  { name: "reset password: too short", method: "POST", path: (c) => `/user-svc/${c.ids.bob}/reset-password`, as: "admin", body: { newPassword: "short" }, status: 400 },
  { name: "reset password", method: "POST", path: (c) => `/user-svc/${c.ids.bob}/reset-password`, as: "admin", body: { newPassword: "reset-password" }, status: 200 },
  { name: "bob logs in with the reset password", setup: resetBobsPassword, method: "POST", path: "/user-svc/login", body: { appHost: APP, slug: "bob", password: "reset-password" }, status: 200 },
]);

runScenarios("user administration", userFixture(), [
  { name: "create user", method: "POST", path: "/user-svc/user", as: "admin", body: { appHost: APP, user: { id: "usr-fixed", slug: "made", name: "Made" }, password: "made-password", roleIds: ["made:role"], contacts: [{ id: "made@example.com", platform: "email" }] }, status: 200 },
  { name: "created user logs in with its role", setup: createMade, method: "POST", path: "/user-svc/login", body: { appHost: APP, slug: "made", password: "made-password" }, status: 200, check: ({ body: b }) => expect(b.token.userId).toBe("usr-fixed") },
  { name: "create user: not an admin", method: "POST", path: "/user-svc/user", as: "alice", body: { user: { slug: "x1" } }, status: 403 },
  { name: "create user: no token", method: "POST", path: "/user-svc/user", body: { user: { slug: "x1" } }, status: 401 },
  { name: "create user: slug taken", setup: createMade, method: "POST", path: "/user-svc/user", as: "admin", body: { user: { slug: "made" } }, status: 409, code: "user.slug_taken" },
  { name: "create user: id taken", setup: createMade, method: "POST", path: "/user-svc/user", as: "admin", body: { user: { id: "usr-fixed", slug: "made-2" } }, status: 409, code: "user.id_taken" },
  { name: "create user: reserved slug", method: "POST", path: "/user-svc/user", as: "admin", body: { user: { slug: "health" } }, status: 409, code: "user.slug_reserved" },
  { name: "create user: bad slug", method: "POST", path: "/user-svc/user", as: "admin", body: { user: { slug: "-bad-" } }, status: 400, code: "http.invalid_request" },
  { name: "save user", setup: createMade, method: "PUT", path: "/user-svc/user/usr-fixed", as: "admin", body: { name: "Renamed" }, status: 200 },
  { name: "save user: unknown", method: "PUT", path: "/user-svc/user/usr-nope", as: "admin", body: { name: "X" }, status: 404, code: "user.user_not_found" },
  { name: "save user: not an admin", setup: createMade, method: "PUT", path: "/user-svc/user/usr-fixed", as: "alice", body: { name: "X" }, status: 403 },
  { name: "list users", setup: createMade, method: "POST", path: "/user-svc/users", as: "admin", body: { count: true, order: "asc" }, status: 200, check: ({ body: b }) => { expect(b.count).toBe(4); expect(b.users.map((u: any) => u.slug)).toEqual(["1backend", "alice", "bob", "made"]); } },
  {
    name: "list users: limit and cursor",
    setup: createMade,
    method: "POST",
    path: "/user-svc/users",
    as: "admin",
    body: { limit: 2, order: "asc" },
    status: 200,
    check: async ({ body: b }, c) => {
      expect(b.users.map((u: any) => u.slug)).toEqual(["1backend", "alice"]);
      const next = await c.json("POST", "/user-svc/users", { token: c.tokens.admin, body: { limit: 2, order: "asc", afterTime: b.after } });
      // Not ["bob", "made"] exactly: the cursor is a time, so a user created in alice's millisecond is skipped.
      expect(next.body.users.map((u: any) => u.slug)).toContain("made");
      expect(next.body.users.map((u: any) => u.slug)).not.toContain("alice");
    },
  },
  { name: "list users: ids [] matches nothing", method: "POST", path: "/user-svc/users", as: "admin", body: { ids: [] }, status: 200, check: ({ body: b }) => expect(b.users).toEqual([]) },
  { name: "list users: by search", setup: [createMade, renameMade], method: "POST", path: "/user-svc/users", as: "admin", body: { search: "Renamed" }, status: 200, check: ({ body: b }) => expect(b.users.map((u: any) => u.id)).toEqual(["usr-fixed"]) },
  { name: "list users: by contact, as a plain user", setup: createMade, method: "POST", path: "/user-svc/users", as: "alice", body: { contactId: "made@example.com" }, status: 200, check: ({ body: b }) => expect(b.users[0].contactIds).toEqual(["made@example.com"]) },
  { name: "list users: not an admin", method: "POST", path: "/user-svc/users", as: "alice", status: 403, code: "auth.permission_denied" },
  { name: "list users: bad limit", method: "POST", path: "/user-svc/users", as: "admin", body: { limit: -1 }, status: 400, code: "http.invalid_request" },
  { name: "delete user: not an admin", setup: createMade, method: "DELETE", path: "/user-svc/user/usr-fixed", as: "alice", status: 403 },
  { name: "delete user: unknown", method: "DELETE", path: "/user-svc/user/usr-nope", as: "admin", status: 404 },
  { name: "delete user", setup: createMade, method: "DELETE", path: "/user-svc/user/usr-fixed", as: "admin", status: 200 },
  { name: "the deleted user cannot log in", setup: [createMade, deleteMade], method: "POST", path: "/user-svc/login", body: { appHost: APP, slug: "made", password: "made-password" }, status: 401 },
  { name: "a pending admin enroll (a contact, nobody yet)", method: "PUT", path: "/user-svc/enrolls", as: "admin", body: { enrolls: [{ role: "user-svc:admin", contactId: "next-admin@example.com" }] }, status: 200 },
  {
    name: "delete user: the last admin is kept",
    setup: pendingAdminEnroll,
    method: "POST",
    path: "/user-svc/users",
    as: "admin",
    body: { search: "1backend" },
    status: 200,
    check: async ({ body: b }, c) => {
      const r = await c.json("DELETE", `/user-svc/user/${b.users[0].id}`, { token: c.tokens.admin });
      expect(r.status).toBe(409);
      expect(r.body.code).toBe("user.last_admin");
      const enrolls = await c.json("POST", "/user-svc/enrolls", { token: c.tokens.admin, body: { role: "user-svc:admin", userId: b.users[0].id } });
      const unenroll = await c.json("DELETE", "/user-svc/enrolls", { token: c.tokens.admin, body: { ids: enrolls.body.enrolls.map((e: any) => e.id) } });
      expect(unenroll).toMatchObject({ status: 409, body: { code: "user.last_admin" } });
    },
  },
  { name: "deleting a user revokes its tokens at once", method: "DELETE", path: (c) => `/user-svc/user/${c.ids.bob}`, as: "admin", status: 200 },
  { name: "bob's token is refused", setup: deleteBob, method: "POST", path: "/user-svc/self", as: "bob", status: 401 },
]);

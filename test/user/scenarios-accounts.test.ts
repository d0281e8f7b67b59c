/** Scenario tables: register, login, the login limiter, refresh, exchange and revoke. */
import { expect } from "bun:test";
import { runScenarios } from "../helpers/scenario";
import { userFixture, type UserApp } from "./fixture";
import { claimsOf } from "./helpers";

const APP = "test.app";

const erinRegisters = (c: UserApp) =>
  c.step("POST", "/user-svc/register", { body: { appHost: APP, slug: "erin", password: "erin-password", contact: { id: "Carol+x@Example.com", platform: "email" } } });
/** A login with a wrong password, by slug or contact: 401, and counted by the limiter. */
const failedLogin = (who: { slug: string } | { contact: { id: string } }) => (c: UserApp) =>
  c.step("POST", "/user-svc/login", { body: { appHost: APP, ...who, password: "wrong-password" }, status: 401 });
const aliceIsLimited = (c: UserApp) => c.step("POST", "/user-svc/login", { body: { appHost: APP, slug: "alice", password: "alice-password" }, status: 429 });
const carolRegisters = (c: UserApp) =>
  c.step("POST", "/user-svc/register", { body: { appHost: APP, slug: "carol", password: "carol-password", contact: { id: "carol@example.com", platform: "email" } } });
const revokeBobsTokens = (c: UserApp) => c.step("DELETE", "/user-svc/tokens", { as: "admin", body: { userId: c.ids.bob } });
const aliceRevokesNoDevice = (c: UserApp) => c.step("DELETE", "/user-svc/tokens", { as: "alice", body: { device: "nonexistent" } });

runScenarios("register", userFixture(), [
  { name: "a new slug gets a token", method: "POST", path: "/user-svc/register", body: { appHost: APP, slug: "carol", password: "carol-password" }, status: 200, check: ({ body: b }) => expect(claimsOf(b.token.token)["1sl"]).toBe("carol") },
  { name: "uppercase slug", method: "POST", path: "/user-svc/register", body: { appHost: APP, slug: "Carol", password: "carol-password" }, status: 400, code: "http.invalid_request" },
  { name: "missing slug", method: "POST", path: "/user-svc/register", body: { appHost: APP, password: "carol-password" }, status: 400, code: "http.invalid_request" },
  { name: "empty appHost", method: "POST", path: "/user-svc/register", body: { appHost: "", slug: "dave", password: "dave-password" }, status: 400, code: "user.app_host_missing" },
  { name: "short password", method: "POST", path: "/user-svc/register", body: { appHost: APP, slug: "dave", password: "short" }, status: 400, code: "user.password_too_short" },
  { name: "slug taken", method: "POST", path: "/user-svc/register", body: { appHost: "other.app", slug: "alice", password: "alice-password" }, status: 409, code: "user.slug_taken" },
  { name: "reserved slug", method: "POST", path: "/user-svc/register", body: { appHost: APP, slug: "user-svc", password: "long-password" }, status: 409, code: "user.slug_reserved" },
  { name: "contact taken", method: "POST", path: "/user-svc/register", body: { appHost: APP, slug: "erin", password: "erin-password", contact: { id: "Carol+x@Example.com", platform: "email" } }, status: 200 },
  { name: "contact taken after normalisation", setup: erinRegisters, method: "POST", path: "/user-svc/register", body: { appHost: APP, slug: "frank", password: "frank-password", contact: { id: "carol@example.com", platform: "email" } }, status: 409, code: "user.contact_taken" },
  { name: "a one-time code nobody sent", method: "POST", path: "/user-svc/register", body: { appHost: APP, slug: "gina", contact: { id: "g@x.com", platform: "email", otpId: "otp-1", otpCode: "123456" } }, status: 401, code: "user.otp_not_found" },
]);

runScenarios("login", userFixture(), [
  { name: "slug and password", method: "POST", path: "/user-svc/login", body: { appHost: APP, slug: "alice", password: "alice-password" }, status: 200, check: ({ body: b }, c) => expect(b.token.userId).toBe(c.ids.alice!) },
  { name: "reuses the device's active token", method: "POST", path: "/user-svc/login", body: { appHost: APP, slug: "alice", password: "alice-password" }, status: 200, check: ({ body: b }, c) => expect(b.token.token).toBe(c.tokens.alice) },
  { name: "another device gets another token", method: "POST", path: "/user-svc/login", body: { appHost: APP, slug: "alice", password: "alice-password", device: "phone" }, status: 200, check: ({ body: b }, c) => expect(b.token.token).not.toBe(c.tokens.alice) },
  { name: "wrong password", method: "POST", path: "/user-svc/login", body: { appHost: APP, slug: "alice", password: "nope-nope" }, status: 401, code: "user.invalid_credentials" },
  { name: "unknown slug answers like a wrong password", method: "POST", path: "/user-svc/login", body: { appHost: APP, slug: "nobody", password: "nope-nope" }, status: 401, code: "user.invalid_credentials", check: ({ body: b }) => expect(b.error).toBe("invalid slug, contact or password") },
  { name: "no password", method: "POST", path: "/user-svc/login", body: { appHost: APP, slug: "alice" }, status: 400, code: "user.password_missing" },
  { name: "no slug or contact", method: "POST", path: "/user-svc/login", body: { appHost: APP, password: "alice-password" }, status: 400, code: "user.credentials_missing" },
  { name: "missing appHost", method: "POST", path: "/user-svc/login", body: { slug: "alice", password: "alice-password" }, status: 400, code: "http.invalid_request" },
]);

runScenarios(
  "login rate limit",
  userFixture({ env: { OB_LOGIN_LIMIT_PER_SLUG: "2" } }),
  [
    { name: "attempt 1", method: "POST", path: "/user-svc/login", body: { appHost: APP, slug: "alice", password: "wrong-password" }, status: 401 },
    { name: "attempt 2", setup: failedLogin({ slug: "alice" }), method: "POST", path: "/user-svc/login", body: { appHost: APP, slug: "alice", password: "wrong-password" }, status: 401 },
    {
      name: "attempt 3, past the per-slug bound, is limited for the client that failed, even with the right password",
      setup: [failedLogin({ slug: "alice" }), failedLogin({ slug: "alice" })],
      method: "POST",
      path: "/user-svc/login",
      body: { appHost: APP, slug: "alice", password: "alice-password" },
      status: 429,
      code: "user.too_many_logins",
      check: ({ headers: h }) => expect(Number(h.get("retry-after"))).toBeWithin(1, 61),
    },
    { name: "another slug is not limited", setup: [failedLogin({ slug: "alice" }), failedLogin({ slug: "alice" }), aliceIsLimited], method: "POST", path: "/user-svc/login", body: { appHost: APP, slug: "bob", password: "bob-password" }, status: 200 },
    { name: "carol registers with a contact", method: "POST", path: "/user-svc/register", body: { appHost: APP, slug: "carol", password: "carol-password", contact: { id: "carol@example.com", platform: "email" } }, status: 200 },
    { name: "carol: a wrong password by slug", setup: carolRegisters, method: "POST", path: "/user-svc/login", body: { appHost: APP, slug: "carol", password: "wrong-password" }, status: 401 },
    { name: "carol: a wrong password by contact", setup: [carolRegisters, failedLogin({ slug: "carol" })], method: "POST", path: "/user-svc/login", body: { appHost: APP, contact: { id: "Carol@Example.com" }, password: "wrong-password" }, status: 401 },
    { name: "slug and contact share the account's budget", setup: [carolRegisters, failedLogin({ slug: "carol" }), failedLogin({ contact: { id: "Carol@Example.com" } })], method: "POST", path: "/user-svc/login", body: { appHost: APP, slug: "carol", password: "carol-password" }, status: 429, code: "user.too_many_logins" },
  ],
);

runScenarios("refresh-token, exchange, revoke", userFixture(), [
  { name: "refresh mints a successor", method: "POST", path: "/user-svc/refresh-token", as: "alice", status: 200, check: ({ body: b }, c) => expect(b.token.token).not.toBe(c.tokens.alice) },
  { name: "refresh without a token", method: "POST", path: "/user-svc/refresh-token", status: 401, code: "user.missing_token" },
  { name: "refresh of garbage", method: "POST", path: "/user-svc/refresh-token", headers: { authorization: "Bearer x.y.z" }, status: 401, code: "user.invalid_token" },
  { name: "exchange into another app", method: "PUT", path: "/user-svc/token/exchange", as: "alice", body: { newAppHost: "shoes.com" }, status: 200, check: ({ body: b }) => expect(b.token.app.host).toBe("shoes.com") },
  { name: "exchange without a target", method: "PUT", path: "/user-svc/token/exchange", as: "alice", body: {}, status: 400, code: "user.app_missing" },
  { name: "exchange into an unknown app id", method: "PUT", path: "/user-svc/token/exchange", as: "alice", body: { newAppId: "app-nope" }, status: 404, code: "user.app_not_found" },
  { name: "exchange without a token", method: "PUT", path: "/user-svc/token/exchange", body: { newAppHost: "x.com" }, status: 401, code: "user.missing_token" },
  { name: "a user cannot revoke everyone's tokens", method: "DELETE", path: "/user-svc/tokens", as: "alice", body: { allTokens: true }, status: 400, code: "user.mutually_exclusive" },
  { name: "a user cannot revoke another user's tokens", method: "DELETE", path: "/user-svc/tokens", as: "alice", body: (c) => ({ userId: c.ids.bob }), status: 403, code: "auth.permission_denied" },
  { name: "an admin must name what to revoke", method: "DELETE", path: "/user-svc/tokens", as: "admin", body: {}, status: 400, code: "user.mutually_exclusive" },
  { name: "an admin revokes bob's tokens", method: "DELETE", path: "/user-svc/tokens", as: "admin", body: (c) => ({ userId: c.ids.bob }), status: 200 },
  { name: "bob's token is refused at once", setup: revokeBobsTokens, method: "POST", path: "/user-svc/self", as: "bob", status: 401, code: "user.token_revoked" },
  { name: "refresh of a revoked token", setup: revokeBobsTokens, method: "POST", path: "/user-svc/refresh-token", as: "bob", status: 401, code: "user.token_revoked" },
  { name: "revoking one's own device is fine when it has none", method: "DELETE", path: "/user-svc/tokens", as: "alice", body: { device: "nonexistent" }, status: 200 },
  { name: "alice still works", setup: [revokeBobsTokens, aliceRevokesNoDevice], method: "POST", path: "/user-svc/self", as: "alice", status: 200 },
  { name: "revoke without a token", method: "DELETE", path: "/user-svc/tokens", status: 401, code: "user.missing_token" },
  { name: "public key", method: "GET", path: "/user-svc/public-key", status: 200, check: ({ body: b }) => expect(b.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/) },
]);

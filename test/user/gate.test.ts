/** The AuthGate as the proxy and other modules use it: upstream Authorization rewriting and permissions. */
import { expect, test } from "bun:test";
import { generateKeyPair, SignJWT } from "jose";
import { testApp } from "../helpers/app";
import { FakeClock } from "../helpers/fake-clock";
import { claimsOf, register } from "./helpers";

test("authorizationForUpstream: ours unchanged, foreign unchanged, null stays null, revoked is 401", async () => {
  await using t = await testApp();
  const gate = t.deps.user.gate;
  const u = await register(t, "alice");
  expect(await gate.authorizationForUpstream(null)).toBeNull();
  expect(await gate.authorizationForUpstream(`Bearer ${u.token}`)).toBe(`Bearer ${u.token}`);
  expect(await gate.authorizationForUpstream(u.token)).toBe(u.token);
  expect(await gate.authorizationForUpstream("Basic dXNlcjpwYXNz")).toBe("Basic dXNlcjpwYXNz");
  const foreign = await new SignJWT({ sub: "x" }).setProtectedHeader({ alg: "RS256" }).sign((await generateKeyPair("RS256")).privateKey);
  expect(await gate.authorizationForUpstream(`Bearer ${foreign}`)).toBe(`Bearer ${foreign}`);
  expect(await gate.authorizationForUpstream("Bearer garbage")).toBe("Bearer garbage");
  await t.json("DELETE", "/user-svc/tokens", { token: u.token });
  await expect(gate.authorizationForUpstream(`Bearer ${u.token}`)).rejects.toMatchObject({ status: 401, code: "user.token_revoked" });
});

test("an expired token is refreshed once: concurrent requests share one successor", async () => {
  const clock = new FakeClock(Date.now());
  await using t = await testApp({ clock });
  const gate = t.deps.user.gate;
  const u = await register(t, "alice");
  clock.advance(10 * 60_000);
  const callers = await Promise.all(Array.from({ length: 5 }, () => gate.authenticate(`Bearer ${u.token}`)));
  expect(new Set(callers.map((c) => c.token)).size).toBe(1);
  expect(callers[0]!.token).not.toBe(u.token);
  expect(claimsOf(callers[0]!.token).exp * 1000).toBeGreaterThan(clock.now());
  const self = await t.json("POST", "/user-svc/self", { token: u.token, body: { countTokens: true } });
  expect(self.body.tokenCount).toBe(2);
});

test("hasPermission reads permits from memory and sees new grants at once; admins are flagged", async () => {
  await using t = await testApp();
  const gate = t.deps.user.gate;
  const u = await register(t, "alice");
  const caller = await gate.authenticate(`Bearer ${u.token}`);
  expect(caller.isAdmin).toBe(false);
  expect(gate.hasPermission(caller, "skeleton-svc:pet:read")).toBe(false);
  await gate.grantDefaultPermits([{ permission: "skeleton-svc:pet:read", roles: ["user-svc:user"] }]);
  expect(gate.hasPermission(caller, "skeleton-svc:pet:read")).toBe(true);
  await gate.grantDefaultPermits([{ permission: "skeleton-svc:pet:read", roles: ["user-svc:user"] }]);
  const admin = await t.json("POST", "/user-svc/login", { body: { appHost: "test.app", slug: "1backend", password: "changeme" } });
  const permits = await t.json("POST", "/user-svc/permits", { token: admin.body.token.token, body: { permission: "skeleton-svc:pet:read" } });
  expect(permits.body.permits.length).toBe(1);
  expect((await gate.authenticate(admin.body.token.token)).isAdmin).toBe(true);
});

test("a token that fails the signature check is checked once, not on every request", async () => {
  await using t = await testApp();
  // The module's one signer, which the gate verifies with.
  const signer = t.deps.user.services!.signer;
  const foreign = await new SignJWT({ sub: "x" }).setProtectedHeader({ alg: "RS256" }).sign((await generateKeyPair("RS256")).privateKey);
  let checks = 0;
  const original = signer.verify.bind(signer);
  signer.verify = (token) => {
    checks++;
    return original(token);
  };
  for (let i = 0; i < 3; i++) expect(await t.deps.user.gate.authorizationForUpstream(`Bearer ${foreign}`)).toBe(`Bearer ${foreign}`);
  expect(checks).toBe(1);
});

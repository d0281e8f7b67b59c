/** Tokens: the 1xx claims, Bearer or bare, forged/none/HS256/malformed/revoked refused, refresh of expired tokens on and off. */
import { describe, expect, test } from "bun:test";
import { CompactSign, generateKeyPair, importSPKI, SignJWT } from "jose";
import { testApp } from "../helpers/app";
import { FakeClock } from "../helpers/fake-clock";
import { claimsOf, register } from "./helpers";

const self = (t: Awaited<ReturnType<typeof testApp>>, token: string) => t.json("POST", "/user-svc/self", { token });

describe("tokens", () => {
  test("a registered user's token carries the 1xx claims and reads self, Bearer or bare", async () => {
    await using t = await testApp();
    const u = await register(t, "alice");
    const c = claimsOf(u.token);
    expect(Object.keys(c).sort()).toEqual(["1ai", "1de", "1ro", "1sl", "1ui", "exp", "iat", "jti"]);
    expect(c["1sl"]).toBe("alice");
    expect(c["1ro"]).toEqual(["user-svc:user"]);
    expect(c.exp - c.iat).toBe(300);
    expect((await self(t, u.token)).body.user.slug).toBe("alice");
    const bare = await t.json("POST", "/user-svc/self", { headers: { authorization: u.token } });
    expect(bare.status).toBe(200);
    const lowercase = await t.json("POST", "/user-svc/self", { headers: { authorization: `bearer ${u.token}` } });
    expect(lowercase.status).toBe(200);
    for (const authorization of ["Bearer", "Bearer   ", `Basic ${u.token}`]) {
      expect((await t.json("POST", "/user-svc/self", { headers: { authorization } })).body.code).toBe("user.missing_token");
    }
  });

  test("forged, alg:none, HS256-with-public-key, malformed and revoked tokens are 401", async () => {
    await using t = await testApp();
    const u = await register(t, "alice");
    const claims = claimsOf(u.token);
    const other = await generateKeyPair("RS256");
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT" }).sign(other.privateKey);
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const none = `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`;
    const pem = (await t.json("GET", "/user-svc/public-key")).body.publicKey as string;
    const hs = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(pem));
    await importSPKI(pem, "RS256");
    for (const bad of [forged, none, hs, "not-a-jwt", "a.b.c", `${u.token}x`]) {
      const r = await self(t, bad);
      expect(r.status).toBe(401);
      expect(r.body.code).toMatch(/^user\./);
    }
    expect((await t.json("DELETE", "/user-svc/tokens", { token: u.token })).status).toBe(200);
    const revoked = await self(t, u.token);
    expect(revoked.status).toBe(401);
    expect(revoked.body.code).toBe("user.token_revoked");
  });

  test("an expired token of an active session is refreshed transparently", async () => {
    const clock = new FakeClock(Date.now());
    await using t = await testApp({ clock, env: { OB_TOKEN_EXPIRATION: "1m" } });
    const u = await register(t, "alice");
    clock.advance(2 * 60_000);
    expect((await self(t, u.token)).status).toBe(200);
    const upstream = await t.deps.user.gate.authorizationForUpstream(`Bearer ${u.token}`);
    expect(upstream).not.toBe(`Bearer ${u.token}`);
    expect(claimsOf(upstream!.slice(7))["1ui"]).toBe(u.userId);
    expect(await t.deps.user.gate.authorizationForUpstream(`Bearer ${upstream!.slice(7)}`)).toBe(upstream);
  });

  test("with refresh off an expired token is refused", async () => {
    const clock = new FakeClock(Date.now());
    await using t = await testApp({ clock, env: { OB_TOKEN_EXPIRATION: "1m", OB_TOKEN_AUTO_REFRESH_OFF: "true" } });
    const u = await register(t, "alice");
    clock.advance(2 * 60_000);
    const r = await self(t, u.token);
    expect(r.status).toBe(401);
    expect(r.body.code).toBe("user.token_expired");
  });
});

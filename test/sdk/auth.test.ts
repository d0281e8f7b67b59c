import { describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { generateKeyPair, SignJWT } from "jose";
import { Authenticator, authErrorResponse, InvalidTokenError, PermissionChecker, TokenVerifier, tokenFromHeader } from "../../sdk/index.ts";
import { fake1Backend } from "./fake-1backend";

const admin = { id: "usr-admin", slug: "1backend", password: "", roles: ["user-svc:user", "user-svc:admin"] };
const plain = { id: "usr-7", slug: "alice", password: "", roles: ["user-svc:user"] };

describe("TokenVerifier", () => {
  test("returns the caller's id, slug and roles from a Bearer or bare token, fetching the key once", async () => {
    await using server = await fake1Backend();
    const verifier = new TokenVerifier(server.url);
    const token = await server.sign(admin);
    const expected = { userId: "usr-admin", slug: "1backend", roles: ["user-svc:user", "user-svc:admin"], appId: "app-1", device: "unknown", token };
    expect(await verifier.verify(`Bearer ${token}`)).toEqual(expected);
    expect(await verifier.verify(token)).toEqual(expected);
    expect(server.calls.filter((c) => c === "GET /user-svc/public-key")).toHaveLength(1);
  });

  test("rejects missing, garbage, expired and foreign-signed tokens with InvalidTokenError and the server's codes", async () => {
    await using server = await fake1Backend();
    const verifier = new TokenVerifier(server.url);
    const { privateKey } = await generateKeyPair("RS256");
    const foreign = await new SignJWT({ "1ui": "u", "1sl": "x", "1ro": [] }).setProtectedHeader({ alg: "RS256" }).setExpirationTime("5m").sign(privateKey);
    const expired = await server.sign(admin, -10);
    const codes: string[] = [];
    for (const header of [undefined, "", "Bearer ", "Bearer garbage", `Bearer ${expired}`, `Bearer ${foreign}`]) {
      const err = await verifier.verify(header).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidTokenError);
      codes.push((err as InvalidTokenError).code);
    }
    expect(codes).toEqual([...Array(3).fill("user.missing_token"), ...Array(3).fill("user.invalid_token")]);
  });

  test("tokenFromHeader accepts Bearer and bare tokens", () => {
    expect([tokenFromHeader("Bearer abc"), tokenFromHeader("abc"), tokenFromHeader("Bearer"), tokenFromHeader(null)]).toEqual(["abc", "abc", undefined, undefined]);
  });

  test("another scheme is not a token: Basic abc is refused as missing, as the server refuses it", async () => {
    expect([tokenFromHeader("Basic abc"), tokenFromHeader("basic YWxpY2U6cHc=")]).toEqual([undefined, undefined]);
    await using server = await fake1Backend();
    const refused = await new TokenVerifier(server.url).verify("Basic abc").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidTokenError);
    expect({ code: (refused as InvalidTokenError).code, message: (refused as InvalidTokenError).message }).toEqual({ code: "user.missing_token", message: "a token is required: Authorization: Bearer <token>" });
  });
});

describe("PermissionChecker", () => {
  test("asks the server, caches a yes, and answers no for revoked tokens", async () => {
    await using server = await fake1Backend();
    server.users.set("alice", plain);
    server.grants.set("alice", new Set(["my-svc:pet:view"]));
    const checker = new PermissionChecker(server.url);
    const token = await server.sign(plain);
    expect((await checker.has(token, "my-svc:pet:view")).authorized).toBe(true);
    expect((await checker.has(token, "my-svc:pet:view")).authorized).toBe(true);
    expect((await checker.has(token, "my-svc:pet:edit")).authorized).toBe(false);
    expect(server.calls.filter((c) => c.startsWith("POST /user-svc/self/has/"))).toEqual([
      "POST /user-svc/self/has/my-svc%3Apet%3Aview",
      "POST /user-svc/self/has/my-svc%3Apet%3Aedit",
    ]);
    server.revokeAll();
    expect((await checker.has(token, "my-svc:pet:edit")).authorized).toBe(false);
  });
});

describe("Authenticator", () => {
  test("guard() on a plain Bun.serve handler answers 401, 403 and the handler's response", async () => {
    await using server = await fake1Backend();
    server.users.set("alice", plain);
    const auth = new Authenticator(server.url);
    await using svc = Bun.serve({
      port: 0,
      fetch: auth.guard((_req, caller) => Response.json({ hello: caller.slug }), { permission: "my-svc:hello:view" }),
    });
    const get = async (token?: string) => {
      const r = await fetch(`http://127.0.0.1:${svc.port}/my-svc/hello`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      return { status: r.status, body: await r.json() };
    };
    expect(await get()).toEqual({ status: 401, body: { error: "a token is required: Authorization: Bearer <token>", code: "user.missing_token" } });
    expect(await get("garbage")).toEqual({ status: 401, body: { error: "the token is not valid", code: "user.invalid_token" } });
    expect(await get(await server.sign(plain))).toEqual({ status: 403, body: { error: "permission my-svc:hello:view is required", code: "auth.permission_denied" } });
    expect(await get(await server.sign(admin))).toEqual({ status: 200, body: { hello: "1backend" } });
  });

  test("works in Elysia through derive and onError", async () => {
    await using server = await fake1Backend();
    const auth = new Authenticator(server.url);
    const app = new Elysia()
      .onError(({ error }) => authErrorResponse(error))
      .derive(async ({ request }) => ({ caller: await auth.authenticate(request) }))
      .get("/my-svc/me", ({ caller }) => ({ slug: caller.slug, roles: caller.roles }));
    const call = async (headers: Record<string, string>) => {
      const r = await app.handle(new Request("http://localhost/my-svc/me", { headers }));
      return { status: r.status, body: await r.json() };
    };
    expect(await call({})).toEqual({ status: 401, body: { error: "a token is required: Authorization: Bearer <token>", code: "user.missing_token" } });
    expect(await call({ authorization: await server.sign(admin) })).toEqual({ status: 200, body: { slug: "1backend", roles: admin.roles } });
  });
});

/**
 * An OIDC ID token signs in once (contactAuthLogin, issue 14): the same token again is 401
 * `user.oidc_token_replayed`, also when two uses race, and on PostgreSQL also when the second use
 * reaches another app on the same database. Tokens come from a loopback issuer (helpers/id-token-
 * issuer.ts) and go through `@1backend/client` 0.9.18.
 */
import { describe, expect, test } from "bun:test";
import { Configuration, UserSvcApi } from "@1backend/client";
import { databaseEnv, onPostgres } from "../helpers/dialect";
import { FakeClock } from "../helpers/fake-clock";
import { idTokenIssuer, type IdTokenIssuer } from "../helpers/id-token-issuer";
import { testServer, type TestServer } from "../helpers/server";
import { tempDir } from "../helpers/temp-dir";
import { answerOf } from "../helpers/client-answer";

const APP = "test.app";
const api = (basePath: string) => new UserSvcApi(new Configuration({ basePath }));

/** 200 and the user id, or the refusal's status and code. */
async function outcome(call: Promise<{ token?: { userId?: string } }>): Promise<{ status: number; code?: string; userId?: string }> {
  const a = await answerOf(call);
  if (a.status === 200) return { status: 200, userId: a.value!.token?.userId };
  expect(a.error).toBe("the ID token was used already");
  return { status: a.status, code: a.code };
}

const signIn = (s: TestServer, idToken: string) => outcome(api(s.url).contactAuthLogin({ provider: "corp", body: { appHost: APP, idToken } }));
const REPLAYED = { status: 401, code: "user.oidc_token_replayed" };

async function oidcServer(issuer: IdTokenIssuer, folder: string, env: Record<string, string> = {}, clock?: FakeClock): Promise<TestServer> {
  return testServer({ env: { OB_OIDC_CONFIG: issuer.configFile(folder), OB_ENCRYPTION_KEY: "b".repeat(64), ...env }, ...(clock ? { clock } : {}) });
}

describe("an OIDC ID token is single use", () => {
  test("the same token twice: the second is refused; with and without jti; another token of the same user still signs in", async () => {
    await using issuer = await idTokenIssuer();
    await using dir = tempDir();
    await using s = await oidcServer(issuer, dir.path);
    const token = await issuer.mint("ann@corp.example");
    const first = await signIn(s, token);
    expect(first).toMatchObject({ status: 200, userId: expect.any(String) });
    expect(await signIn(s, token)).toEqual(REPLAYED);

    // Without jti the token itself is the key: the same one is refused, a new one (other iat) is not.
    const bare = await issuer.mint("ann@corp.example", { jti: undefined });
    expect(await signIn(s, bare)).toEqual({ status: 200, userId: first.userId });
    expect(await signIn(s, bare)).toEqual(REPLAYED);
    const later = await issuer.mint("ann@corp.example", { jti: undefined, iat: Math.floor(Date.now() / 1000) - 1 });
    expect(await signIn(s, later)).toEqual({ status: 200, userId: first.userId });

    // A jti is the token's identity: the same jti in a token re-signed with other claims is the same token.
    const jti = crypto.randomUUID();
    expect((await signIn(s, await issuer.mint("ann@corp.example", { jti }))).status).toBe(200);
    expect(await signIn(s, await issuer.mint("ann@corp.example", { jti, iat: Math.floor(Date.now() / 1000) - 2 }))).toEqual(REPLAYED);

    // The table holds hashes, never a token or a jti.
    const rows = await s.deps.database.db.select().from(s.deps.database.tables.userOidcTokens);
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(rows)).not.toContain(jti);
  });

  test("ten uses of one token at once: exactly one signs in", async () => {
    await using issuer = await idTokenIssuer();
    await using dir = tempDir();
    await using s = await oidcServer(issuer, dir.path);
    const token = await issuer.mint("ben@corp.example");
    const results = await Promise.all(Array.from({ length: 10 }, () => signIn(s, token)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status !== 200)).toEqual(Array(9).fill(REPLAYED));
  });

  test("a used token's row is swept once the token has expired (exp plus the tolerated skew)", async () => {
    const clock = new FakeClock(Date.now());
    await using issuer = await idTokenIssuer();
    await using dir = tempDir();
    await using s = await oidcServer(issuer, dir.path, {}, clock);
    const { db, tables } = s.deps.database;
    // Valid 5 minutes from the server's clock (the provider's keys check it against the real one: still ahead).
    const mint = () => issuer.mint("cat@corp.example", { exp: Math.floor(clock.now() / 1000) + 300 });
    const kept = async () => (await db.select().from(tables.userOidcTokens)).map((r) => r.expiresAt);
    expect((await signIn(s, await mint())).status).toBe(200);
    const [first] = await kept();
    clock.advance(5 * 60_000); // at its exp: still kept for the skew verification tolerates
    expect((await signIn(s, await mint())).status).toBe(200);
    expect(await kept()).toContain(first!);
    clock.advance(2 * 60_000 + 1); // past exp + skew + the sweep's minute
    expect((await signIn(s, await mint())).status).toBe(200);
    expect(await kept()).not.toContain(first!);
    expect(await kept()).toHaveLength(2); // the second and third
  });

  test.skipIf(!onPostgres)("two apps on one PostgreSQL database: a token used on one is refused by the other, and a race across them has one winner", async () => {
    await using issuer = await idTokenIssuer();
    await using dirA = tempDir();
    await using dirB = tempDir();
    await using a = await oidcServer(issuer, dirA.path);
    await using b = await oidcServer(issuer, dirB.path, databaseEnv(a.folder));
    expect(b.deps.config.dbPrefix).toBe(a.deps.config.dbPrefix);
    const token = await issuer.mint("dan@corp.example");
    expect((await signIn(a, token)).status).toBe(200);
    expect(await signIn(b, token)).toEqual(REPLAYED);

    const raced = await issuer.mint("dan@corp.example");
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => signIn(i % 2 ? a : b, raced)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status !== 200)).toEqual(Array(5).fill(REPLAYED));
  });
});

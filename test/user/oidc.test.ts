/**
 * OpenID Connect sign-in (issue 14) against a real OpenID provider on loopback: `oidc-provider`
 * (OpenID Certified) started here with one client and its dev login and consent pages, and a
 * browser-like client (fetch with a cookie jar, redirects followed by hand) that goes start →
 * provider login → consent → callback → token. The provider signs with a key this test made, so the
 * native-login rows can also mint tokens it would never issue (foreign issuer, other audience, expired,
 * unverified e-mail) and see each refused.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:http";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Configuration, UserSvcApi } from "@1backend/client";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import Provider from "oidc-provider";
import { ConfigError } from "../../src/config";
import { testConfig } from "../helpers/config";
import { testServer, type TestServer } from "../helpers/server";
import { tempDir } from "../helpers/temp-dir";
import { answerOf } from "../helpers/client-answer";

const APP = "test.app";
const CLIENT_ID = "ob-test-client";
const CLIENT_SECRET = "ob-test-client-secret-0123456789abcdef";
const RETURN_TO = "https://app.example.com/";
/** Accounts of the provider: the dev login page takes any password for a known login. */
const ACCOUNTS: Record<string, { email: string; email_verified: boolean; name: string }> = {
  ann: { email: "ann@corp.example", email_verified: true, name: "Ann Corp" },
  ben: { email: "Ben.Smith@corp.example", email_verified: true, name: "Ben" },
  eve: { email: "eve@corp.example", email_verified: false, name: "Eve" },
  cat: { email: "cat@corp.example", email_verified: true, name: "Cat" },
  dan: { email: "dan@corp.example", email_verified: true, name: "Dan" },
};

interface Issuer {
  url: string;
  server: Server;
  /** Builds the provider with its one client, whose redirect URI is the server's callback (known once the server listens). */
  serve(callback: string): Promise<void>;
  /** Signs an ID token with the provider's own key (claims as given). */
  mint(claims: Record<string, unknown>): Promise<string>;
}

let publicJwk: JWK;

/** A listening loopback server that becomes the OpenID provider at {@link Issuer.serve}. */
async function startIssuer(): Promise<Issuer> {
  let handler: (req: any, res: any) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  publicJwk = { ...(await exportJWK(publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
  const privateJwk = { ...(await exportJWK(privateKey)), kid: "test-key", alg: "RS256", use: "sig" };
  return {
    url,
    server,
    async serve(callback) {
      const provider = new Provider(url, {
        clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [callback], response_types: ["code"], grant_types: ["authorization_code"] }],
        jwks: { keys: [privateJwk] },
        findAccount: async (_ctx: unknown, id: string) => (ACCOUNTS[id] ? { accountId: id, claims: async () => ({ sub: id, ...ACCOUNTS[id] }) } : undefined),
        claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
        // Claims of the requested scopes in the ID token as well (as Google and most providers put them).
        conformIdTokenClaims: false,
        features: { devInteractions: { enabled: true } },
        pkce: { required: () => true },
        cookies: { keys: ["oidc-test-cookie-key"] },
        ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600 },
      } as any);
      handler = provider.callback();
    },
    mint: (claims) => new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "test-key" }).sign(privateKey),
  };
}

/** A browser: a cookie jar per host:port, redirects followed by hand, forms submitted as a person would. */
class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const u = new URL(url);
    const cookies = this.jar.get(u.host) ?? new Map<string, string>();
    const headers = new Headers(init.headers);
    if (cookies.size > 0) headers.set("cookie", [...cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (expired || value === "") cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(u.host, cookies);
    return res;
  }

  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name);
  }
}

/** From a start URL through the provider's login and consent to the URL of our callback (not fetched). */
async function toCallback(browser: Browser, startUrl: string, login: string, changeAuthorize?: (u: URL) => void): Promise<string> {
  const start = await browser.fetch(startUrl);
  expect(start.status).toBe(302);
  let location = start.headers.get("location")!;
  if (changeAuthorize) {
    const u = new URL(location);
    changeAuthorize(u);
    location = u.toString();
  }
  for (let hop = 0; hop < 20; hop++) {
    if (location.startsWith(s.url) && new URL(location).pathname.endsWith("/callback")) return location;
    const res = await browser.fetch(location);
    if (res.status >= 300 && res.status < 400) {
      location = new URL(res.headers.get("location")!, location).toString();
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`${res.status} at ${location}: ${html.slice(0, 600)}`);
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
    if (!form) throw new Error(`no form at ${location}: ${html.slice(0, 300)}`);
    const fields = new URLSearchParams();
    for (const input of form[2]!.matchAll(/<input[^>]*>/g)) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1];
      if (!name) continue;
      fields.set(name, /value="([^"]*)"/.exec(input[0])?.[1] ?? "");
    }
    if (fields.has("login")) {
      fields.set("login", login);
      fields.set("password", "any");
    }
    const posted = await browser.fetch(new URL(form[1]!.replaceAll("&amp;", "&"), location).toString(), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: fields });
    expect(posted.status).toBeGreaterThanOrEqual(300);
    expect(posted.status).toBeLessThan(400);
    location = new URL(posted.headers.get("location")!, location).toString();
  }
  throw new Error("too many hops");
}

const startUrl = (query: Record<string, string> = {}, provider = "corp") => `${s.url}/user-svc/auth/${provider}/start?${new URLSearchParams({ appHost: APP, ...query })}`;

/** The whole sign-in: the callback's answer (the token as JSON, or the redirect to returnTo). */
async function signIn(login: string, query: Record<string, string> = {}, browser = new Browser()): Promise<Response> {
  return browser.fetch(await toCallback(browser, startUrl(query), login));
}

const api = (token?: string) => new UserSvcApi(new Configuration({ basePath: s.url, apiKey: token }));

async function errorOf(call: Promise<unknown>): Promise<{ status: number; code: string }> {
  const a = await answerOf(call);
  if (a.status === 200) throw new Error("expected an error");
  return { status: a.status, code: a.code! };
}

async function bodyOf(res: Response): Promise<any> {
  return res.json();
}

let s: TestServer;
let issuer: Issuer;
const dir = tempDir();

beforeAll(async () => {
  issuer = await startIssuer();
  const file = join(dir.path, "oidc.json");
  writeFileSync(file, JSON.stringify({ providers: [{ id: "corp", name: "Corp SSO", issuer: issuer.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: ["openid", "email", "profile"] }], returnTo: [RETURN_TO] }));
  s = await testServer({ env: { OB_OIDC_CONFIG: file, OB_ENCRYPTION_KEY: "a".repeat(64) } });
  await issuer.serve(`${s.url}/user-svc/auth/corp/callback`);
});

afterAll(async () => {
  await s?.[Symbol.asyncDispose]();
  issuer?.server.closeAllConnections();
  await new Promise((resolve) => issuer?.server.close(resolve));
  await dir[Symbol.asyncDispose]();
});

describe("OIDC sign-in through a real OpenID provider", () => {
  test("the provider lists show exactly the configured provider (through @1backend/client)", async () => {
    const expected = { providers: [{ id: "corp", name: "Corp SSO", kind: "oidc", scopes: ["openid", "email", "profile"], startUrl: "/user-svc/auth/corp/start", loginUrl: "/user-svc/auth/corp/login" }] };
    expect(await api().listContactAuthProviders({ appHost: APP })).toEqual(expected);
    expect(await api().listOIDCContactAuthProviders({ appHost: APP })).toEqual(expected);
  });

  test("start → provider login → consent → callback → token; the user is registered with the verified e-mail", async () => {
    const browser = new Browser();
    const start = await browser.fetch(startUrl());
    const authorize = new URL(start.headers.get("location")!);
    expect(authorize.origin).toBe(issuer.url);
    const q = authorize.searchParams;
    expect([q.get("response_type"), q.get("client_id"), q.get("code_challenge_method"), q.get("redirect_uri")]).toEqual(["code", CLIENT_ID, "S256", `${s.url}/user-svc/auth/corp/callback`]);
    expect(q.get("state")!.length).toBeGreaterThan(40);
    expect(q.get("nonce")!.length).toBeGreaterThan(40);
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const setCookie = start.headers.get("set-cookie")!;
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");

    const res = await browser.fetch(await toCallback(browser, startUrl(), "ann"));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const { token } = await bodyOf(res);
    const self = await api(token.token).readSelf();
    expect(self.user.slug).toBe("ann");
    expect(self.user.name).toBe("Ann Corp");
    expect(self.contacts?.map((c) => [c.id, c.verified])).toEqual([["ann@corp.example", true]]);

    // A second sign-in finds the same user through the contact.
    const again = await bodyOf(await signIn("ann"));
    expect(again.token.userId).toBe(token.userId);
  });

  test("with returnTo on the allow-list the browser gets the token in the fragment; the slug comes from the request", async () => {
    const res = await signIn("ben", { returnTo: `${RETURN_TO}signed-in?x=1`, slug: "benny", device: "web" });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(`${location.origin}${location.pathname}${location.search}`).toBe(`${RETURN_TO}signed-in?x=1`);
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect([...fragment.keys()]).toEqual(["token", "tokenId", "userId", "appId", "expiresAt"]);
    const self = await api(fragment.get("token")!).readSelf();
    expect(self.user.slug).toBe("benny");
    expect(self.user.id).toBe(fragment.get("userId")!);
  });

  test("an existing user's unverified contact is the same user, and becomes verified", async () => {
    const reg = await api().register({ body: { appHost: APP, slug: "cat-local", password: "catPassword0", contact: { id: "cat@corp.example", platform: "email" } } });
    const { token } = await bodyOf(await signIn("cat"));
    expect(token.userId).toBe(reg.token!.userId);
    const self = await api(token.token).readSelf();
    expect(self.contacts?.map((c) => [c.id, c.verified])).toEqual([["cat@corp.example", true]]);
  });

  test("refused: a tampered state, a replayed state, a state from another browser, a wrong nonce, an unverified e-mail", async () => {
    const browser = new Browser();
    const callback = await toCallback(browser, startUrl(), "dan");
    const tampered = new URL(callback);
    const state = tampered.searchParams.get("state")!;
    tampered.searchParams.set("state", state.slice(0, 20) + (state[20] === "A" ? "B" : "A") + state.slice(21));
    expect(await errorBody(await browser.fetch(tampered.toString()))).toEqual({ status: 401, code: "user.oidc_state_invalid" });
    expect(await errorBody(await new Browser().fetch(callback))).toEqual({ status: 401, code: "user.oidc_state_invalid" });
    expect((await browser.fetch(callback)).status).toBe(200);
    expect(await errorBody(await browser.fetch(callback))).toEqual({ status: 401, code: "user.oidc_state_used" });

    const nonceBrowser = new Browser();
    const wrongNonce = await toCallback(nonceBrowser, startUrl(), "dan", (u) => u.searchParams.set("nonce", "attacker-chosen-nonce-0123456789"));
    expect(await errorBody(await nonceBrowser.fetch(wrongNonce))).toEqual({ status: 401, code: "user.oidc_token_invalid" });

    expect(await errorBody(await signIn("eve"))).toEqual({ status: 401, code: "user.oidc_email_unverified" });
  });

  test("refused: a returnTo off the allow-list, an unknown provider, a provider error, a callback without state", async () => {
    for (const returnTo of ["https://evil.example/", "https://app.example.com.evil.example/", "https://app.example.comx/", "javascript:alert(1)"]) {
      expect(await errorBody(await fetch(startUrl({ returnTo }), { redirect: "manual" }))).toEqual({ status: 400, code: "user.return_to_not_allowed" });
    }
    expect(await errorBody(await fetch(startUrl({}, "nope"), { redirect: "manual" }))).toEqual({ status: 404, code: "user.auth_provider_not_found" });
    expect(await errorBody(await fetch(`${s.url}/user-svc/auth/corp/start`, { redirect: "manual" }))).toMatchObject({ status: 400 });
    expect(await errorBody(await fetch(`${s.url}/user-svc/auth/corp/callback?error=access_denied&state=x`))).toEqual({ status: 400, code: "user.oidc_provider_refused" });
    expect(await errorBody(await fetch(`${s.url}/user-svc/auth/corp/callback?code=x`))).toEqual({ status: 400, code: "user.oidc_callback_incomplete" });
    expect(await errorBody(await fetch(`${s.url}/user-svc/auth/corp/start?appHost=${APP}&slug=Not%20A%20Slug`, { redirect: "manual" }))).toMatchObject({ status: 400 });
  });

  test("contactAuthLogin (through @1backend/client): an ID token of the provider signs in; foreign issuer, other audience, expired, unverified refused", async () => {
    const now = Math.floor(Date.now() / 1000);
    const base = { iss: issuer.url, aud: CLIENT_ID, sub: "ann", email: "ann@corp.example", email_verified: true, iat: now, exp: now + 300 };
    const ok = await api().contactAuthLogin({ provider: "corp", body: { appHost: APP, idToken: await issuer.mint(base), device: "phone" } });
    expect(ok.token?.device).toBe("phone");
    const ann = await api(ok.token!.token).readSelf();
    expect(ann.user.slug).toBe("ann");

    const refused = async (claims: Record<string, unknown>) => errorOf(api().contactAuthLogin({ provider: "corp", body: { appHost: APP, token: await issuer.mint({ ...base, ...claims }) } }));
    expect(await refused({ iss: "https://foreign.example" })).toEqual({ status: 401, code: "user.oidc_token_invalid" });
    expect(await refused({ aud: "another-client" })).toEqual({ status: 401, code: "user.oidc_token_invalid" });
    expect(await refused({ exp: now - 3600, iat: now - 7200 })).toEqual({ status: 401, code: "user.oidc_token_invalid" });
    expect(await refused({ email_verified: false })).toEqual({ status: 401, code: "user.oidc_email_unverified" });
    expect(await refused({ email_verified: "yes" })).toEqual({ status: 401, code: "user.oidc_email_unverified" });
    // Signed by a key that is not the provider's.
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT(base).setProtectedHeader({ alg: "RS256", kid: "test-key" }).sign(privateKey);
    expect(await errorOf(api().contactAuthLogin({ provider: "corp", body: { appHost: APP, idToken: forged } }))).toEqual({ status: 401, code: "user.oidc_token_invalid" });
    expect(await errorOf(api().contactAuthLogin({ provider: "corp", body: { appHost: APP } }))).toEqual({ status: 400, code: "user.oidc_token_missing" });
    expect(await errorOf(api().contactAuthLogin({ provider: "nope", body: { appHost: APP, idToken: "x" } }))).toEqual({ status: 404, code: "user.auth_provider_not_found" });
    expect(publicJwk.kid).toBe("test-key");
  });

  test("OIDC round trip (start → token), measured", async () => {
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const res = await signIn("ann");
      expect(res.status).toBe(200);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(`OIDC round trip (start → provider login → consent → callback → token), 10 runs: median ${times[5]!.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms, max ${times[9]!.toFixed(1)} ms`);
  });
});

async function errorBody(res: Response): Promise<{ status: number; code: string }> {
  const body = (await res.json()) as { code: string; error: string };
  expect(typeof body.error).toBe("string");
  return { status: res.status, code: body.code };
}

describe("OB_OIDC_CONFIG is validated at start", () => {
  const bad: [string, unknown, string][] = [
    ["not JSON", "{", "not JSON"],
    ["no providers", {}, "providers: must be an array"],
    ["issuer missing", { providers: [{ id: "a", clientId: "c", clientSecret: "s" }] }, "providers[0].issuer"],
    ["plain http issuer", { providers: [{ id: "a", issuer: "http://sso.example", clientId: "c", clientSecret: "s" }] }, "providers[0].issuer: must use https"],
    ["no client secret", { providers: [{ id: "a", issuer: "https://sso.example", clientId: "c" }] }, "providers[0].clientSecret"],
    ["bad id", { providers: [{ id: "A B", issuer: "https://sso.example", clientId: "c", clientSecret: "s" }] }, "providers[0].id"],
    ["duplicate id", { providers: [0, 1].map(() => ({ id: "a", issuer: "https://sso.example", clientId: "c", clientSecret: "s" })) }, "providers[1].id: duplicate"],
    ["scopes without email", { providers: [{ id: "a", issuer: "https://sso.example", clientId: "c", clientSecret: "s", scopes: ["openid"] }] }, "providers[0].scopes"],
    ["returnTo without a path", { providers: [], returnTo: ["https://app.example.com"] }, "returnTo[0]"],
  ];
  test.each(bad)("%s", (_name, content, message) => {
    const file = join(dir.path, `bad-${_name.replaceAll(" ", "-")}.json`);
    writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
    expect(() => testConfig(dir.path, { OB_OIDC_CONFIG: file })).toThrow(ConfigError);
    expect(() => testConfig(dir.path, { OB_OIDC_CONFIG: file })).toThrow(message);
  });

  test("a missing file stops the start naming the variable", () => {
    expect(() => testConfig(dir.path, { OB_OIDC_CONFIG: join(dir.path, "absent.json") })).toThrow("invalid OB_OIDC_CONFIG");
  });
});

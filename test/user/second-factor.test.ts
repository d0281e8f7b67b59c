/**
 * The second factor counts the same on every login path (issue 14): a wrong TOTP code is a failed
 * login at the user's account whether the first factor was a password, a one-time code by e-mail or an
 * OIDC ID token (contactAuthLogin), so repeated wrong codes end in 429 with Retry-After on each, and a
 * right code is refused too while the client is limited. Through `@1backend/client` 0.9.18 on a real
 * socket, mail through a real SMTP server on loopback, ID tokens from a loopback issuer, a test clock.
 */
import { describe, expect, test } from "bun:test";
import { Configuration, UserSvcApi } from "@1backend/client";
import { Secret, TOTP } from "otpauth";
import { FakeClock } from "../helpers/fake-clock";
import { idTokenIssuer } from "../helpers/id-token-issuer";
import { testServer, type TestServer } from "../helpers/server";
import { codeOf, smtpSink, type SmtpSink } from "../helpers/smtp-sink";
import { tempDir } from "../helpers/temp-dir";
import { answerOf } from "../helpers/client-answer";

const APP = "test.app";
const KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
/** Two failures per (account, client) a minute: the third attempt is refused. */
const LIMIT = "2";
const api = (basePath: string, token?: string) => new UserSvcApi(new Configuration({ basePath, apiKey: token }));
const codeAt = (secret: string, at: number) => new TOTP({ algorithm: "SHA1", digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp: at });
/** A code that is not the one of `secret` at any accepted step around `at`. */
const wrongAt = (secret: string, at: number) => {
  const right = new Set([-30_000, 0, 30_000].map((d) => codeAt(secret, at + d)));
  for (let n = 0; ; n++) if (!right.has(String(n).padStart(6, "0"))) return String(n).padStart(6, "0");
};

/** What a call answered: 200, or the refusal's status, code and Retry-After. */
async function outcome(call: Promise<unknown>): Promise<{ status: number; code?: string; retryAfter?: number }> {
  const a = await answerOf(call);
  if (a.status === 200) return { status: 200 };
  expect(typeof a.error).toBe("string");
  return { status: a.status, code: a.code, ...(a.retryAfter === null ? {} : { retryAfter: Number(a.retryAfter) }) };
}

/** The shape the tests compare: a 429's Retry-After is a positive number of seconds at most the window. */
const shape = (o: { status: number; code?: string; retryAfter?: number }) => ({ status: o.status, code: o.code, retryAfter: o.retryAfter === undefined ? "none" : o.retryAfter > 0 && o.retryAfter <= 60 ? "1..60 s" : String(o.retryAfter) });

/** A user with a password, an e-mail contact and TOTP on; returns its secret. */
async function withTotp(s: TestServer, clock: FakeClock, slug: string): Promise<{ password: string; secret: string; email: string }> {
  const password = `${slug}-password`;
  const email = `${slug}@example.com`;
  await api(s.url).register({ body: { appHost: APP, slug, password, contact: { id: email, platform: "email" } } });
  const user = api(s.url, (await api(s.url).login({ body: { appHost: APP, slug, password } })).token!.token!);
  const { secret } = await user.beginTOTPSetup({ body: {} });
  await user.enableTOTP({ body: { code: codeAt(secret, clock.now()) } });
  clock.advance(30_000); // the enabling code's step is used
  return { password, secret, email };
}

async function sendCode(s: TestServer, sink: SmtpSink, contactId: string): Promise<{ otpId: string; otpCode: string }> {
  const { otpId } = await api(s.url).sendOtp({ body: { appHost: APP, contactId, contactPlatform: "email" } });
  return { otpId, otpCode: codeOf(await sink.next()) };
}

const stepClock = () => new FakeClock(Math.floor(Date.now() / 30_000) * 30_000 + 5_000);

describe("a wrong TOTP code counts against the login limits on every login path", () => {
  test("password, one-time code and OIDC ID token: 401, 401, then 429 with Retry-After, also for the right code; after the window the right code signs in", async () => {
    const clock = stepClock();
    await using sink = await smtpSink();
    await using issuer = await idTokenIssuer();
    await using dir = tempDir();
    await using s = await testServer({ env: { OB_ENCRYPTION_KEY: KEY, OB_LOGIN_LIMIT_PER_SLUG_IP: LIMIT, OB_SMTP_URL: sink.url, OB_SMTP_FROM: "1Backend <no-reply@test.local>", OB_OIDC_CONFIG: issuer.configFile(dir.path) }, clock });
    const anon = api(s.url);
    const ann = await withTotp(s, clock, "ann");
    const bob = await withTotp(s, clock, "bob");
    const cat = await withTotp(s, clock, "cat");

    const byPassword = (u: typeof ann, totpCode: string) => anon.login({ body: { appHost: APP, slug: "ann", password: u.password, totpCode } });
    // One code per attempt: a code is spent once redeemed, so each wrong TOTP costs the client a mail.
    const codes = [await sendCode(s, sink, bob.email), await sendCode(s, sink, bob.email), await sendCode(s, sink, bob.email)];
    let next = 0;
    const byOtp = (totpCode: string, code = codes[next++]!) => anon.login({ body: { appHost: APP, contact: { id: bob.email, platform: "email", ...code }, totpCode } });
    const byIdToken = async (totpCode: string) => anon.contactAuthLogin({ provider: "corp", body: { appHost: APP, idToken: await issuer.mint(cat.email), totpCode } });

    const wrong = (secret: string) => wrongAt(secret, clock.now());
    const right = (secret: string) => codeAt(secret, clock.now());
    const seen: Record<string, ReturnType<typeof shape>[]> = { password: [], otp: [], oidc: [] };
    for (let i = 0; i < 3; i++) {
      seen.password!.push(shape(await outcome(byPassword(ann, wrong(ann.secret)))));
      seen.otp!.push(shape(await outcome(byOtp(wrong(bob.secret)))));
      seen.oidc!.push(shape(await outcome(byIdToken(wrong(cat.secret)))));
    }
    // While limited, the right code is refused as well (the limited OTP attempt spent no code: it is tried again).
    seen.password!.push(shape(await outcome(byPassword(ann, right(ann.secret)))));
    seen.otp!.push(shape(await outcome(byOtp(right(bob.secret), codes[2]))));
    seen.oidc!.push(shape(await outcome(byIdToken(right(cat.secret)))));
    const expected = [
      { status: 401, code: "user.totp_invalid", retryAfter: "none" },
      { status: 401, code: "user.totp_invalid", retryAfter: "none" },
      { status: 429, code: "user.too_many_logins", retryAfter: "1..60 s" },
      { status: 429, code: "user.too_many_logins", retryAfter: "1..60 s" },
    ];
    expect(seen).toEqual({ password: expected, otp: expected, oidc: expected });

    // The window over, the right code signs in on each path (the OTP path with the code the limit left unspent).
    clock.advance(61_000);
    expect((await byPassword(ann, right(ann.secret))).token?.userId).toBeString();
    expect((await byOtp(right(bob.secret), codes[2])).token?.userId).toBeString();
    expect((await byIdToken(right(cat.secret))).token?.userId).toBeString();
  });

  test("one-time code path: a missing TOTP code is refused before anything is counted or the one-time code spent", async () => {
    const clock = stepClock();
    await using sink = await smtpSink();
    await using s = await testServer({ env: { OB_ENCRYPTION_KEY: KEY, OB_LOGIN_LIMIT_PER_SLUG_IP: LIMIT, OB_SMTP_URL: sink.url, OB_SMTP_FROM: "1Backend <no-reply@test.local>" }, clock });
    const dan = await withTotp(s, clock, "dan");
    const code = await sendCode(s, sink, dan.email);
    const login = (totpCode?: string) => api(s.url).login({ body: { appHost: APP, contact: { id: dan.email, platform: "email", ...code }, totpCode } });
    for (let i = 0; i < 3; i++) expect(shape(await outcome(login()))).toEqual({ status: 401, code: "user.totp_required", retryAfter: "none" });
    expect((await login(codeAt(dan.secret, clock.now()))).token?.userId).toBeString();
    expect(await outcome(login(codeAt(dan.secret, clock.now() + 30_000)))).toMatchObject({ status: 401, code: "user.otp_used" });
  });
});

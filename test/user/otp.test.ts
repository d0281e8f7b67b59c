/**
 * One-time codes by e-mail and verified contacts (issue 14), through the real `@1backend/client`
 * 0.9.18 against a real server that mails through a real SMTP server on loopback (helpers/smtp-sink.ts).
 */
import { describe, expect, test } from "bun:test";
import { Configuration, UserSvcApi } from "@1backend/client";
import { testServer, type TestServer } from "../helpers/server";
import { codeOf, smtpSink, type SmtpSink } from "../helpers/smtp-sink";
import { FakeClock } from "../helpers/fake-clock";
import { claimsOf } from "./helpers";
import { answerOf } from "../helpers/client-answer";

const APP = "test.app";
const FROM = "1Backend <no-reply@test.local>";
const api = (basePath: string, token?: string) => new UserSvcApi(new Configuration({ basePath, apiKey: token }));

/** Status, code and Retry-After of a refused call (200 when it succeeded). */
async function refusal(call: Promise<unknown>): Promise<{ status: number; code?: string; error?: string; retryAfter?: string | null }> {
  const a = await answerOf(call);
  return a.status === 200 ? { status: 200 } : { status: a.status, code: a.code, error: a.error, retryAfter: a.retryAfter };
}

async function mailServer(sink: SmtpSink, env: Record<string, string> = {}, clock?: FakeClock): Promise<TestServer> {
  return testServer({ env: { OB_SMTP_URL: sink.url, OB_SMTP_FROM: FROM, ...env }, ...(clock ? { clock } : {}) });
}

/** sendOtp, then the code from the mail that arrived. */
async function sendCode(s: TestServer, sink: SmtpSink, contactId: string): Promise<{ otpId: string; code: string }> {
  const { otpId } = await api(s.url).sendOtp({ body: { appHost: APP, contactId, contactPlatform: "email" } });
  const message = await sink.next();
  return { otpId, code: codeOf(message) };
}

async function adminToken(s: TestServer): Promise<string> {
  return (await api(s.url).login({ body: { appHost: APP, slug: "1backend", password: "changeme" } })).token!.token!;
}

describe("sendOtp over SMTP", () => {
  test("the message arrives; the code registers its contact verified, once", async () => {
    await using sink = await smtpSink();
    await using s = await mailServer(sink);
    const { otpId } = await api(s.url).sendOtp({ body: { appHost: APP, contactId: "Alice+news@Example.com", contactPlatform: "email" } });
    expect(otpId).toMatch(/^otp-/);
    const message = await sink.next();
    expect(message.to.map((a) => a.toLowerCase())).toEqual(["alice+news@example.com"]);
    expect(message.mail.from?.value[0]?.address).toBe("no-reply@test.local");
    expect(message.mail.subject).toBe("Your one-time code");
    const code = codeOf(message);
    expect(code).toMatch(/^\d{6}$/);

    const reg = await api(s.url).register({ body: { appHost: APP, slug: "alice", password: "alice-password", contact: { platform: "email", id: "alice@example.com", otpId, otpCode: code } } });
    const self = await api(s.url, reg.token!.token).readSelf();
    expect(self.user.slug).toBe("alice");
    expect(self.contacts).toEqual([expect.objectContaining({ id: "alice@example.com", verified: true })]);
    // Single use: the same code again is refused.
    expect(await refusal(api(s.url).login({ body: { appHost: APP, contact: { platform: "email", id: "alice@example.com", otpId, otpCode: code } } }))).toMatchObject({ status: 401, code: "user.otp_used" });
    // A fresh code logs in by contact alone (the password is not needed).
    const next = await sendCode(s, sink, "alice@example.com");
    const login = await api(s.url).login({ body: { appHost: APP, contact: { platform: "email", id: "alice@example.com", otpId: next.otpId, otpCode: next.code } } });
    expect(login.token!.userId).toBe(reg.token!.userId);
  });

  test("five wrong codes use the code up; the right one is refused after", async () => {
    await using sink = await smtpSink();
    await using s = await mailServer(sink);
    const { otpId, code } = await sendCode(s, sink, "bob@example.com");
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    const reg = (otpCode: string) => api(s.url).register({ body: { appHost: APP, slug: "bob", password: "bob-password", contact: { platform: "email", id: "bob@example.com", otpId, otpCode } } });
    for (let i = 0; i < 5; i++) expect(await refusal(reg(wrong))).toMatchObject({ status: 401, code: "user.otp_invalid" });
    expect(await refusal(reg(code))).toMatchObject({ status: 401, code: "user.otp_exhausted" });
  });

  test("an expired code is refused (injected clock: 10 minutes)", async () => {
    const clock = new FakeClock(Date.now());
    await using sink = await smtpSink();
    await using s = await mailServer(sink, {}, clock);
    const first = await sendCode(s, sink, "carol@example.com");
    clock.advance(10 * 60_000);
    const reg = (c: { otpId: string; code: string }) =>
      api(s.url).register({ body: { appHost: APP, slug: "carol", password: "carol-password", contact: { platform: "email", id: "carol@example.com", otpId: c.otpId, otpCode: c.code } } });
    expect(await refusal(reg(first))).toMatchObject({ status: 401, code: "user.otp_expired" });
    const second = await sendCode(s, sink, "carol@example.com");
    clock.advance(10 * 60_000 - 1);
    expect((await reg(second)).token!.token).toBeString();
  });

  test("a code redeems only for the contact it was sent to", async () => {
    await using sink = await smtpSink();
    await using s = await mailServer(sink);
    const { otpId, code } = await sendCode(s, sink, "dave@example.com");
    const r = await refusal(api(s.url).register({ body: { appHost: APP, slug: "eve", password: "eve-password", contact: { platform: "email", id: "eve@example.com", otpId, otpCode: code } } }));
    expect(r).toMatchObject({ status: 401, code: "user.otp_not_found" });
  });

  test("sending is limited per contact (3 a minute) and per client network (10 a minute)", async () => {
    const clock = new FakeClock(Date.now());
    await using sink = await smtpSink();
    await using s = await mailServer(sink, {}, clock);
    const send = (contactId: string) => api(s.url).sendOtp({ body: { appHost: APP, contactId, contactPlatform: "email" } });
    for (let i = 0; i < 3; i++) await send("frank@example.com");
    const limited = await refusal(send("Frank+x@example.com"));
    expect(limited).toMatchObject({ status: 429, code: "user.too_many_otps" });
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    for (let i = 0; i < 6; i++) await send(`other${i}@example.com`);
    expect(await refusal(send("one-more@example.com"))).toMatchObject({ status: 429, code: "user.too_many_otps" });
    // Refused sends sent nothing: 3 + 6 messages.
    for (let i = 0; i < 9; i++) await sink.next();
    expect(sink.messages.length).toBe(9);
    clock.advance(60_000);
    await send("frank@example.com");
  });

  test("a mail server that cannot be reached: 502, and the code is not kept", async () => {
    const closed = await smtpSink();
    const url = closed.url;
    await closed[Symbol.asyncDispose]();
    await using s = await testServer({ env: { OB_SMTP_URL: url, OB_SMTP_FROM: FROM } });
    expect(await refusal(api(s.url).sendOtp({ body: { appHost: APP, contactId: "gina@example.com", contactPlatform: "email" } }))).toMatchObject({ status: 502, code: "user.mail_failed" });
  });
});

describe("without SMTP", () => {
  test("sendOtp answers 501 saying what to set", async () => {
    await using s = await testServer();
    const r = await refusal(api(s.url).sendOtp({ body: { appHost: APP, contactId: "a@b.co", contactPlatform: "email" } }));
    expect(r).toMatchObject({ status: 501, code: "user.mail_not_configured" });
    expect(r.error).toContain("OB_SMTP_URL");
    expect(r.error).toContain("OB_DEV_MAIL=log");
  });
});

describe("pending enrolls wait for a verified contact", () => {
  test("registered with a code: the role applies; without: not until the contact is verified", async () => {
    await using sink = await smtpSink();
    await using s = await mailServer(sink);
    const admin = api(s.url, await adminToken(s));
    await admin.saveEnrolls({ body: { enrolls: [{ role: "user-svc:admin", contactId: "boss@corp.com" }, { role: "user-svc:admin", contactId: "cfo@corp.com" }] } });

    // Anyone can register boss@corp.com without proving it: no admin role.
    const squatter = await api(s.url).register({ body: { appHost: APP, slug: "squatter", password: "squatter-password", contact: { platform: "email", id: "boss@corp.com" } } });
    expect(claimsOf(squatter.token!.token!)["1ro"]).toEqual(["user-svc:user"]);
    expect((await api(s.url, squatter.token!.token).readSelf()).roles).toEqual(["user-svc:user"]);

    // An enroll saved after someone registered the address unproven stays pending too (not given to them).
    const late = await api(s.url).register({ body: { appHost: APP, slug: "late", password: "late-password", contact: { platform: "email", id: "late@corp.com" } } });
    const saved = await admin.saveEnrolls({ body: { enrolls: [{ role: "user-svc:admin", contactId: "late@corp.com" }] } });
    expect(saved.enrolls.map((e) => e.contactId)).toEqual(["late@corp.com"]);
    const lateAgain = await api(s.url).login({ body: { appHost: APP, slug: "late", password: "late-password", device: "laptop" } });
    expect(lateAgain.token!.userId).toBe(late.token!.userId);
    expect(claimsOf(lateAgain.token!.token!)["1ro"]).toEqual(["user-svc:user"]);

    // The owner of cfo@corp.com registers with a code from the mailbox: the enroll applies.
    const cfoCode = await sendCode(s, sink, "cfo@corp.com");
    const cfo = await api(s.url).register({ body: { appHost: APP, slug: "cfo", password: "cfo-password", contact: { platform: "email", id: "cfo@corp.com", otpId: cfoCode.otpId, otpCode: cfoCode.code } } });
    expect(claimsOf(cfo.token!.token!)["1ro"]).toEqual(["user-svc:user", "user-svc:admin"]);

    // Verifying boss@corp.com later (a login with a code sent to it) applies it from then on.
    const bossCode = await sendCode(s, sink, "boss@corp.com");
    const verified = await api(s.url).login({ body: { appHost: APP, contact: { platform: "email", id: "boss@corp.com", otpId: bossCode.otpId, otpCode: bossCode.code } } });
    expect(verified.token!.userId).toBe(squatter.token!.userId);
    expect(claimsOf(verified.token!.token!)["1ro"]).toEqual(["user-svc:user", "user-svc:admin"]);
  });
});

describe("OB_VERIFY_CONTACTS=true", () => {
  test("register and login by contact need a code; login on an unknown verified contact registers it", async () => {
    await using sink = await smtpSink();
    await using s = await mailServer(sink, { OB_VERIFY_CONTACTS: "true" });
    const anon = api(s.url);
    expect(await refusal(anon.register({ body: { appHost: APP, slug: "hana", password: "hana-password", contact: { platform: "email", id: "hana@example.com" } } }))).toMatchObject({ status: 400, code: "user.otp_required" });
    // Without a contact, register and login by slug are unchanged.
    await anon.register({ body: { appHost: APP, slug: "ivan", password: "ivan-password" } });
    await anon.login({ body: { appHost: APP, slug: "ivan", password: "ivan-password" } });

    const c1 = await sendCode(s, sink, "hana@example.com");
    const hana = await anon.register({ body: { appHost: APP, slug: "hana", password: "hana-password", contact: { platform: "email", id: "hana@example.com", otpId: c1.otpId, otpCode: c1.code } } });
    // Login by contact with the password alone is refused: the code is what proves the contact.
    expect(await refusal(anon.login({ body: { appHost: APP, password: "hana-password", contact: { platform: "email", id: "hana@example.com" } } }))).toMatchObject({ status: 400, code: "user.otp_required" });
    // Registering the owned contact again, with a code, logs its owner in (1Backend's symmetry).
    const c2 = await sendCode(s, sink, "hana@example.com");
    const again = await anon.register({ body: { appHost: APP, slug: "someone-else", contact: { platform: "email", id: "hana@example.com", otpId: c2.otpId, otpCode: c2.code } } });
    expect(again.token!.userId).toBe(hana.token!.userId);

    // Login with a code on a contact nobody owns registers it, with the slug given.
    const c3 = await sendCode(s, sink, "jo@example.com");
    expect(await refusal(anon.login({ body: { appHost: APP, contact: { platform: "email", id: "jo@example.com", otpId: c3.otpId, otpCode: c3.code } } }))).toMatchObject({ status: 400, code: "user.slug_missing" });
    const jo = await anon.login({ body: { appHost: APP, slug: "jo", contact: { platform: "email", id: "jo@example.com", otpId: c3.otpId, otpCode: c3.code } } });
    const self = await api(s.url, jo.token!.token).readSelf();
    expect(self.user.slug).toBe("jo");
    expect(self.contacts).toEqual([expect.objectContaining({ id: "jo@example.com", verified: true })]);
  });
});

describe("bad input", () => {
  const cases: [name: string, body: Record<string, unknown>, status: number, code: string][] = [
    ["no contactId", { appHost: APP, contactPlatform: "email" }, 400, "http.invalid_request"],
    ["empty contactId", { appHost: APP, contactId: "", contactPlatform: "email" }, 400, "http.invalid_request"],
    ["no contactPlatform", { appHost: APP, contactId: "a@b.co" }, 400, "http.invalid_request"],
    ["a platform other than email", { appHost: APP, contactId: "4912345", contactPlatform: "phone" }, 400, "user.otp_contact_invalid"],
    ["a contactId that is not an e-mail address", { appHost: APP, contactId: "not-an-address", contactPlatform: "email" }, 400, "user.otp_contact_invalid"],
    ["a contactId too long", { appHost: APP, contactId: `${"a".repeat(320)}@b.co`, contactPlatform: "email" }, 400, "http.invalid_request"],
    ["a control character", { appHost: APP, contactId: "a\u0001@b.co", contactPlatform: "email" }, 400, "http.invalid_request"],
  ];
  test.each(cases)("sendOtp: %s", async (_name, body, status, code) => {
    await using sink = await smtpSink();
    await using s = await mailServer(sink);
    const res = await fetch(`${s.url}/user-svc/otp/send`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { code: string }).code).toBe(code);
    expect(sink.messages).toEqual([]);
  });

  test("sendOtp: a body that is not an object", async () => {
    await using s = await testServer();
    const res = await fetch(`${s.url}/user-svc/otp/send`, { method: "POST", headers: { "content-type": "application/json" }, body: "[1]" });
    expect(res.status).toBe(400);
  });

  test("register and login: otpId without otpCode and the reverse; an unknown otpId", async () => {
    await using sink = await smtpSink();
    await using s = await mailServer(sink);
    const anon = api(s.url);
    const reg = (contact: Record<string, string>) => anon.register({ body: { appHost: APP, slug: "kim", password: "kim-password", contact: { platform: "email", id: "kim@example.com", ...contact } } });
    expect(await refusal(reg({ otpId: "otp-x" }))).toMatchObject({ status: 400, code: "user.otp_incomplete" });
    expect(await refusal(reg({ otpCode: "123456" }))).toMatchObject({ status: 400, code: "user.otp_incomplete" });
    expect(await refusal(reg({ otpId: "otp-unknown", otpCode: "123456" }))).toMatchObject({ status: 401, code: "user.otp_not_found" });
    expect(await refusal(anon.login({ body: { appHost: APP, contact: { platform: "email", id: "kim@example.com", otpCode: "123456" } } }))).toMatchObject({ status: 400, code: "user.otp_incomplete" });
    // Unknown contact with a code, OB_VERIFY_CONTACTS off: the same 401 as a wrong password.
    const c = await sendCode(s, sink, "kim@example.com");
    expect(await refusal(anon.login({ body: { appHost: APP, contact: { platform: "email", id: "kim@example.com", otpId: c.otpId, otpCode: c.code } } }))).toMatchObject({ status: 401, code: "user.invalid_credentials" });
  });
});

/**
 * TOTP (issue 14) through the official `@1backend/client` 0.9.18 on a real socket: codes are computed
 * here from the secret the server returned (otpauth, RFC 6238), on a clock the test moves, so the
 * replay and skew rules are checked at exact steps; the QR PNG is decoded back to the provisioning URI.
 */
import { describe, expect, test } from "bun:test";
import { Configuration, UserSvcApi } from "@1backend/client";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { Secret, TOTP } from "otpauth";
import { FakeClock } from "../helpers/fake-clock";
import { testServer } from "../helpers/server";
import { answerOf } from "../helpers/client-answer";

const APP = "test.app";
const KEY = { OB_ENCRYPTION_KEY: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" };
const api = (basePath: string, token?: string) => new UserSvcApi(new Configuration({ basePath, apiKey: token }));

/** A code of `secret` at `at` (ms), as an authenticator app computes it. */
const codeAt = (secret: string, at: number) => new TOTP({ algorithm: "SHA1", digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp: at });

/** The status and error code of a refused call (200 and undefined when it succeeded). */
async function refusal(call: Promise<unknown>): Promise<{ status: number; code?: string }> {
  const a = await answerOf(call);
  return a.status === 200 ? { status: 200 } : { status: a.status, code: a.code };
}

/** A clock at 5 s into a 30 s step, near the real time (tokens stay valid). */
const stepClock = () => new FakeClock(Math.floor(Date.now() / 30_000) * 30_000 + 5_000);

/** Sends `password` in disableTOTP's body: the 0.9.18 client's model has no such field. */
const withPassword = (password: string) => async ({ init }: { init: RequestInit }) => ({ body: { ...(init.body as object), password } as unknown as RequestInit["body"] });

async function registered(url: string, slug: string) {
  const password = `${slug}-password`;
  await api(url).register({ body: { appHost: APP, slug, password, contact: { id: `${slug}@example.com`, platform: "email" } } });
  const token = (await api(url).login({ body: { appHost: APP, slug, password } })).token!.token!;
  return { password, token, user: api(url, token) };
}

describe("TOTP through @1backend/client 0.9.18", () => {
  test("setup, QR, enable (other sessions end), status, login with and without a code, replay, skew, disable", async () => {
    const clock = stepClock();
    await using s = await testServer({ env: KEY, clock });
    const anon = api(s.url);
    const { password, token, user } = await registered(s.url, "alice");
    const other = (await anon.login({ body: { appHost: APP, slug: "alice", password, device: "laptop" } })).token!.token!;

    expect((await anon.readTOTPStatus({ body: { email: "alice@example.com" } })).totpEnabled).toBe(false);
    expect((await user.readSelf()).totpEnabled).toBe(false);

    // An empty body is `{}` (the client sends none when `body` is not given).
    const bare = await fetch(`${s.url}/user-svc/totp/setup`, { method: "POST", headers: { authorization: token } });
    expect(bare.status).toBe(200);
    const setup = await user.beginTOTPSetup({ body: {} });
    expect(setup.totpId).not.toBe(((await bare.json()) as { totpId: string }).totpId);
    expect(setup.totpId).toMatch(/^totp/);
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/); // 20 bytes, base32 without padding
    expect(setup.qrImagePath).toBe(`/user-svc/totp/setup/${setup.totpId}/qr.png`);
    const uri = new URL(setup.provisioningUri);
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(decodeURIComponent(uri.pathname)).toBe("/1Backend:alice");
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({ secret: setup.secret, issuer: "1Backend", algorithm: "SHA1", digits: "6", period: "30" });

    // The QR code decodes to the provisioning URI and is not cached.
    const qr = (await user.serveTOTPQRCodeRaw({ totpId: setup.totpId })).raw;
    expect(qr.headers.get("content-type")).toBe("image/png");
    expect(qr.headers.get("cache-control")).toBe("no-store");
    const png = PNG.sync.read(Buffer.from(await qr.arrayBuffer()));
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(setup.provisioningUri);
    expect((await refusal(api(s.url, other).serveTOTPQRCode({ totpId: "totp_nope" }))).status).toBe(404);

    // Enable: a wrong code is refused; the right one turns TOTP on and ends the other session only.
    expect(await refusal(user.enableTOTP({ body: { code: "000000" === codeAt(setup.secret, clock.now()) ? "111111" : "000000" } }))).toEqual({ status: 401, code: "user.totp_invalid" });
    expect(await user.enableTOTP({ body: { code: codeAt(setup.secret, clock.now()), totpId: setup.totpId } })).toEqual({ enabled: true });
    expect((await refusal(api(s.url, other).readSelf())).status).toBe(401);
    expect((await user.readSelf()).totpEnabled).toBe(true);
    expect((await anon.readTOTPStatus({ body: { email: "Alice+tag@Example.com" } })).totpEnabled).toBe(true);
    expect((await anon.readTOTPStatus({ body: { email: "nobody@example.com" } })).totpEnabled).toBe(false);
    expect((await refusal(user.serveTOTPQRCode({ totpId: setup.totpId }))).status).toBe(404); // enabled: its secret is not served any more

    // Login: the password alone is not enough; the code used to enable is not accepted again.
    const login = (totpCode?: string) => anon.login({ body: { appHost: APP, slug: "alice", password, totpCode } });
    expect(await refusal(login())).toEqual({ status: 401, code: "user.totp_required" });
    expect(await refusal(login(codeAt(setup.secret, clock.now())))).toEqual({ status: 401, code: "user.totp_invalid" });
    expect(await refusal(anon.login({ body: { appHost: APP, slug: "alice", password: "wrong-password", totpCode: codeAt(setup.secret, clock.now() + 30_000) } }))).toEqual({ status: 401, code: "user.invalid_credentials" });

    // Skew: the next step is accepted now, once; then the step after next is too far ahead, and two steps back too far behind.
    clock.advance(30_000);
    expect(await refusal(login(codeAt(setup.secret, clock.now() + 60_000)))).toEqual({ status: 401, code: "user.totp_invalid" });
    expect((await login(codeAt(setup.secret, clock.now() + 30_000))).token?.userId).toBeString();
    expect(await refusal(login(codeAt(setup.secret, clock.now() + 30_000)))).toEqual({ status: 401, code: "user.totp_invalid" }); // replay
    clock.advance(90_000);
    expect(await refusal(login(codeAt(setup.secret, clock.now() - 60_000)))).toEqual({ status: 401, code: "user.totp_invalid" });
    expect((await login(codeAt(setup.secret, clock.now() - 30_000))).token?.userId).toBeString(); // the previous step
    clock.advance(30_000);
    const fresh = (await login(codeAt(setup.secret, clock.now()))).token!.token!;
    const me = api(s.url, fresh);

    // The admin sees the factor in listUsers.
    const admin = api(s.url, (await anon.login({ body: { appHost: APP, slug: "1backend", password: "changeme" } })).token!.token!);
    const listed = await admin.listUsers({ body: {} });
    expect(listed.users?.find((u) => u.slug === "alice")?.totpEnabled).toBe(true);
    expect(listed.users?.find((u) => u.slug === "1backend")?.totpEnabled).toBe(false);

    // Disable needs the password as well as a code.
    clock.advance(30_000);
    const code = codeAt(setup.secret, clock.now());
    expect(await refusal(me.disableTOTP({ body: { code } }))).toEqual({ status: 400, code: "user.password_missing" });
    expect(await refusal(me.disableTOTP({ body: { code } }, withPassword("not-her-password")))).toEqual({ status: 400, code: "user.wrong_password" });
    expect(await me.disableTOTP({ body: { code } }, withPassword(password))).toEqual({});
    expect((await anon.readTOTPStatus({ body: { email: "alice@example.com" } })).totpEnabled).toBe(false);
    expect((await login()).token?.userId).toBeString();
    expect(await refusal(me.disableTOTP({ body: { code } }, withPassword(password)))).toEqual({ status: 404, code: "user.totp_not_enabled" });
  });

  test("reprovisioning: currentCode required, the secret kept unless rotateSecret, the old factor works until the new one is enabled", async () => {
    const clock = stepClock();
    await using s = await testServer({ env: KEY, clock });
    const { user } = await registered(s.url, "bob");
    const first = await user.beginTOTPSetup({ body: { issuer: "Acme", accountName: "${slug} at work" } });
    expect(decodeURIComponent(new URL(first.provisioningUri).pathname)).toBe("/Acme:bob at work");
    await user.enableTOTP({ body: { code: codeAt(first.secret, clock.now()) } });

    expect(await refusal(user.beginTOTPSetup({ body: {} }))).toEqual({ status: 409, code: "user.totp_already_enabled" });
    clock.advance(30_000);
    expect(await refusal(user.beginTOTPSetup({ body: { currentCode: "12345" } }))).toEqual({ status: 401, code: "user.totp_invalid" });
    const same = await user.beginTOTPSetup({ body: { currentCode: codeAt(first.secret, clock.now()), issuer: "Acme 2" } });
    expect(same.secret).toBe(first.secret);
    expect(same.totpId).not.toBe(first.totpId);
    clock.advance(30_000);
    const rotated = await user.beginTOTPSetup({ body: { currentCode: codeAt(first.secret, clock.now()), rotateSecret: true } });
    expect(rotated.secret).not.toBe(first.secret);
    // The newer setup replaced the one before it.
    expect((await refusal(user.enableTOTP({ body: { code: codeAt(same.secret, clock.now() + 30_000), totpId: same.totpId } }))).status).toBe(404);
    clock.advance(30_000);
    await user.enableTOTP({ body: { code: codeAt(rotated.secret, clock.now()) } });
    clock.advance(30_000);
    expect(await refusal(api(s.url).login({ body: { appHost: APP, slug: "bob", password: "bob-password", totpCode: codeAt(first.secret, clock.now()) } }))).toEqual({ status: 401, code: "user.totp_invalid" });
    expect((await api(s.url).login({ body: { appHost: APP, slug: "bob", password: "bob-password", totpCode: codeAt(rotated.secret, clock.now()) } })).token?.userId).toBeString();
  });

  test("wrong codes count against the login limits; a pending setup expires; without OB_ENCRYPTION_KEY TOTP answers 503", async () => {
    const clock = stepClock();
    await using s = await testServer({ env: { ...KEY, OB_LOGIN_LIMIT_PER_SLUG_IP: "3" }, clock });
    const { password, user } = await registered(s.url, "carol");
    const setup = await user.beginTOTPSetup({ body: {} });
    await user.enableTOTP({ body: { code: codeAt(setup.secret, clock.now()) } });
    const anon = api(s.url);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await refusal(anon.login({ body: { appHost: APP, slug: "carol", password, totpCode: "999999" } }))).status);
    expect(statuses).toEqual([401, 401, 401, 429]);

    const late = await registered(s.url, "dave");
    const pending = await late.user.beginTOTPSetup({ body: {} });
    clock.advance(15 * 60_000);
    expect(await refusal(late.user.enableTOTP({ body: { code: codeAt(pending.secret, clock.now()) } }))).toEqual({ status: 404, code: "user.totp_setup_not_found" });

    await using plain = await testServer();
    const { user: erin } = await registered(plain.url, "erin");
    expect(await refusal(erin.beginTOTPSetup({ body: {} }))).toEqual({ status: 503, code: "user.encryption_key_missing" });
    expect((await erin.readSelf()).totpEnabled).toBe(false);
  });

  test("the secret is stored sealed, not in clear", async () => {
    const clock = stepClock();
    await using s = await testServer({ env: KEY, clock });
    const { user } = await registered(s.url, "frank");
    const setup = await user.beginTOTPSetup({ body: {} });
    const rows = await s.deps.database.db.select().from(s.deps.database.tables.userTotps);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.sealedSecret).toStartWith("v1.");
    expect(JSON.stringify(rows)).not.toContain(setup.secret);
  });
});

describe("TOTP bad input", () => {
  const rows: [name: string, path: string, method: string, body: unknown, status: number, code: string][] = [
    ["setup: issuer with a colon", "/user-svc/totp/setup", "POST", { issuer: "a:b" }, 400, "user.totp_label_invalid"],
    ["setup: issuer not ASCII", "/user-svc/totp/setup", "POST", { issuer: "Äcme" }, 400, "user.totp_label_invalid"],
    ["setup: issuer too long", "/user-svc/totp/setup", "POST", { issuer: "x".repeat(129) }, 400, "user.totp_label_invalid"],
    ["setup: unknown placeholder", "/user-svc/totp/setup", "POST", { accountName: "$phone" }, 400, "user.totp_label_invalid"],
    ["setup: unterminated placeholder", "/user-svc/totp/setup", "POST", { accountName: "${slug" }, 400, "user.totp_label_invalid"],
    ["setup: rotateSecret not a boolean", "/user-svc/totp/setup", "POST", { rotateSecret: "yes" }, 400, "http.invalid_request"],
    ["setup: not an object", "/user-svc/totp/setup", "POST", [1], 400, "http.invalid_request"],
    ["enable: no code", "/user-svc/totp/enable", "POST", {}, 400, "http.invalid_request"],
    ["enable: empty code", "/user-svc/totp/enable", "POST", { code: "" }, 400, "user.totp_code_missing"],
    ["enable: no pending setup", "/user-svc/totp/enable", "POST", { code: "123456" }, 404, "user.totp_setup_not_found"],
    ["enable: code too long", "/user-svc/totp/enable", "POST", { code: "1".repeat(17) }, 400, "http.invalid_request"],
    ["disable: not enabled", "/user-svc/totp", "DELETE", { code: "123456", password: "x" }, 404, "user.totp_not_enabled"],
    ["disable: empty code", "/user-svc/totp", "DELETE", { code: "", password: "x" }, 400, "user.totp_code_missing"],
    ["status: no email", "/user-svc/totp/status", "POST", {}, 400, "http.invalid_request"],
    ["status: not an e-mail", "/user-svc/totp/status", "POST", { email: "alice" }, 400, "user.email_invalid"],
  ];

  test("each refusal is contract §2's JSON with the module's code", async () => {
    await using s = await testServer({ env: KEY });
    const { token } = await registered(s.url, "gina");
    const seen: [string, number, string][] = [];
    for (const [name, path, method, body] of rows) {
      const res = await fetch(`${s.url}${path}`, { method, headers: { "content-type": "application/json", authorization: token }, body: JSON.stringify(body) });
      const json = (await res.json()) as { error?: unknown; code?: string };
      expect(typeof json.error).toBe("string");
      seen.push([name, res.status, json.code ?? ""]);
    }
    expect(seen).toEqual(rows.map(([name, , , , status, code]) => [name, status, code]));
    for (const path of ["/user-svc/totp/setup", "/user-svc/totp/enable"]) expect((await fetch(`${s.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: `{"code":"123456"}` })).status).toBe(401);
    expect((await fetch(`${s.url}/user-svc/totp/setup/x/qr.png`)).status).toBe(401);
  });
});

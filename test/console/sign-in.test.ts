/**
 * The console's sign-in in headless Chromium against an in-process server: the guard sends a signed-out
 * visitor to sign-in and back, a wrong password is said plainly, TOTP asks for the code, the nav follows
 * the user's permissions, and nothing leaves the machine or logs an error.
 */
import { describe, expect, test } from "bun:test";
import { checkAccessibility, consolePage, launchBrowser, signIn } from "../helpers/browser";
import { Secret, TOTP } from "otpauth";
import { FakeClock } from "../helpers/fake-clock";
import { testServer } from "../helpers/server";

const ADMIN_PASSWORD = "console-sign-in-password";

describe("console sign-in", () => {
  test("a signed-out visit goes to sign-in and, signed in, back where it was headed; wrong passwords are refused plainly", async () => {
    await using server = await testServer({ env: { OB_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    await using browser = await launchBrowser();
    await using c = await consolePage(browser, server);
    await c.open("/console/nodes");
    await c.page.waitForURL(/\/console\/sign-in\?next=%2Fconsole%2Fnodes$/);
    await checkAccessibility(c.page, "sign-in");
    await c.page.getByLabel("Slug").fill("1backend");
    await c.page.getByLabel("Password").fill("not-the-password");
    await c.page.getByRole("button", { name: "Sign in" }).click();
    await expect(c.page.getByRole("alert").textContent()).resolves.toContain("Wrong slug or password");
    await signIn(c.page, "1backend", ADMIN_PASSWORD);
    await c.page.waitForURL(/\/console\/nodes$/);
    // straight there: no detour through a screen chosen before the permissions were known (API keys, open to all)
    expect(c.requests.filter((u) => u.includes("api-key"))).toEqual([]);
    // an admin sees every screen
    const nav = c.page.getByRole("navigation", { name: "Console" });
    expect(await nav.getByRole("link").allTextContents()).toEqual(["Services", "Nodes", "Users", "Roles & permits", "Enrolls", "Organizations", "API keys", "Edge", "Traffic"]);
    await checkAccessibility(c.page, "nodes");
    expect(c.foreignRequests()).toEqual([]);
    expect(c.errors).toEqual([]);
    expect(c.httpErrors).toHaveLength(1); // the wrong password's 401
  }, 60_000);

  test("a user without admin sees only the screens its permissions allow", async () => {
    await using server = await testServer({ env: { OB_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    const registered = await fetch(`${server.url}/user-svc/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ appHost: "unnamed", slug: "plain-user", password: "plain-user-password" }),
    });
    expect(registered.status).toBe(200);
    await using browser = await launchBrowser();
    await using c = await consolePage(browser, server);
    await c.open("/console/");
    await signIn(c.page, "plain-user", "plain-user-password");
    await c.page.waitForURL(/\/console\/services$/);
    const links = await c.page.getByRole("navigation", { name: "Console" }).getByRole("link").allTextContents();
    expect(links).toContain("Services");
    expect(links).toContain("API keys");
    expect(links).not.toContain("Users");
    expect(links).not.toContain("Traffic");
    expect(c.errors).toEqual([]);
  }, 60_000);

  test("with TOTP on, the form asks for the authenticator code after the password, refuses a wrong one and signs in with the right one", async () => {
    // The server's clock moves on demand: a TOTP code is accepted once per 30 s step (replay-proof).
    const clock = new FakeClock(Date.now());
    // OB_ENCRYPTION_KEY: TOTP secrets are stored sealed (a throw-away 32-byte key).
    await using server = await testServer({ env: { OB_ADMIN_PASSWORD: ADMIN_PASSWORD, OB_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") }, clock });
    const json = async (path: string, body: unknown, token?: string) => {
      const res = await fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      return (await res.json()) as any;
    };
    const token = (await json("/user-svc/register", { appHost: "unnamed", slug: "totp-user", password: "totp-user-password" })).token.token;
    const setup = await json("/user-svc/totp/setup", {}, token);
    const codeAt = (at: number) => new TOTP({ algorithm: "SHA1", digits: 6, period: 30, secret: Secret.fromBase32(setup.secret) }).generate({ timestamp: at });
    await json("/user-svc/totp/enable", { code: codeAt(clock.now()) }, token);
    clock.advance(30_000);

    await using browser = await launchBrowser();
    await using c = await consolePage(browser, server);
    await c.open("/console/sign-in");
    await c.page.getByLabel("Slug").fill("totp-user");
    await c.page.getByLabel("Password").fill("totp-user-password");
    await c.page.getByRole("button", { name: "Sign in" }).click();
    const code = c.page.getByLabel("Authenticator code");
    await code.waitFor();
    await checkAccessibility(c.page, "sign-in with TOTP");
    await code.fill(String((Number(codeAt(clock.now())) + 1) % 1_000_000).padStart(6, "0")); // not the current code
    await c.page.getByRole("button", { name: "Sign in" }).click();
    await expect(c.page.getByRole("alert").textContent()).resolves.toContain("That code is not valid");
    await code.fill(codeAt(clock.now()));
    await c.page.getByRole("button", { name: "Sign in" }).click();
    await c.page.getByRole("button", { name: "Sign out" }).waitFor();
    expect(c.errors).toEqual([]);
  }, 60_000);
});

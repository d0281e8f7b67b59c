/**
 * The console's session over time, in headless Chromium against an in-process server: a session revoked
 * elsewhere ends at once (the live feed's end frame sends the user to sign-in), and an expiring token is
 * refreshed so the live feed carries on with no sign-in.
 */
import { describe, expect, test } from "bun:test";
import { consolePage, launchBrowser, signIn } from "../helpers/browser";
import { testServer, type TestServer } from "../helpers/server";
import { waitFor } from "../helpers/wait";
import { call as callUrl } from "../helpers/call";

const ADMIN_PASSWORD = "console-session-password";

/** A JSON call to `path` on `server` (test/helpers/call.ts). */
const call = <T = any>(server: TestServer, method: string, path: string, body?: unknown, token?: string) => callUrl(method, `${server.url}${path}`, body, token) as Promise<{ status: number; body: T }>;

async function register(server: TestServer, slug: string, password: string): Promise<{ token: string; userId: string }> {
  const res = await call(server, "POST", "/user-svc/register", { appHost: "unnamed", slug, password });
  expect(res.status).toBe(200);
  return { token: res.body.token.token, userId: res.body.token.userId };
}

describe("console session", () => {
  test("revoking a user's sessions elsewhere sends their open console to sign-in at once", async () => {
    await using server = await testServer({ env: { OB_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    const user = await register(server, "revoked-user", "revoked-user-password");
    await using browser = await launchBrowser();
    await using c = await consolePage(browser, server);
    await c.open("/console/services");
    await signIn(c.page, "revoked-user", "revoked-user-password");
    await c.page.locator("[data-stream=live]").waitFor();
    const admin = await call(server, "POST", "/user-svc/login", { appHost: "unnamed", slug: "1backend", password: ADMIN_PASSWORD });
    expect((await call(server, "DELETE", "/user-svc/tokens", { userId: user.userId }, admin.body.token.token)).status).toBe(200);
    // (not getByLabel("Slug"): the services screen's filter has that label too)
    await c.page.waitForURL(/\/console\/sign-in\?next=%2Fconsole%2Fservices$/, { timeout: 10_000 });
    await c.page.getByRole("heading", { name: "Sign in to 1Backend" }).waitFor();
    expect(c.errors).toEqual([]);
  }, 60_000);

  test("an expiring token is refreshed: the live feed carries on past the token's expiry, still signed in", async () => {
    await using server = await testServer({ env: { OB_ADMIN_PASSWORD: ADMIN_PASSWORD, OB_TOKEN_EXPIRATION: "3s" } });
    await register(server, "long-user", "long-user-password");
    await using browser = await launchBrowser();
    await using c = await consolePage(browser, server);
    await c.open("/console/services");
    await signIn(c.page, "long-user", "long-user-password");
    await c.page.locator("[data-stream=live]").waitFor();
    // Two refreshes: the first token and its successor both reached their end (the stream ends at a token's expiry).
    const refreshes = () => c.requests.filter((u) => u.endsWith("/user-svc/refresh-token")).length;
    await waitFor("two token refreshes", () => refreshes() >= 2, 15_000);
    const fresh = await call(server, "POST", "/user-svc/login", { appHost: "unnamed", slug: "long-user", password: "long-user-password" });
    expect((await call(server, "PUT", "/registry-svc/instance", { url: "http://127.0.0.1:9", deploymentId: "after-expiry" }, fresh.body.token.token)).status).toBe(201);
    await c.page.getByText("after-expiry").waitFor({ timeout: 10_000 });
    expect(c.page.url()).toEndWith("/console/services");
    expect(c.errors).toEqual([]);
  }, 60_000);
});

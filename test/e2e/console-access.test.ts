/**
 * The console's Access, Edge and Traffic screens in headless Chromium against the compiled binary
 * (issue 15). What a person does on screen is checked from outside the browser, through the API: a user
 * created, its password reset, its sessions revoked (its next call is refused with 401), a permission
 * granted and revoked, an enroll and a membership made and taken back, an API key shown once and then
 * revoked, an edge route and redirect created; certificates show their expiry and days left; the traffic
 * chart draws proxied requests. Every screen passes axe; nothing leaves the machine and the page logs no
 * error. Screenshots: docs/console-{users,permits,api-keys,edge,traffic}.png. Steps share one server and page, in order.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startBinary, waitFor, type BinaryServer } from "../helpers/binary";
import { checkAccessibility, consolePage, launchBrowser, screenshot, signIn, type ConsolePage, type TestBrowser } from "../helpers/browser";
import { tempDir, type TempDir } from "../helpers/temp-dir";
import { call as callUrl } from "../helpers/call";

const ADMIN_PASSWORD = "console-access-password";
const ENCRYPTION_KEY = Buffer.alloc(32, 5).toString("base64");
const STEP = 90_000;

let dir: TempDir;
let server: BinaryServer;
let browser: TestBrowser;
let admin: ConsolePage;

/** A JSON call to `path` on this file's server (test/helpers/call.ts). */
const call = <T = any>(method: string, path: string, body?: unknown, token?: string) => callUrl(method, `${server.url}${path}`, body, token) as Promise<{ status: number; body: T }>;

/** Logs in outside the browser: the status, and the token when it worked. */
async function login(slug: string, password: string): Promise<{ status: number; token: string }> {
  const res = await call<{ token?: { token: string } }>("POST", "/user-svc/login", { appHost: "unnamed", slug, password });
  return { status: res.status, token: res.body.token?.token ?? "" };
}

/** Opens a screen as a person does: through the navigation (a reload would end the in-memory session). */
async function go(c: ConsolePage, link: string, path: RegExp): Promise<void> {
  await c.page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: link, exact: true }).click();
  await c.page.waitForURL(path);
}

/** Clicks a row's destructive button, then the confirming button of the dialog it opened. */
async function confirm(c: ConsolePage, button: string, confirmLabel: string): Promise<void> {
  await c.page.getByRole("button", { name: button, exact: true }).click();
  const dialog = c.page.getByRole("dialog");
  await dialog.waitFor();
  await dialog.getByRole("button", { name: confirmLabel, exact: true }).click();
  await dialog.waitFor({ state: "detached" });
}

/** A self-signed certificate bundle (key + certificate) for `host`, valid for `days`, made by openssl. */
function certificate(host: string, days: number): string {
  const key = join(dir.path, `${host}.key`);
  const cert = join(dir.path, `${host}.crt`);
  const r = Bun.spawnSync(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", String(days), "-subj", `/CN=${host}`, "-addext", `subjectAltName=DNS:${host}`], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`openssl: ${r.stderr.toString()}`);
  return readFileSync(key, "utf8") + readFileSync(cert, "utf8");
}

beforeAll(async () => {
  dir = tempDir("1backend-console-access-");
  server = await startBinary({ folder: dir.path, env: { OB_ADMIN_PASSWORD: ADMIN_PASSWORD, OB_ENCRYPTION_KEY: ENCRYPTION_KEY, OB_HEALTH_INTERVAL: "1s" } });
  browser = await launchBrowser();
  admin = await consolePage(browser, server);
  await admin.open("/console/");
  await signIn(admin.page, "1backend", ADMIN_PASSWORD);
}, STEP);

afterAll(async () => {
  await admin?.[Symbol.asyncDispose]();
  await browser?.[Symbol.asyncDispose]();
  await server?.[Symbol.asyncDispose]();
  await dir?.[Symbol.asyncDispose]();
}, STEP);

describe("console: access, edge and traffic", () => {
  test("users: the server's validation message is shown; a user is created, its password reset, and once its sessions are revoked its next call is refused (401)", async () => {
    const page = admin.page;
    await go(admin, "Users", /\/console\/access\/users$/);
    await page.getByLabel("Slug", { exact: true }).fill("ann");
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByRole("button", { name: "Create user" }).click();
    await expect(page.getByRole("alert").first().textContent()).resolves.toContain("user.password_too_short");
    expect((await login("ann", "short")).status).toBe(401);

    await page.getByLabel("Name", { exact: true }).fill("Ann Example");
    await page.getByLabel("Contact (e-mail)").fill("ann@example.test");
    await page.getByLabel("Password", { exact: true }).fill("ann-password-1");
    await page.getByRole("button", { name: "Create user" }).click();
    const annRow = page.locator('tr[data-user="ann"]');
    await annRow.waitFor();
    expect(await annRow.textContent()).toContain("ann@example.test");
    expect((await login("ann", "ann-password-1")).status).toBe(200);
    await page.getByRole("button", { name: "Reset password of ann" }).click();
    await page.getByLabel("New password for ann").fill("ann-password-2");
    await page.getByRole("button", { name: "Save password" }).click();
    await page.getByText("Password of ann reset.").waitFor();
    expect((await login("ann", "ann-password-1")).status).toBe(401);
    const ann = await login("ann", "ann-password-2");
    expect(ann.status).toBe(200);
    expect((await call("POST", "/user-svc/self", {}, ann.token)).status).toBe(200);

    // Cancel first: nothing is revoked.
    await page.getByRole("button", { name: "Revoke sessions of ann" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    expect((await call("POST", "/user-svc/self", {}, ann.token)).status).toBe(200);
    await confirm(admin, "Revoke sessions of ann", "Revoke sessions");
    await page.getByText("Every session of ann was revoked.").waitFor();
    expect(await call("POST", "/user-svc/self", {}, ann.token)).toEqual({ status: 401, body: { error: expect.any(String), code: "user.token_revoked" } });

    await checkAccessibility(page, "users");
    await screenshot(page, "users");
  }, STEP);

  test("roles and permits: a permission granted to a slug on screen holds at once, and revoking the permit takes it away", async () => {
    const page = admin.page;
    const ann = await login("ann", "ann-password-2");
    const has = async () => (await call<{ authorized: boolean }>("POST", "/user-svc/self/has/console-test:pet:read", undefined, ann.token)).body.authorized;
    expect(await has()).toBe(false);
    await go(admin, "Roles & permits", /\/console\/access\/roles$/);
    await page.getByLabel("Permission", { exact: true }).fill("console-test:pet:read");
    await page.getByLabel("To slugs").fill("ann");
    await page.getByRole("button", { name: "Grant", exact: true }).click();
    const permitRow = page.locator('tr[data-permit="console-test:pet:read"]');
    await permitRow.waitFor();
    expect(await permitRow.textContent()).toContain("ann");
    expect(await has()).toBe(true);

    // The role filter narrows the table to the admin role's permits.
    await page.getByLabel("Only role").fill("user-svc:admin");
    await permitRow.waitFor({ state: "detached" });
    expect(await page.locator('tr[data-permit="user-svc:user:create"]').count()).toBe(1);
    await page.getByLabel("Only role").fill("");
    await permitRow.waitFor();
    await checkAccessibility(page, "roles and permits");
    await screenshot(page, "permits");
    await confirm(admin, "Revoke console-test:pet:read from ann", "Revoke permit");
    await permitRow.waitFor({ state: "detached" });
    expect(await has()).toBe(false);
  }, STEP);

  test("enrolls and organizations: a user enrolled in a role and taken out again; an organization created, a member added and removed", async () => {
    const page = admin.page;
    const adminToken = (await login("1backend", ADMIN_PASSWORD)).token;
    const annId = (await call<{ users: { id: string }[] }>("POST", "/user-svc/users", { search: "ann" }, adminToken)).body.users[0]!.id;
    const rolesOfAnn = async () => (await call<{ enrolls: { role: string }[] }>("POST", "/user-svc/enrolls", { userId: annId }, adminToken)).body.enrolls.map((e) => e.role).sort();

    await go(admin, "Enrolls", /\/console\/access\/enrolls$/);
    await page.locator('tr[data-enroll="user-svc:admin 1backend"]').waitFor();
    await page.getByLabel("Role", { exact: true }).fill("console-test:editor");
    await page.getByLabel("User", { exact: true }).selectOption({ label: "ann" });
    await page.getByRole("button", { name: "Enroll", exact: true }).click();
    await page.getByText("Enrolled ann in console-test:editor.").waitFor();
    expect(await rolesOfAnn()).toEqual(["console-test:editor"]);
    await page.getByLabel("Find by").selectOption("userId");
    await page.getByLabel("Which user").selectOption({ label: "ann" });
    await page.getByRole("button", { name: "Find", exact: true }).click();
    await page.locator('tr[data-enroll="console-test:editor ann"]').waitFor();
    await checkAccessibility(page, "enrolls");
    await confirm(admin, "Delete enroll of ann in console-test:editor", "Delete enroll");
    await page.locator('tr[data-enroll="console-test:editor ann"]').waitFor({ state: "detached" });
    expect(await rolesOfAnn()).toEqual([]);

    await go(admin, "Organizations", /\/console\/access\/orgs$/);
    await page.getByLabel("Organization slug").fill("acme");
    await page.getByLabel("Organization name").fill("Acme Inc.");
    await page.getByRole("button", { name: "Create organization" }).click();
    await page.locator('tr[data-org="acme"]').waitFor();
    await page.getByRole("heading", { name: "Members of acme" }).waitFor();
    await page.getByLabel("User to add").selectOption({ label: "ann" });
    await page.getByRole("button", { name: "Add member" }).click();
    await page.locator('tr[data-member="ann"]').waitFor();
    const orgId = (await call<{ organizations: { id: string; slug: string }[] }>("POST", "/user-svc/organizations", {}, adminToken)).body.organizations.find((o) => o.slug === "acme")!.id;
    const annMembers = async () => (await call<{ memberships: unknown[] }>("POST", "/user-svc/memberships", { organizationId: orgId, userId: annId }, adminToken)).body.memberships.length;
    expect(await annMembers()).toBe(1);
    await checkAccessibility(page, "organizations");
    await confirm(admin, "Remove ann from acme", "Remove member");
    await page.locator('tr[data-member="ann"]').waitFor({ state: "detached" });
    expect(await annMembers()).toBe(0);
  }, STEP);

  test("API keys: the new key is shown once and works; after the revoke confirm it is refused", async () => {
    const page = admin.page;
    await go(admin, "API keys", /\/console\/access\/api-keys$/);
    await page.getByLabel("Key name").fill("ci-deploy");
    await page.getByRole("button", { name: "Create key" }).click();
    await page.getByText("it is shown only this once").waitFor();
    const key = await page.getByLabel("The key").inputValue();
    expect(key.length).toBeGreaterThan(20);
    await page.getByRole("button", { name: "Copy key" }).click();
    await page.getByRole("status").filter({ hasText: /clipboard/ }).waitFor();
    const exchange = () => fetch(`${server.url}/user-svc/api-key/exchange`, { method: "POST", headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
    expect(await exchange()).toBe(200);

    // Once dismissed, the key is nowhere on the page: only its metadata.
    await page.getByRole("button", { name: "I have stored it" }).click();
    const keyRow = page.locator('tr[data-key="ci-deploy"]');
    await keyRow.waitFor();
    expect(await page.content()).not.toContain(key);
    expect(await keyRow.textContent()).toContain("active");
    await checkAccessibility(page, "api keys");
    await screenshot(page, "api-keys");

    await confirm(admin, "Revoke API key ci-deploy", "Revoke key");
    await keyRow.getByText("revoked").waitFor();
    expect(await exchange()).toBe(401);
  }, STEP);

  test("edge: a route and a redirect made on screen are stored; certificates show their expiry date and days left, flagged under 14 days", async () => {
    const page = admin.page;
    const adminToken = (await login("1backend", ADMIN_PASSWORD)).token;
    expect((await call("PUT", "/proxy-svc/certs", { certs: [{ id: "long.example.test", cert: certificate("long.example.test", 90) }, { id: "soon.example.test", cert: certificate("soon.example.test", 7) }] }, adminToken)).status).toBe(200);
    await go(admin, "Edge", /\/console\/edge$/);
    await page.getByLabel("Route host and path").fill("app.example.test/api");
    await page.getByLabel("Route target").fill("slug:skeleton-svc");
    await page.getByRole("button", { name: "Save route" }).click();
    await page.locator('tr[data-route="app.example.test/api"]').waitFor();
    await page.getByLabel("Redirect from host and path").fill("old.example.test");
    await page.getByLabel("Redirect to URL").fill("https://new.example.test");
    await page.getByLabel("Status", { exact: true }).selectOption("301");
    await page.getByRole("button", { name: "Save redirect" }).click();
    await page.locator('tr[data-redirect="old.example.test"]').waitFor();
    expect((await call("POST", "/proxy-svc/routes", {}, adminToken)).body).toEqual({ routes: [{ id: "app.example.test/api", target: "slug:skeleton-svc" }] });
    expect((await call("POST", "/proxy-svc/redirects", {}, adminToken)).body).toEqual({ redirects: [{ id: "old.example.test", target: "https://new.example.test", statusCode: 301 }] });
    // A bad target is refused by the server, and its message is shown.
    await page.getByLabel("Route host and path").fill("bad.example.test");
    await page.getByLabel("Route target").fill("ftp://nowhere");
    await page.getByRole("button", { name: "Save route" }).click();
    await expect(page.getByRole("alert").first().textContent()).resolves.toContain("edge.");

    const soon = page.locator('tr[data-cert="soon.example.test"]');
    const long = page.locator('tr[data-cert="long.example.test"]');
    await soon.waitFor();
    const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    expect(await soon.textContent()).toMatch(new RegExp(`(${inDays(6)}|${inDays(7)}).*[67] — renew soon`));
    expect(await soon.getAttribute("class")).toBe("expiring");
    expect(await long.textContent()).toMatch(new RegExp(`(${inDays(89)}|${inDays(90)}).*(89|90)$`));
    expect(await long.getAttribute("class")).toBeNull();
    await checkAccessibility(page, "edge");
    // The picture shows the redirects and the certificates (the routes form is above them).
    await page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)");
    await page.waitForFunction("window.scrollY > 0");
    await screenshot(page, "edge");

    await confirm(admin, "Delete route app.example.test/api", "Delete route");
    await page.locator('tr[data-route="app.example.test/api"]').waitFor({ state: "detached" });
    expect((await call("POST", "/proxy-svc/routes", {}, adminToken)).body).toEqual({ routes: [] });
  }, STEP);

  test("traffic: proxied requests appear in the chart and the table by status class", async () => {
    const page = admin.page;
    // 200, or 404 / 500 when the path ends so: the status classes the table must count.
    await using upstream = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: ({ url }) => new Response(null, { status: url.endsWith("/missing") ? 404 : url.endsWith("/fail") ? 500 : 200 }),
    });
    const svc = await call<{ token: { token: string } }>("POST", "/user-svc/register", { appHost: "unnamed", slug: "traffic-svc", password: "traffic-svc-password" });
    expect((await call("PUT", "/registry-svc/instance", { url: `http://127.0.0.1:${upstream.port}` }, svc.body.token.token)).status).toBe(201);
    const sent: Record<string, number> = { ok: 6, missing: 3, fail: 2 };
    for (const [path, n] of Object.entries(sent)) for (let i = 0; i < n; i++) await fetch(`${server.url}/traffic-svc/${path}`).then((r) => r.arrayBuffer());

    await go(admin, "Traffic", /\/console\/traffic$/);
    // The sampler closes an interval every 10 s and the screen refreshes as often: wait for the row.
    // Requests sent across an interval's end land in two samples: the table sums the window.
    const slugRow = page.locator("tr", { has: page.locator("th", { hasText: "traffic-svc" }) }).first();
    const counts = async () => (await slugRow.locator("td").allTextContents()).slice(0, 4).join(" ");
    await waitFor("traffic-svc's requests in the table", async () => (await slugRow.count()) > 0 && (await counts()) === "6 0 3 2", 45_000, 200);
    // The chart: an image with a name, and a drawn line per status class.
    const chart = page.getByRole("img", { name: /Requests per 10 seconds by status class/ });
    await chart.waitFor();
    expect(await chart.locator("path").count()).toBe(4);
    expect(await page.getByRole("img", { name: /Upstream latency p50 and p95 of traffic-svc/ }).count()).toBe(1);
    await checkAccessibility(page, "traffic");
    await screenshot(page, "traffic");
  }, STEP);

  test("a user without the permission who opens Access › Users is told so, not shown a blank page; no request left the machine and no page error was logged", async () => {
    await using own = await consolePage(browser, server);
    await own.open("/console/access/users");
    await own.page.waitForURL(/\/console\/sign-in\?next=/);
    await signIn(own.page, "ann", "ann-password-2");
    await own.page.waitForURL(/\/console\/access\/users$/);
    await own.page.getByText("does not have permission").waitFor();
    const offered = (role: "link" | "button", name: string) => own.page.getByRole(role, { name, exact: true }).count();
    expect({ usersLink: await offered("link", "Users"), createUser: await offered("button", "Create user") }).toEqual({ usersLink: 0, createUser: 0 });
    await checkAccessibility(own.page, "users (not allowed)");
    expect(own.foreignRequests()).toEqual([]);
    expect(own.errors).toEqual([]);
    expect(admin.foreignRequests()).toEqual([]);
    expect(admin.errors).toEqual([]);
  }, STEP);
});

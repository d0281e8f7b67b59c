/**
 * The console's Services and Nodes screens in headless Chromium against the compiled binary (issue 15):
 * sign in; a service started here appears Healthy; killing its process turns it Unreachable on screen
 * with no reload; removing it asks first; a non-admin sees only its own instances; the nodes screen
 * lists this node alive; axe finds nothing serious on sign-in, services and nodes; no request leaves
 * the machine and the page logs no error. Writes the README's screenshots docs/console-*.png.
 */
import { expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { startBinary, type BinaryServer } from "../helpers/binary";
import { checkAccessibility, consolePage, launchBrowser, screenshot, signIn, type ConsolePage } from "../helpers/browser";
import { waitForLine } from "../helpers/child-process";
import { tempDir } from "../helpers/temp-dir";
import { call as callUrl } from "../helpers/call";

const ADMIN_PASSWORD = "console-services-password";
/** Probes every second, so a death shows within about a second (the default is 5 s). */
const HEALTH_INTERVAL = "1s";

/** A tiny HTTP service in its own process on a free loopback port, killed with SIGKILL as in a crash. */
async function startService(): Promise<{ url: string; process: Subprocess<"ignore", "pipe", "pipe">; kill(): Promise<void>; [Symbol.asyncDispose](): Promise<void> }> {
  const source = `const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("ok") }); console.log("listening " + s.port);`;
  const proc = Bun.spawn([process.execPath, "-e", source], { stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { PATH: "/usr/bin:/bin" } });
  const line = await waitForLine(proc, [], "listening ", "service", 10_000);
  const kill = async () => {
    proc.kill("SIGKILL");
    await proc.exited;
  };
  return { url: `http://127.0.0.1:${line.split(" ")[1]}`, process: proc, kill, [Symbol.asyncDispose]: kill };
}

/** A JSON call to `path` on `server` (test/helpers/call.ts). */
const call = <T = any>(server: BinaryServer, method: string, path: string, body?: unknown, token?: string) => callUrl(method, `${server.url}${path}`, body, token) as Promise<{ status: number; body: T }>;

/** Registers `slug` and answers its token. */
async function account(server: BinaryServer, slug: string, password: string): Promise<string> {
  const res = await call<{ token: { token: string } }>(server, "POST", "/user-svc/register", { appHost: "unnamed", slug, password });
  expect(res.status).toBe(200);
  return res.body.token.token;
}

async function registerInstance(server: BinaryServer, token: string, url: string, deploymentId: string, region?: string): Promise<string> {
  expect((await call(server, "PUT", "/registry-svc/instance", { url, deploymentId, region }, token)).status).toBe(201);
  const list = await call<{ instances: { id: string; url: string }[] }>(server, "GET", "/registry-svc/instances", undefined, token);
  return list.body.instances.find((i) => i.url === url)!.id;
}

const row = (c: ConsolePage, id: string) => c.page.locator(`tr[data-instance-id="${id}"]`);

function expectClean(c: ConsolePage) {
  expect(c.foreignRequests()).toEqual([]);
  expect(c.errors).toEqual([]);
}

test("console: services live from the event stream (healthy, killed → Unreachable without reload, remove with confirm), own instances only for a non-admin, nodes, axe, zero foreign requests", async () => {
  await using dir = tempDir();
  await using server = await startBinary({ folder: dir.path, env: { OB_ADMIN_PASSWORD: ADMIN_PASSWORD, OB_HEALTH_INTERVAL: HEALTH_INTERVAL } });
  await using alpha = await startService();
  await using beta = await startService();
  const alphaToken = await account(server, "alpha-svc", "alpha-svc-password");
  const betaToken = await account(server, "beta-svc", "beta-svc-password");
  const alphaId = await registerInstance(server, alphaToken, alpha.url, "alpha-deploy-1", "eu-west-1");
  const betaId = await registerInstance(server, betaToken, beta.url, "beta-deploy-1");

  await using browser = await launchBrowser();
  await using admin = await consolePage(browser, server);
  await admin.open("/console/");
  await admin.page.waitForURL(/\/console\/sign-in/);
  await admin.page.getByLabel("Slug").waitFor();
  await checkAccessibility(admin.page, "sign-in");
  await screenshot(admin.page, "sign-in");
  await signIn(admin.page, "1backend", ADMIN_PASSWORD);
  await admin.page.waitForURL(/\/console\/services$/);

  // Both services, grouped by slug, turn Healthy once probed: the page is not reloaded, the stream brings it.
  await row(admin, alphaId).locator(".badge", { hasText: "Healthy" }).waitFor({ timeout: 15_000 });
  await row(admin, betaId).locator(".badge", { hasText: "Healthy" }).waitFor({ timeout: 15_000 });
  expect(await admin.page.locator("section[data-slug] h2").allTextContents()).toEqual(["alpha-svc", "beta-svc"]);
  const alphaRow = await row(admin, alphaId).textContent();
  expect(alphaRow).toContain(alpha.url);
  expect(alphaRow).toContain("alpha-deploy-1");
  expect(alphaRow).toContain("eu-west-1");
  expect(alphaRow).toMatch(/\d+ s ago|now/);
  await admin.page.locator("[data-stream=live]").waitFor();
  await checkAccessibility(admin.page, "services");
  await screenshot(admin.page, "services");

  // Filters: by status and by slug.
  await admin.page.getByLabel("Slug", { exact: true }).selectOption("beta-svc");
  expect(await admin.page.locator("section[data-slug]").count()).toBe(1);
  await admin.page.getByLabel("Slug", { exact: true }).selectOption("");
  await admin.page.getByLabel("Status", { exact: true }).selectOption("Unreachable");
  await admin.page.getByText("No instance matches these filters.").waitFor();
  await admin.page.getByLabel("Status", { exact: true }).selectOption("");

  // Kill alpha's process: the badge turns Unreachable in the same document (a marker set now survives).
  await admin.page.evaluate("window.sameDocument = true");
  await alpha.kill();
  await row(admin, alphaId).locator(".badge", { hasText: "Unreachable" }).waitFor({ timeout: 15_000 });
  expect(await admin.page.evaluate("window.sameDocument")).toBe(true);
  // beta lives on (Healthy, or Degraded if a probe was slow on this loaded machine)
  expect(await row(admin, betaId).locator(".badge").textContent()).not.toBe("Unreachable");

  // Remove alpha: Escape cancels the confirm, the confirm button removes it (from the screen and the registry).
  await admin.page.getByRole("button", { name: `Remove ${alpha.url}` }).click();
  const dialog = admin.page.getByRole("dialog", { name: "Remove this instance?" });
  await dialog.waitFor();
  await checkAccessibility(admin.page, "remove confirm");
  await admin.page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
  expect(await row(admin, alphaId).count()).toBe(1);
  await admin.page.getByRole("button", { name: `Remove ${alpha.url}` }).click();
  await dialog.getByRole("button", { name: "Remove instance" }).click();
  await row(admin, alphaId).waitFor({ state: "detached" });
  const left = await call<{ instances: { id: string }[] }>(server, "GET", "/registry-svc/instances", undefined, betaToken);
  expect(left.body.instances.map((i) => i.id)).toEqual([betaId]);
  const adminLogin = await call<{ token: { token: string } }>(server, "POST", "/user-svc/login", { appHost: "unnamed", slug: "1backend", password: ADMIN_PASSWORD });
  const all = await call<{ instances: { id: string }[] }>(server, "GET", "/registry-svc/instances", undefined, adminLogin.body.token.token);
  expect(all.body.instances.map((i) => i.id)).toEqual([betaId]);

  // Nodes: this node, alive.
  await admin.page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Nodes" }).click();
  await admin.page.waitForURL(/\/console\/nodes$/);
  const self = await call<{ node: { id: string; url: string } }>(server, "GET", "/registry-svc/node/self", undefined, adminLogin.body.token.token);
  const nodeRow = admin.page.locator(`tr[data-node-id="${self.body.node.id}"]`);
  await nodeRow.waitFor();
  expect(await nodeRow.textContent()).toContain("this node");
  expect(await nodeRow.locator(".badge", { hasText: "Alive" }).count()).toBe(1);
  await checkAccessibility(admin.page, "nodes");
  await screenshot(admin.page, "nodes");
  expectClean(admin);

  // A non-admin (beta-svc) sees its own instance only, live as well; and the dark theme passes axe too.
  await using own = await consolePage(browser, server, { colorScheme: "dark" });
  await own.open("/console/services");
  await signIn(own.page, "beta-svc", "beta-svc-password");
  await own.page.waitForURL(/\/console\/services$/);
  await row(own, betaId).locator(".badge", { hasText: "Healthy" }).waitFor();
  expect(await own.page.locator("section[data-slug] h2").allTextContents()).toEqual(["beta-svc"]);
  // alpha-svc registers again (as its SDK would): the admin's screen shows it, beta's does not.
  const gamma = await registerInstance(server, alphaToken, "http://127.0.0.1:9", "alpha-deploy-2");
  await admin.page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Services" }).click();
  await row(admin, gamma).waitFor();
  await own.page.locator("[data-stream=live]").waitFor();
  await checkAccessibility(own.page, "services (dark, non-admin)");
  await screenshot(own.page, "services-dark");
  expect(await row(own, gamma).count()).toBe(0);
  expect(await own.page.locator("section[data-slug]").count()).toBe(1);
  expectClean(own);
}, 180_000);

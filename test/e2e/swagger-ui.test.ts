import { expect, test } from "bun:test";
import { resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startBinary } from "../helpers/binary";
import { tempDir } from "../helpers/temp-dir";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const VIEWPORT = { width: 1280, height: 900 };
/** The README shows it; the test keeps it in step with the UI. */
const SCREENSHOT = resolve(import.meta.dir, "../../docs/swagger-ui.png");
const ADMIN_PASSWORD = "swagger-ui-test-password";

// Page-side code is given as source text: it runs in Chromium, and this project's TypeScript has no DOM types.
/** Records whether Swagger UI's loading spinner ever appears in the page (installed before any page script runs). */
const WATCH_FOR_SPINNER = `window.spinnerSeen = false;
new MutationObserver(() => { if (document.querySelector(".loading-container")) window.spinnerSeen = true; })
  .observe(document, { childList: true, subtree: true });`;
/** True once the operations are in the DOM, as the time since navigation start (`performance.now()` in the page). */
const RENDERED_AT = `document.querySelector(".opblock") !== null && performance.now()`;

/** Navigates to `url` and resolves when the operations are in the DOM, with the time that took. */
async function navigate(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: "commit" });
  // Evaluated in the page at every frame until true.
  const rendered = await page.waitForFunction(RENDERED_AT, undefined, { timeout: 15_000 });
  return (await rendered.jsonValue()) as number;
}

/** A page in a fresh context (cold cache) that records every URL it requests. */
async function freshPage(browser: Browser) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript({ content: WATCH_FOR_SPINNER });
  const page = await context.newPage();
  const requested: string[] = [];
  page.on("request", (request) => requested.push(request.url()));
  return { context, page, requested };
}

async function login(url: string): Promise<string> {
  const response = await fetch(`${url}/user-svc/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ appHost: "unnamed", slug: "1backend", password: ADMIN_PASSWORD }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: { token: string } }).token.token;
}

/** Authorize dialog: the token goes into the bearer scheme's field, as a user would type it. */
async function authorize(page: Page, token: string): Promise<void> {
  await page.click(".auth-wrapper button.authorize");
  const scheme = page.locator(".modal-ux .auth-container", { hasText: "BearerAuth" });
  await scheme.locator("input").fill(token);
  await scheme.locator("button.authorize").click();
  await scheme.locator("h6", { hasText: "Authorized" }).waitFor();
  await page.click(".modal-ux button.close-modal");
}

test("Swagger UI at /swagger and /swagger/ renders every operation with no spinner, first visit and cached, with zero requests leaving the machine", async () => {
  await using dir = tempDir();
  await using server = await startBinary({ folder: dir.path });
  const documented = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const operations = Object.values<Record<string, unknown>>(documented.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  const serverOrigin = new URL(server.url).origin;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    for (const path of ["/swagger", "/swagger/"]) {
      const { context, page, requested } = await freshPage(browser);
      const coldMs = await navigate(page, `${server.url}${path}`);
      expect({ path, foreign: requested.filter((u) => !u.startsWith(serverOrigin) && !u.startsWith("data:")) }).toEqual({ path, foreign: [] });
      expect(await page.locator(".opblock").count()).toBe(operations);
      expect(await page.locator(".opblock-summary-path").allTextContents()).toContain("/health");
      // The document is in the page: no spinner at any moment, and no "Failed to load API definition".
      expect({ path, spinnerSeen: await page.evaluate("window.spinnerSeen") }).toEqual({ path, spinnerSeen: false });
      expect(await page.locator(".errors-wrapper").count()).toBe(0);
      // How fast it renders is measured by bench/docs/swagger-ui.ts (a timed assertion here flaked under the shared
      // machine's load); this test asserts that a cached visit renders the same operations, still with no spinner.
      await navigate(page, `${server.url}${path}`);
      console.log(`${path}: ${operations} operations rendered ${Math.round(coldMs)} ms after navigation start on a first visit`);
      expect({ path, spinnerSeen: await page.evaluate("window.spinnerSeen") }).toEqual({ path, spinnerSeen: false });
      expect(await page.locator(".opblock").count()).toBe(operations);
      await context.close();
    }
  } finally {
    await browser.close();
  }
}, 90_000); // Chromium can take >5 s to start on a loaded 2-core machine, also when bun test runs without --timeout

test("Authorize sends the token: Try it out on a protected operation answers 200, and the screenshot is written", async () => {
  await using dir = tempDir();
  await using server = await startBinary({ folder: dir.path, env: { OB_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  const token = await login(server.url);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const { page } = await freshPage(browser);
    await navigate(page, `${server.url}/swagger`);
    await authorize(page, token);
    await page.screenshot({ path: SCREENSHOT });
    const operation = page.locator("#operations-Registry_Svc-selfNode");
    await operation.locator(".opblock-summary").click();
    await operation.locator("button.try-out__btn").click();
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/registry-svc/node/self")), operation.locator("button.execute").click()]);
    expect(answer.request().headers().authorization).toBe(`Bearer ${token}`);
    expect(answer.status()).toBe(200);
    // What the user sees: the live response's status cell.
    await expect(operation.locator(".live-responses-table tbody .response-col_status").textContent()).resolves.toBe("200");
  } finally {
    await browser.close();
  }
  const png = await Bun.file(SCREENSHOT).bytes();
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // IHDR: width and height, big-endian, at bytes 16..23.
  const view = new DataView(png.buffer, png.byteOffset);
  expect({ width: view.getUint32(16), height: view.getUint32(20) }).toEqual(VIEWPORT);
}, 60_000);

/**
 * @module The console's browser harness: headless Debian Chromium through playwright-core (flags as in
 * test/e2e/swagger-ui.test.ts), a page that records every request and every console/page error,
 * sign-in, an axe-core check and the README's screenshots. Page-side code is passed as source text:
 * it runs in Chromium, and the server's TypeScript settings have no DOM types.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
/** The README's screenshots' size. */
export const VIEWPORT = { width: 1280, height: 800 };
const DOCS = resolve(import.meta.dir, "../../docs");
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
/** Chromium logs an HTTP error answer to fetch as a console error; a 4xx is an answer the console handles. */
const HTTP_4XX = /^Failed to load resource: the server responded with a status of 4\d\d/;

/** A launched Chromium, closed by `await using`. */
export interface TestBrowser extends AsyncDisposable {
  browser: Browser;
}

/** Launches headless Chromium. */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  dropEventsOfUnboundObjects(browser);
  return { browser, [Symbol.asyncDispose]: () => browser.close() };
}

/** The events of playwright-core's own that {@link dropEventsOfUnboundObjects} dropped (logged when it does). */
export const droppedPlaywrightEvents: string[] = [];

/**
 * Playwright's client now and then receives a network *event* (`requestFinished`, `response`, …) naming a
 * Response it no longer (or not yet) holds, and throws "Object with guid response@… was not bound in the
 * connection" from its message loop (microsoft/playwright#22210, open). Under Bun that throw is an uncaught error
 * that fails whichever test runs: one CI run in about six failed a console step this way, then the steps after it,
 * though the page had done nothing wrong. Such an event carries nothing these tests read (they record requests
 * from the `request` event, errors from the page), so it is dropped and logged; a command's answer (it has an
 * `id`) still throws as before, and so does every other error.
 */
function dropEventsOfUnboundObjects(browser: Browser): void {
  const connection = (browser as unknown as { _connection: { dispatch(message: { id?: number; guid: string; method?: string }): void } })._connection;
  const dispatch = connection.dispatch.bind(connection);
  connection.dispatch = (message) => {
    try {
      dispatch(message);
    } catch (err) {
      if (message.id !== undefined || !/^Object with guid \S+ was not bound in the connection$/.test((err as Error).message)) throw err;
      droppedPlaywrightEvents.push(`${message.method} on ${message.guid}: ${(err as Error).message}`);
      console.warn(`playwright-core: dropped the ${message.method} event of ${message.guid} (${(err as Error).message})`);
    }
  };
}

/** A page on a fresh context, with what it did recorded. */
export interface ConsolePage extends AsyncDisposable {
  page: Page;
  context: BrowserContext;
  /** The server's origin, e.g. `http://127.0.0.1:40123`. */
  origin: string;
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Console errors and uncaught page errors (HTTP 4xx answers excluded: see `httpErrors`). */
  errors: string[];
  /** Chromium's "Failed to load resource … 4xx" lines (expected refusals the UI shows). */
  httpErrors: string[];
  /** Requested URLs not on the server's origin (data: URLs are not requests to a host). */
  foreignRequests(): string[];
  /** Opens `path` (e.g. `/console/services`) on the server. */
  open(path: string): Promise<void>;
}

/** Opens a context (light unless `colorScheme`, 1280×800 unless `viewport`) for `server` and records requests and errors. */
export async function consolePage(browser: TestBrowser, server: { url: string }, options: { colorScheme?: "light" | "dark"; viewport?: { width: number; height: number } } = {}): Promise<ConsolePage> {
  const origin = new URL(server.url).origin;
  const context = await browser.browser.newContext({ viewport: options.viewport ?? VIEWPORT, colorScheme: options.colorScheme ?? "light" });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  const httpErrors: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    (HTTP_4XX.test(message.text()) ? httpErrors : errors).push(`${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  return {
    page,
    context,
    origin,
    requests,
    errors,
    httpErrors,
    foreignRequests: () => requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith("data:")),
    open: async (path) => void (await page.goto(`${origin}${path}`)),
    [Symbol.asyncDispose]: () => context.close(),
  };
}

/** Signs in through the form at /console/sign-in (or the page's current sign-in form) and waits for a screen. */
export async function signIn(page: Page, slug: string, password: string, options: { totpCode?: string; origin?: string } = {}): Promise<void> {
  if (!page.url().includes("/console/sign-in")) {
    const origin = options.origin ?? new URL(page.url()).origin;
    await page.goto(`${origin}/console/sign-in`);
  }
  await page.getByLabel("Slug").fill(slug);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  if (options.totpCode) {
    await page.getByLabel("Authenticator code").fill(options.totpCode);
    await page.getByRole("button", { name: "Sign in" }).click();
  }
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** One axe violation as reported. */
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core (WCAG 2 A/AA rules) on the page as it is; throws listing every serious or critical
 * violation. The script is evaluated through the DevTools protocol, which the page's CSP does not govern.
 */
export async function checkAccessibility(page: Page, label = page.url()): Promise<void> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }, resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`,
  )) as AxeViolation[];
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (serious.length > 0) {
    const list = serious.map((v) => `- [${v.impact}] ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`).join("\n");
    throw new Error(`accessibility violations on ${label}:\n${list}`);
  }
}

/** Writes `docs/console-<name>.png` (the README shows them); answers the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = resolve(DOCS, `console-${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

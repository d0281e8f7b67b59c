import { expect, test } from "bun:test";
import { chromium } from "playwright-core";
import { startBinary } from "../helpers/binary";
import { tempDir } from "../helpers/temp-dir";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

test("Swagger UI renders the operations with zero requests leaving the machine", async () => {
  await using dir = tempDir();
  await using server = await startBinary({ folder: dir.path });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on("request", (request) => requested.push(request.url()));
    await page.goto(`${server.url}/swagger`);
    await page.waitForSelector(".opblock", { timeout: 15_000 });
    const operations = await page.locator(".opblock").count();
    const serverOrigin = new URL(server.url).origin;
    const foreign = requested.filter((u) => !u.startsWith(serverOrigin) && !u.startsWith("data:"));
    expect(foreign).toEqual([]);
    expect(requested.some((u) => u.endsWith("/openapi.json"))).toBe(true);
    expect(operations).toBeGreaterThan(0);
    expect(await page.locator(".opblock-summary-path").allTextContents()).toContain("/health");
  } finally {
    await browser.close();
  }
}, 30_000); // Chromium can take >5 s to start on a loaded 2-core machine, also when bun test runs without --timeout

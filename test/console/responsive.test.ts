/**
 * The console on a phone-sized screen (390×844): the nav folds above the content, the content follows it
 * at once (no band of empty nav stretched over the screen), nothing scrolls sideways, and axe still passes.
 */
import { expect, test } from "bun:test";
import { checkAccessibility, consolePage, launchBrowser, signIn } from "../helpers/browser";
import { testServer } from "../helpers/server";

const ADMIN_PASSWORD = "console-responsive-password";

test("at 390×844 the nav sits above the content, the heading follows it directly, and no page scrolls sideways", async () => {
  await using server = await testServer({ env: { OB_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  await using browser = await launchBrowser();
  await using c = await consolePage(browser, server, { viewport: { width: 390, height: 844 } });
  await c.open("/console/");
  await signIn(c.page, "1backend", ADMIN_PASSWORD);
  const overflows = () => c.page.evaluate("document.documentElement.scrollWidth > window.innerWidth");
  for (const [label, heading] of [["Services", "Services"], ["Users", "Users"], ["Traffic", "Traffic"]] as const) {
    await c.page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: label, exact: true }).click();
    const h1 = c.page.getByRole("heading", { level: 1, name: heading });
    await h1.waitFor();
    // Measured from the nav's last link, not the nav's box: the fault was the nav's own row stretching over the screen.
    const lastLink = (await c.page.getByRole("navigation", { name: "Console" }).getByRole("link").last().boundingBox())!;
    const top = (await h1.boundingBox())!;
    const linksEnd = lastLink.y + lastLink.height;
    expect({ label, below: top.y >= linksEnd }).toEqual({ label, below: true });
    expect({ label, gap: Math.round(top.y - linksEnd) < 80 }).toEqual({ label, gap: true });
    expect({ label, overflows: await overflows() }).toEqual({ label, overflows: false });
    await checkAccessibility(c.page, `${label} at 390 px`);
  }
  expect(c.foreignRequests()).toEqual([]);
  expect(c.errors).toEqual([]);
}, 90_000);

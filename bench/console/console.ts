/**
 * @module The console's numbers for issue 15's closing note, not a test: against the compiled binary
 * (dist/1backend) in headless Chromium (test/helpers/browser.ts) —
 *   1. bundle size: what a first visit downloads (index.html, JS, CSS), as sent gzip and uncompressed;
 *   2. time to interactive, median of `rounds` fresh (cold-cache) browser contexts: navigation start →
 *      sign-in form usable, and the Sign in click → services table rendered (admin with 1 instance);
 *   3. an instance's death (SIGKILL of its process) → the Unreachable badge on screen, median and max of
 *      `rounds`, at OB_HEALTH_INTERVAL=`interval` (the prober notices at its next round, so the expected
 *      latency is up to one interval plus the connect attempt and the event's trip).
 * Run: `bun bench/console/console.ts [rounds=10] [interval=1s]` after `./scripts/build.sh`.
 */
import { startBinary } from "../../test/helpers/binary";
import { consolePage, launchBrowser } from "../../test/helpers/browser";
import { waitForLine } from "../../test/helpers/child-process";
import { tempDir } from "../../test/helpers/temp-dir";

const rounds = Number(process.argv[2] ?? 10);
const interval = process.argv[3] ?? "1s";
const PASSWORD = "bench-console-password";

// Page-side functions (run in Chromium, where `document` exists; this project's types have no DOM). Functions, not
// source strings: a string predicate is eval'd in the page, which the console's CSP (no 'unsafe-eval') refuses.
/** Resolves, at the first animation frame where the sign-in form can be typed into, with ms since navigation start. */
const FORM_USABLE = () =>
  new Promise<number>((resolve) => {
    const page = globalThis as any; // each function is sent to the page alone: no closure over this file's names
    const check = () => {
      const slug = page.document.querySelector("input[name=slug]");
      if (slug && !slug.disabled && page.document.querySelector("button[type=submit]")) resolve(page.performance.now());
      else page.requestAnimationFrame(check);
    };
    check();
  });
/** Resolves with ms from the Sign in click to the first frame showing an instance row. */
const TABLE_AFTER_CLICK = () =>
  new Promise<number>((resolve) => {
    const page = globalThis as any;
    let t0 = 0;
    page.document.querySelector("button[type=submit]").addEventListener("click", () => (t0 = page.performance.now()), { capture: true });
    const check = () => {
      if (t0 && page.document.querySelector("tr[data-instance-id]")) resolve(page.performance.now() - t0);
      else page.requestAnimationFrame(check);
    };
    check();
  });

/** Bytes of `path` as sent (no decompression), with `encoding` accepted. */
async function sentBytes(url: string, encoding: string): Promise<number> {
  const res = await fetch(url, { headers: { "accept-encoding": encoding }, decompress: false } as RequestInit);
  return (await res.arrayBuffer()).byteLength;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms, min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}`;

async function json(url: string, method: string, body: unknown, token?: string): Promise<any> {
  const res = await fetch(url, { method, headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

async function startService() {
  const source = `const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("ok") }); console.log("listening " + s.port);`;
  const proc = Bun.spawn([process.execPath, "-e", source], { stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { PATH: "/usr/bin:/bin" } });
  const line = await waitForLine(proc, [], "listening ", "service", 10_000);
  return { url: `http://127.0.0.1:${line.split(" ")[1]}`, proc };
}

await using dir = tempDir("1backend-bench-");
await using server = await startBinary({ folder: dir.path, env: { OB_ADMIN_PASSWORD: PASSWORD, OB_HEALTH_INTERVAL: interval } });
const admin = (await json(`${server.url}/user-svc/login`, "POST", { appHost: "unnamed", slug: "1backend", password: PASSWORD })).token.token as string;

// 1. Bundle size.
const indexGzip = await sentBytes(`${server.url}/console/`, "gzip");
const html = await (await fetch(`${server.url}/console/`, { headers: { "accept-encoding": "identity" } })).text();
const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]!);
console.log(`bundle (as served; gzip / uncompressed bytes):`);
console.log(`  index.html  ${indexGzip} / ${html.length}`);
let gzipTotal = 0;
for (const asset of assets) {
  const zipped = await sentBytes(`${server.url}${asset}`, "gzip");
  const plain = await sentBytes(`${server.url}${asset}`, "identity");
  gzipTotal += zipped;
  console.log(`  ${asset.split("/").pop()}  ${zipped} / ${plain}`);
}
console.log(`  JS + CSS gzip: ${gzipTotal} bytes (${(gzipTotal / 1024).toFixed(1)} KiB); with index.html ${gzipTotal + indexGzip}`);

await using browser = await launchBrowser();
const service = await startService();
await json(`${server.url}/registry-svc/instance`, "PUT", { url: service.url }, admin);

// 2. Time to interactive, cold cache each round.
const formUsable: number[] = [];
const signedIn: number[] = [];
for (let i = 0; i < rounds; i++) {
  await using c = await consolePage(browser, server);
  await c.page.goto(`${server.url}/console/sign-in`, { waitUntil: "commit" });
  // performance.now() is measured from the navigation's start.
  formUsable.push(await c.page.evaluate(FORM_USABLE));
  await c.page.getByLabel("Slug").fill("1backend");
  await c.page.getByLabel("Password").fill(PASSWORD);
  const rendered = c.page.evaluate(TABLE_AFTER_CLICK);
  await c.page.getByRole("button", { name: "Sign in" }).click();
  signedIn.push(await rendered);
  if (c.errors.length || c.foreignRequests().length) throw new Error(`page errors ${c.errors} / foreign ${c.foreignRequests()}`);
}
const logins: number[] = [];
for (let i = 0; i < rounds; i++) {
  const t0 = performance.now();
  await json(`${server.url}/user-svc/login`, "POST", { appHost: "unnamed", slug: "1backend", password: PASSWORD });
  logins.push(performance.now() - t0);
}
console.log(`time to interactive (${rounds} cold contexts):`);
console.log(`  navigation start → sign-in form usable: ${fmt(formUsable)}`);
console.log(`  Sign in click → services table rendered: ${fmt(signedIn)} `);
console.log(`  of which POST /user-svc/login alone (argon2id m=19 MiB t=2, from this process): ${fmt(logins)}`);
service.proc.kill("SIGKILL");

// 3. Death → Unreachable on screen.
await using watch = await consolePage(browser, server);
await watch.page.goto(`${server.url}/console/sign-in`);
await watch.page.getByLabel("Slug").fill("1backend");
await watch.page.getByLabel("Password").fill(PASSWORD);
await watch.page.getByRole("button", { name: "Sign in" }).click();
await watch.page.locator("[data-stream=live]").waitFor();
// Records (page clock = this machine's clock) when each instance's badge first reads Unreachable.
await watch.page.evaluate(() => {
  const page = globalThis as any;
  page.unreachableAt = {};
  new page.MutationObserver(() => {
    for (const row of page.document.querySelectorAll("tr[data-instance-id][data-status=Unreachable]")) page.unreachableAt[row.dataset.instanceId] ??= Date.now();
  }).observe(page.document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"] });
});
const deaths: number[] = [];
for (let i = 0; i < rounds; i++) {
  const s = await startService();
  await json(`${server.url}/registry-svc/instance`, "PUT", { url: s.url }, admin);
  const list = await (await fetch(`${server.url}/registry-svc/instances`, { headers: { authorization: `Bearer ${admin}` } })).json();
  const id = (list as { instances: { id: string; url: string }[] }).instances.find((x) => x.url === s.url)!.id;
  await watch.page.locator(`tr[data-instance-id="${id}"][data-status=Healthy]`).waitFor({ timeout: 30_000 });
  const killedAt = Date.now();
  s.proc.kill("SIGKILL");
  await watch.page.locator(`tr[data-instance-id="${id}"][data-status=Unreachable]`).waitFor({ timeout: 60_000 });
  deaths.push((await watch.page.evaluate((key) => (globalThis as any).unreachableAt[key] as number, id)) - killedAt);
  await fetch(`${server.url}/registry-svc/instance/${id}`, { method: "DELETE", headers: { authorization: `Bearer ${admin}` } });
}
console.log(`instance death → Unreachable on screen at OB_HEALTH_INTERVAL=${interval} (${rounds} kills): ${fmt(deaths)}`);
if (watch.errors.length) throw new Error(`page errors: ${watch.errors}`);

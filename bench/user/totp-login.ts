/**
 * @module Login latency with TOTP on vs off (issue 14), not a test: one server, two users with the same
 * password, one with TOTP enabled; logins alternate between them one at a time over HTTP (interleaved
 * A/B, so machine load hits both alike). Each TOTP login needs a new step (a code is accepted once), so
 * the server runs on a clock this script moves 30 s before every TOTP login.
 * Run: `bun bench/user/totp-login.ts [logins=200] [fast]` (`fast`: the test hasher instead of
 * production argon2id, to see the TOTP cost without the hash around it). OB_DB=postgres and
 * OB_DB_CONNECTION_STRING in the environment run it on PostgreSQL.
 */
import { Secret, TOTP } from "otpauth";
import { startServer } from "../../src/serve";
import { loadConfig } from "../../src/config";
import { tempDir } from "../../test/helpers/temp-dir";
import { FakeClock } from "../../test/helpers/fake-clock";

const logins = Number(process.argv[2] ?? 200);
const fast = process.argv.includes("fast");

await using dir = tempDir("1backend-bench-");
const clock = new FakeClock(Math.floor(Date.now() / 30_000) * 30_000 + 5_000);
const config = loadConfig({ OB_SELF_URL: "http://127.0.0.1:0", OB_LOG_LEVEL: "silent", OB_FOLDER: dir.path, OB_LOGIN_LIMIT_PER_IP: "0", OB_LOGIN_LIMIT_PER_SLUG: "0", OB_ENCRYPTION_KEY: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", ...(process.env.OB_DB ? { OB_DB: process.env.OB_DB, OB_DB_CONNECTION_STRING: process.env.OB_DB_CONNECTION_STRING ?? "", OB_DB_PREFIX: `bench${Date.now()}_` } : {}) });
const server = await startServer(config, { fastCrypto: fast, clock });
try {
  const post = async (path: string, body: unknown, token?: string) => {
    const r = await fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: token } : {}) }, body: JSON.stringify(body) });
    const json = (await r.json()) as any;
    if (r.status !== 200) throw new Error(`${path} ${r.status} ${JSON.stringify(json)}`);
    return json;
  };
  const password = "bench-password";
  await post("/user-svc/register", { appHost: "bench.app", slug: "plain", password });
  const t = (await post("/user-svc/register", { appHost: "bench.app", slug: "second", password })).token.token as string;
  const setup = await post("/user-svc/totp/setup", {}, t);
  const totp = new TOTP({ algorithm: "SHA1", digits: 6, period: 30, secret: Secret.fromBase32(setup.secret) });
  await post("/user-svc/totp/enable", { code: totp.generate({ timestamp: clock.now() }) }, t);

  const off: number[] = [];
  const on: number[] = [];
  const once = async (slug: string, totpCode?: string) => {
    const t0 = performance.now();
    await post("/user-svc/login", { appHost: "bench.app", slug, password, totpCode });
    return performance.now() - t0;
  };
  for (let i = 0; i < 10; i++) await once("plain"); // warm-up
  for (let i = 0; i < logins; i++) {
    off.push(await once("plain"));
    clock.advance(30_000);
    on.push(await once("second", totp.generate({ timestamp: clock.now() })));
  }
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const pct = (p: number) => s[Math.min(s.length - 1, Math.floor(s.length * p))]!.toFixed(2);
    return `p50 ${pct(0.5)} ms, p90 ${pct(0.9)} ms, p99 ${pct(0.99)} ms, mean ${(s.reduce((a, b) => a + b, 0) / s.length).toFixed(2)} ms`;
  };
  console.log(`${config.dbKind}, ${fast ? "test hasher" : "argon2id"}, ${logins} logins each, sequential, interleaved`);
  console.log(`TOTP off: ${stats(off)}`);
  console.log(`TOTP on:  ${stats(on)}`);
} finally {
  await server.stop(1000);
}

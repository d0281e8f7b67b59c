/**
 * @module sendOtp → message received at the SMTP server (issue 14), not a test: one server mailing
 * through a real SMTP server on loopback (test/helpers/smtp-sink.ts, smtp-server + mailparser); each
 * round times POST /user-svc/otp/send from before the request until the sink has accepted and parsed
 * the message, one at a time, each to a new address (the per-contact limit is 3 a minute; the per-client
 * limit is lifted by a clock this script moves a minute every 9 sends). Also reports the HTTP answer's
 * latency (the server answers after the SMTP server accepted the message).
 * Run: `bun bench/user/send-otp.ts [sends=100] [fast]` (`fast`: the test hasher instead of production
 * argon2id). OB_DB=postgres and OB_DB_CONNECTION_STRING in the environment run it on PostgreSQL.
 */
import { startServer } from "../../src/serve";
import { loadConfig } from "../../src/config";
import { tempDir } from "../../test/helpers/temp-dir";
import { FakeClock } from "../../test/helpers/fake-clock";
import { smtpSink } from "../../test/helpers/smtp-sink";

const sends = Number(process.argv[2] ?? 100);
const fast = process.argv.includes("fast");

await using dir = tempDir("1backend-bench-");
await using sink = await smtpSink();
const clock = new FakeClock(Date.now());
const config = loadConfig({ OB_SELF_URL: "http://127.0.0.1:0", OB_LOG_LEVEL: "silent", OB_FOLDER: dir.path, OB_SMTP_URL: sink.url, OB_SMTP_FROM: "bench@test.local", ...(process.env.OB_DB ? { OB_DB: process.env.OB_DB, OB_DB_CONNECTION_STRING: process.env.OB_DB_CONNECTION_STRING ?? "" } : {}) });
const server = await startServer(config, { fastCrypto: fast, clock });
try {
  const received: number[] = [];
  const answered: number[] = [];
  for (let i = 0; i < sends + 5; i++) {
    if (i % 9 === 8) clock.advance(60_000);
    const t0 = performance.now();
    const arrived = sink.next();
    const r = await fetch(`${server.url}/user-svc/otp/send`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ appHost: "bench.app", contactId: `user${i}@bench.test`, contactPlatform: "email" }) });
    const t1 = performance.now();
    if (r.status !== 200) throw new Error(`sendOtp ${r.status} ${await r.text()}`);
    const m = await arrived;
    if (i < 5) continue; // warm-up
    answered.push(t1 - t0);
    received.push(m.receivedAt - t0);
  }
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!.toFixed(2);
  console.log(`${config.dbKind}, ${fast ? "test hasher" : "argon2id"}, ${sends} sends`);
  console.log(`sendOtp -> message received at the SMTP server: p50 ${pct(received, 50)} ms, p90 ${pct(received, 90)} ms, p99 ${pct(received, 99)} ms`);
  console.log(`sendOtp -> HTTP answer:                         p50 ${pct(answered, 50)} ms, p90 ${pct(answered, 90)} ms, p99 ${pct(answered, 99)} ms`);
} finally {
  await server.stop(1000);
}

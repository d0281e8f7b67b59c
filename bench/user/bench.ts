/**
 * @module User Svc micro-benchmark (not a test): login throughput over HTTP against a real server
 * (production argon2id cost), and token verification throughput of `gate.authenticate` in-process,
 * cached (the same token again) and uncached (each token seen for the first time: RSA verify +
 * session lookup). Run: `bun bench/user/bench.ts [seconds=5] [concurrency=8]`.
 */
import { startServer } from "../../src/serve";
import { loadConfig } from "../../src/config";
import { tempDir } from "../../test/helpers/temp-dir";

const seconds = Number(process.argv[2] ?? 5);
const concurrency = Number(process.argv[3] ?? 8);

await using dir = tempDir("1backend-bench-");
const config = loadConfig({ OB_SELF_URL: "http://127.0.0.1:0", OB_LOG_LEVEL: "silent", OB_FOLDER: dir.path, OB_LOGIN_LIMIT_PER_IP: "0", OB_LOGIN_LIMIT_PER_SLUG: "0" });
const server = await startServer(config, { fastCrypto: false });
try {
  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  const registered = (await (await post("/user-svc/register", { appHost: "bench.app", slug: "bench", password: "bench-password" })).json()) as { token: { token: string } };
  const token: string = registered.token.token;

  // Login: argon2id verify (m=19 MiB, t=2) + reuse of the device's session, over HTTP.
  let logins = 0;
  const loginDeadline = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < loginDeadline) {
        const t0 = performance.now();
        const r = await post("/user-svc/login", { appHost: "bench.app", slug: "bench", password: "bench-password" });
        if (r.status !== 200) throw new Error(`login ${r.status}`);
        await r.arrayBuffer();
        latencies.push(performance.now() - t0);
        logins++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(1);
  console.log(`login (HTTP, ${concurrency} concurrent, ${seconds}s): ${(logins / seconds).toFixed(1)} req/s, p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`);

  // Authenticated HTTP round trip with a cached token, for scale.
  let selfs = 0;
  const selfDeadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < selfDeadline) {
        const r = await post("/user-svc/self/has/bench:x", {}, token);
        if (r.status !== 200) throw new Error(`has-permission ${r.status}`);
        await r.arrayBuffer();
        selfs++;
      }
    }),
  );
  console.log(`POST /user-svc/self/has/{perm} (HTTP, ${concurrency} concurrent, ${seconds}s): ${(selfs / seconds).toFixed(0)} req/s`);

  // In-process gate: cached.
  const gate = server.deps.user.gate;
  const header = `Bearer ${token}`;
  await gate.authenticate(header);
  const cachedN = 500_000;
  let t0 = performance.now();
  for (let i = 0; i < cachedN; i++) await gate.authenticate(header);
  let ms = performance.now() - t0;
  console.log(`gate.authenticate cached: ${Math.round(cachedN / (ms / 1000)).toLocaleString("en")} /s (${((ms * 1000) / cachedN).toFixed(2)} µs each)`);

  // In-process gate: uncached (fresh tokens of real sessions, minted by exchange on distinct devices).
  const services = server.deps.user.services!;
  const caller = await gate.authenticate(header);
  const fresh: string[] = [];
  for (let i = 0; i < 2000; i++) fresh.push((await services.accounts.exchange(caller, { newAppHost: "bench.app", newDevice: `d${i}` })).token);
  t0 = performance.now();
  for (const tok of fresh) await gate.authenticate(`Bearer ${tok}`);
  ms = performance.now() - t0;
  console.log(`gate.authenticate uncached (RSA-2048 verify + session check): ${Math.round(fresh.length / (ms / 1000)).toLocaleString("en")} /s (${((ms * 1000) / fresh.length).toFixed(0)} µs each)`);
} finally {
  await server.stop(1000);
}

/**
 * @module The edge benchmark of issue 13, in one run on loopback:
 * 1. TLS edge throughput and p99: wrk over HTTPS through our edge listener vs nginx terminating TLS with
 *    the same certificate and key (ECDSA P-256, made here with openssl) in front of the same upstream
 *    (the peer bench's `{"hello":"world"}`, ../../../shared/bench/backend-hello.ts), in interleaved
 *    rounds so machine noise hits both alike; the upstream direct over plain HTTP for scale. Each
 *    proxy's CPU per request is read from /proc during its runs.
 * 2. Handshakes/s: the same runs with `Connection: close`, so every request is a full TLS handshake
 *    (wrk keeps no session to resume).
 * 3. Time from saveRoutes to the route serving: a new path route saved through the API, then GETs on
 *    the edge back to back until the new route's upstream answers; on one SQLite node, and with
 *    `--postgres` saved on node A and served by node B of one PostgreSQL (the change feed).
 * The host is `localhost` (it resolves to 127.0.0.1 here, and wrk sends the URL's host as SNI).
 * nginx runs as one process (`master_process off`, one worker's worth, as our one process), with
 * keep-alive requests unbounded (our server has no per-connection bound either).
 *   bun bench/edge/tls.ts [--no-build] [--postgres]      ROUNDS=3 DUR=5 CONN=50 ITER=20
 * Needs wrk, openssl and nginx (apt-get install -y wrk nginx-light); nginx is skipped when absent.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  ADMIN_PASSWORD,
  atExit,
  call,
  cleanUp,
  cpuMs,
  describeRun,
  freePort,
  latencySummary,
  median,
  privatePostgres,
  ROOT,
  serverBinary,
  startNode,
  tokenFor,
  type Node,
  type Storage,
} from "../cluster/lib";

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const DUR = Number(process.env.DUR ?? 5);
const CONN = Number(process.env.CONN ?? 50);
const ITER = Number(process.env.ITER ?? 20);
const HOST = "localhost";
const SHARED = process.env.SHARED_DIR ?? resolve(ROOT, "../shared");

const work = mkdtempSync(join(tmpdir(), "ob-bench-edge-"));
atExit(() => rmSync(work, { recursive: true, force: true }));

function run(cmd: string[], cwd = work): string {
  const r = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

/** One certificate for `localhost`, valid two days, in PEM: the key and the certificate. */
function makeCertificate(): { keyFile: string; certFile: string } {
  const keyFile = join(work, "key.pem");
  const certFile = join(work, "cert.pem");
  run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "2", "-subj", `/CN=${HOST}`, "-addext", `subjectAltName=DNS:${HOST}`]);
  return { keyFile, certFile };
}

function spawnKept(cmd: string[], env: Record<string, string> = {}): { pid: number } {
  const proc = Bun.spawn(cmd, { cwd: work, env: { ...process.env, ...env }, stdout: "ignore", stderr: "pipe" });
  atExit(async () => {
    proc.kill();
    await proc.exited;
  });
  return { pid: proc.pid };
}

interface Run {
  rps: number;
  requests: number;
  p99Ms: number;
  non2xx: number;
  /** wrk's socket errors: connect, read, write, timeout. */
  errors: string;
  bad: number;
}

/** One `wrk -t1 --latency` run, with its socket errors by kind (a close after `Connection: close` shows as read errors). */
async function wrk(url: string, headers: string[]): Promise<Run> {
  const args = ["wrk", "-t1", `-c${CONN}`, `-d${DUR}s`, "--latency", ...headers.flatMap((h) => ["-H", h]), url];
  const proc = Bun.spawn(args, { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${err}`);
  const num = (re: RegExp) => Number(out.match(re)?.[1] ?? 0);
  const p99 = out.match(/^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m);
  const socket = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const non2xx = num(/Non-2xx or 3xx responses: (\d+)/);
  if (!p99) console.log(`(no p99 in wrk's output for ${url}:)\n${out}`);
  const errors = socket ? `connect ${socket[1]} read ${socket[2]} write ${socket[3]} timeout ${socket[4]}` : "none";
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    requests: num(/(\d+) requests in/),
    p99Ms: p99 ? Number(p99[1]) * (p99[2] === "us" ? 0.001 : p99[2] === "s" ? 1000 : 1) : NaN,
    non2xx,
    errors,
    bad: non2xx + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
  };
}

async function waitOk(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await Bun.sleep(20);
  }
  throw new Error(`${what} not up within ${timeoutMs} ms`);
}

function nginxConfig(port: number, upstreamPort: number, bigPort: number, cert: { keyFile: string; certFile: string }): string {
  return `master_process off; daemon off; worker_processes 1; pid ${work}/nginx.pid; error_log ${work}/nginx.err;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  upstream b { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  upstream big { server 127.0.0.1:${bigPort}; keepalive 64; }
  server { listen 127.0.0.1:${port} ssl; server_name ${HOST};
    ssl_certificate ${cert.certFile}; ssl_certificate_key ${cert.keyFile}; ssl_protocols TLSv1.2 TLSv1.3;
    location / { proxy_pass http://b; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host; }
    location /big { proxy_pass http://big; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host;
      gzip on; gzip_comp_level 6; gzip_types application/json; gzip_proxied any; gzip_vary on; } } }
`;
}

/** An edge node: our server with the edge on, its HTTPS port, and an admin token. */
interface EdgeNode {
  node: Node;
  httpsPort: number;
  token: string;
}

async function startEdge(binary: string, name: string, storage: Storage): Promise<EdgeNode> {
  const httpsPort = freePort();
  const node = await startNode(binary, name, storage, {
    OB_EDGE_PROXY: "true",
    OB_EDGE_PROXY_HTTPS_PORT: `127.0.0.1:${httpsPort}`,
    OB_EDGE_PROXY_HTTP_PORT: `127.0.0.1:${freePort()}`,
    OB_ENCRYPTION_KEY: ENCRYPTION_KEY,
    // No certificate orders from this bench (the routes' host has a saved certificate).
    OB_ACME_DIRECTORY: process.env.BENCH_ACME_DIRECTORY ?? "off",
  });
  return { node, httpsPort, token: await tokenFor(node.url, "1backend", ADMIN_PASSWORD) };
}

/** What each proxy is measured with: hello on kept connections, a handshake per request, 100 KiB of JSON plain and gzip-encoded. */
const MODES: { name: string; headers: string[]; path?: string }[] = [
  { name: "keep-alive", headers: [] },
  { name: "handshake", headers: ["Connection: close"] },
  { name: "json-100k", headers: [], path: "/big/items.json" },
  { name: "json-100k-gzip", headers: ["Accept-Encoding: gzip"], path: "/big/items.json" },
];

const ENCRYPTION_KEY = "0123456789abcdef".repeat(4);

async function edgeGet(port: number, path: string, ca: string): Promise<{ status: number; text: string }> {
  const r = await fetch(`https://${HOST}:${port}${path}`, { tls: { ca } } as RequestInit);
  return { status: r.status, text: await r.text() };
}

/** saveRoutes → first answer of the new route, ITER times; `api` saves, `edge` serves. */
async function routeLatency(api: EdgeNode, edge: EdgeNode, ca: string, newUpstream: string, label: string): Promise<void> {
  const toServing: number[] = [];
  const saves: number[] = [];
  const polls: number[] = [];
  for (let i = 0; i < ITER; i++) {
    const id = `${HOST}/${label}-r${i}`;
    const started = performance.now();
    const saved = await call("PUT", `${api.node.url}/proxy-svc/routes`, { routes: [{ id, target: newUpstream }] }, api.token);
    if (saved.status !== 200) throw new Error(`saveRoutes ${id}: ${saved.status} ${JSON.stringify(saved.body)}`);
    saves.push(performance.now() - started);
    let n = 0;
    for (;;) {
      n++;
      const r = await edgeGet(edge.httpsPort, `/${label}-r${i}/x`, ca);
      if (r.text === "route-b") break;
      if (performance.now() - started > 10_000) throw new Error(`${id} not served by ${edge.node.name} within 10 s`);
    }
    toServing.push(performance.now() - started);
    polls.push(n);
  }
  console.log(`saveRoutes on ${api.node.name} → served by ${edge.node.name} (${label}): ${latencySummary(toServing)}; the save alone ${latencySummary(saves)}; GETs until served: median ${median(polls)}, max ${Math.max(...polls)}`);
}

async function main(): Promise<void> {
  const usePostgres = process.argv.includes("--postgres");
  const binary = await serverBinary();
  const cert = makeCertificate();
  const ca = await Bun.file(cert.certFile).text();
  const bundle = (await Bun.file(cert.keyFile).text()) + ca;

  const upstreamPort = freePort();
  spawnKept(["bun", join(SHARED, "bench", "backend-hello.ts")], { PORT: String(upstreamPort) });
  const routeB = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("route-b") });
  atExit(() => routeB.stop(true));
  // 100 KiB of JSON with its length, for the compression runs (in this process: idle while wrk runs).
  const bigJson = JSON.stringify(Array.from({ length: 1500 }, (_, i) => ({ id: i, name: `item ${i}`, price: i * 1.5, tags: ["a", "b"], active: i % 2 === 0 }))).slice(0, 100 * 1024);
  const big = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(bigJson, { headers: { "content-type": "application/json" } }) });
  atExit(() => big.stop(true));
  await waitOk("upstream", () => fetch(`http://127.0.0.1:${upstreamPort}/`).then((r) => r.ok));

  const edge = await startEdge(binary, "edge", { dialect: "sqlite" });
  const savedCert = await call("PUT", `${edge.node.url}/proxy-svc/certs`, { certs: [{ id: HOST, cert: bundle }] }, edge.token);
  if (savedCert.status !== 200) throw new Error(`saveCerts: ${savedCert.status} ${JSON.stringify(savedCert.body)}`);
  const savedRoute = await call("PUT", `${edge.node.url}/proxy-svc/routes`, { routes: [{ id: HOST, target: `http://127.0.0.1:${upstreamPort}` }, { id: `${HOST}/big`, target: `http://127.0.0.1:${big.port}` }] }, edge.token);
  if (savedRoute.status !== 200) throw new Error(`saveRoutes: ${savedRoute.status} ${JSON.stringify(savedRoute.body)}`);
  await waitOk("the edge route", async () => (await edgeGet(edge.httpsPort, "/skeleton-svc/hello", ca)).status === 200);

  const targets: { name: string; url: string; pid?: number }[] = [{ name: "direct-http", url: `http://127.0.0.1:${upstreamPort}/skeleton-svc/hello` }];
  if (Bun.which("nginx") ?? Bun.which("nginx", { PATH: "/usr/sbin:/sbin" })) {
    const nginxPort = freePort();
    writeFileSync(join(work, "nginx.conf"), nginxConfig(nginxPort, upstreamPort, big.port!, cert));
    const nginx = spawnKept([Bun.which("nginx", { PATH: "/usr/sbin:/sbin:/usr/bin" })!, "-c", join(work, "nginx.conf"), "-p", work]);
    await waitOk("nginx", () => fetch(`https://${HOST}:${nginxPort}/`, { tls: { ca } } as RequestInit).then((r) => r.ok));
    targets.push({ name: "nginx-tls", url: `https://${HOST}:${nginxPort}/skeleton-svc/hello`, pid: nginx.pid });
  } else console.log("nginx not installed: skipped (apt-get install -y nginx-light)");
  targets.push({ name: "ours-tls", url: `https://${HOST}:${edge.httpsPort}/skeleton-svc/hello`, pid: edge.node.pid });

  console.log(`# edge TLS bench: ${describeRun()}`);
  for (const t of targets.slice(1)) {
    const r = await fetch(t.url.replace("/skeleton-svc/hello", "/big/items.json"), { headers: { "accept-encoding": "gzip" }, decompress: false, tls: { ca } } as RequestInit);
    const bytes = (await r.arrayBuffer()).byteLength;
    console.log(`${t.name}: 100 KiB JSON with Accept-Encoding: gzip → ${r.status}, content-encoding ${r.headers.get("content-encoding") ?? "none"}, ${bytes} bytes`);
  }
  console.log(`rounds ${ROUNDS}, ${DUR} s each, ${CONN} connections, wrk -t1`);
  const results = new Map<string, { rps: number[]; p99: number[]; cpuUs: number[]; bad: number }>();
  const record = (key: string, r: Run, cpu?: number) => {
    const entry = results.get(key) ?? { rps: [], p99: [], cpuUs: [], bad: 0 };
    entry.rps.push(r.rps);
    entry.p99.push(r.p99Ms);
    if (cpu !== undefined && r.requests > 0) entry.cpuUs.push((cpu * 1000) / r.requests);
    entry.bad += r.bad;
    results.set(key, entry);
  };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const t of targets) {
      for (const mode of MODES) {
        if (mode.name !== "keep-alive" && t.pid === undefined) continue;
        const before = t.pid === undefined ? 0 : cpuMs(t.pid);
        const r = await wrk(mode.path ? t.url.replace("/skeleton-svc/hello", mode.path) : t.url, mode.headers);
        const cpu = t.pid === undefined ? undefined : cpuMs(t.pid) - before;
        const key = `${t.name} ${mode.name}`;
        record(key, r, cpu);
        console.log(`round=${round} ${key} rps=${r.rps.toFixed(0)} p99=${r.p99Ms.toFixed(2)}ms non2xx=${r.non2xx} socket-errors=${r.errors}${cpu === undefined ? "" : ` cpu=${((cpu * 1000) / Math.max(1, r.requests)).toFixed(1)}us/req`}`);
      }
    }
  }
  console.log("--- medians");
  for (const [key, e] of results) {
    const ref = results.get(key.replace(/^\S+/, "nginx-tls"));
    const ratio = ref && !key.startsWith("nginx") ? `  /nginx ${(median(e.rps) / median(ref.rps)).toFixed(2)}× req/s, ${(median(e.p99) / median(ref.p99)).toFixed(2)}× p99` : "";
    const cpu = e.cpuUs.length ? `, ${median(e.cpuUs).toFixed(1)} µs CPU/req` : "";
    console.log(`${key.padEnd(24)} ${median(e.rps).toFixed(0).padStart(7)} ${key.endsWith("handshake") ? "handshakes/s" : "req/s"}, p99 ${median(e.p99).toFixed(2)} ms${cpu}, bad ${e.bad}${ratio}`);
  }

  console.log("--- saveRoutes → serving");
  await routeLatency(edge, edge, ca, `http://127.0.0.1:${routeB.port}`, "sqlite");
  await edge.node.stop();
  if (usePostgres) {
    const pg = await privatePostgres();
    const storage: Storage = { dialect: "postgres", url: pg.url, prefix: "edgebench_" };
    const a = await startEdge(binary, "node-a", storage);
    const b = await startEdge(binary, "node-b", storage);
    const saved = await call("PUT", `${a.node.url}/proxy-svc/certs`, { certs: [{ id: HOST, cert: bundle }] }, a.token);
    if (saved.status !== 200) throw new Error(`saveCerts on A: ${saved.status} ${JSON.stringify(saved.body)}`);
    await call("PUT", `${a.node.url}/proxy-svc/routes`, { routes: [{ id: HOST, target: `http://127.0.0.1:${upstreamPort}` }] }, a.token);
    await waitOk("B serving A's certificate and route", async () => (await edgeGet(b.httpsPort, "/skeleton-svc/hello", ca)).status === 200);
    await routeLatency(a, a, ca, `http://127.0.0.1:${routeB.port}`, "pg-same-node");
    await routeLatency(a, b, ca, `http://127.0.0.1:${routeB.port}`, "pg-other-node");
  }
}

try {
  await main();
} finally {
  await cleanUp();
}

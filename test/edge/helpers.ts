/**
 * @module Edge listener harness: the real listeners (listeners.ts) on loopback port 0 over the real
 * proxy engine, with an EdgeTable the test fills directly (no store), a fake registry view and token
 * gate (test/proxy/helpers.ts), and certificates made by openssl under a test CA in a temp folder.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect, type PeerCertificate } from "node:tls";
import type { BaseDeps } from "../../src/modules/module";
import { createLogger } from "../../src/lib/log";
import { startEdgeListeners, type EdgeListeners } from "../../src/modules/edge/listeners";
import { EdgeTable, type EdgeCertificate } from "../../src/modules/edge/model";
import { createProxyModule, type ProxyModule } from "../../src/modules/proxy";
import { testConfig } from "../helpers/config";
import { tempDir, type TempDir } from "../helpers/temp-dir";
import { fakeGate, FakeRouting } from "../proxy/helpers";

/** 32 bytes as hex: the edge refuses to start without OB_ENCRYPTION_KEY (the harness stores nothing). */
export const TEST_ENCRYPTION_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

export interface EdgeHarness {
  table: EdgeTable;
  routing: FakeRouting;
  proxy: ProxyModule;
  listeners: EdgeListeners;
  /** ACME answers the HTTP listener serves: token → key authorization. */
  challenges: Map<string, string>;
  logs: string[];
  httpUrl: string;
  httpsPort: number | undefined;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The edge listeners on 127.0.0.1:0 (both, or the plain one with `testMode`). `env` adds OB_* variables. */
export async function edgeHarness(options: { testMode?: boolean; env?: Record<string, string>; routing?: FakeRouting } = {}): Promise<EdgeHarness> {
  const routing = options.routing ?? new FakeRouting();
  const logs: string[] = [];
  const log = createLogger("info", (line) => logs.push(line));
  const config = testConfig("/tmp", {
    OB_EDGE_PROXY: "true",
    OB_EDGE_PROXY_TEST_MODE: options.testMode ? "true" : "false",
    OB_EDGE_PROXY_HTTPS_PORT: "127.0.0.1:0",
    OB_EDGE_PROXY_HTTP_PORT: "127.0.0.1:0",
    OB_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    ...options.env,
  });
  const deps = { config, log, clock: { now: () => Date.now() } } as unknown as BaseDeps;
  const proxy = createProxyModule(deps, fakeGate, routing);
  const table = new EdgeTable();
  const challenges = new Map<string, string>();
  const listeners = await startEdgeListeners({ config, log, table, forward: proxy.edge, challenges: { answer: (token) => challenges.get(token) } });
  return {
    table,
    routing,
    proxy,
    listeners,
    challenges,
    logs,
    httpUrl: `http://127.0.0.1:${listeners.httpPort}`,
    httpsPort: listeners.httpsPort,
    async [Symbol.asyncDispose]() {
      await listeners.stop(500);
      await proxy.stop?.();
    },
  };
}

/** Routes as the store would put them in the table (host lower-cased, path without trailing slash). */
export function routes(entries: Record<string, string>) {
  return Object.entries(entries).map(([id, target]) => ({ id, ...keyOf(id), target }));
}

export function redirects(entries: Record<string, { target: string; statusCode?: 301 | 302 | 303 | 307 | 308 }>) {
  return Object.entries(entries).map(([id, r]) => ({ id, ...keyOf(id), target: r.target, statusCode: r.statusCode ?? (308 as const) }));
}

function keyOf(id: string): { host: string; path: string } {
  const slash = id.indexOf("/");
  return { host: (slash < 0 ? id : id.slice(0, slash)).toLowerCase(), path: slash < 0 ? "" : id.slice(slash).replace(/\/+$/, "") };
}

/** A test CA in a temp folder that signs leaf certificates for given names (openssl). */
export class TestCa implements AsyncDisposable {
  readonly dir: TempDir = tempDir("1backend-edge-ca-");
  readonly certPem: string;
  private serial = 0;

  constructor() {
    openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "3", "-subj", "/CN=edge test CA", "-keyout", this.path("ca.key"), "-out", this.path("ca.crt")]);
    this.certPem = readFileSync(this.path("ca.crt"), "utf8");
  }

  /** A certificate for `names` (the first is its id and CN) signed by this CA, as the table holds one. */
  issue(names: string[], id = names[0]!): EdgeCertificate {
    const n = ++this.serial;
    const [key, csr, crt, ext] = ["key", "csr", "crt", "ext"].map((e) => this.path(`leaf${n}.${e}`));
    writeFileSync(ext!, `subjectAltName=${names.map((name) => `DNS:${name}`).join(",")}\n`);
    openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", `/CN=${names[0]}`, "-keyout", key!, "-out", csr!]);
    openssl(["x509", "-req", "-in", csr!, "-CA", this.path("ca.crt"), "-CAkey", this.path("ca.key"), "-set_serial", String(1000 + n), "-days", "2", "-extfile", ext!, "-out", crt!]);
    const certPem = readFileSync(crt!, "utf8");
    const x509 = new X509Certificate(certPem);
    return { id, names, certPem, keyPem: readFileSync(key!, "utf8"), notBefore: Date.parse(x509.validFrom), notAfter: Date.parse(x509.validTo) };
  }

  private path(name: string): string {
    return join(this.dir.path, name);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dir[Symbol.asyncDispose]();
  }
}

function openssl(args: string[]): void {
  const made = Bun.spawnSync(["openssl", ...args], { stdout: "ignore", stderr: "pipe" });
  if (made.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${made.stderr.toString()}`);
}

/** A TLS handshake with `servername` at 127.0.0.1:`port`, verified against `ca`: the peer certificate, or the error. */
export function handshake(port: number, servername: string | undefined, ca: string): Promise<{ ok: true; cert: PeerCertificate } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, servername, ca, rejectUnauthorized: true }, () => {
      resolve({ ok: true, cert: socket.getPeerCertificate() });
      socket.end();
    });
    socket.on("error", (err) => resolve({ ok: false, error: (err as NodeJS.ErrnoException).code ?? err.message }));
  });
}

/** fetch over TLS to 127.0.0.1:`port` as host `host` (SNI and Host), trusting `ca`. */
export function fetchTls(port: number, host: string, path: string, ca: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`https://127.0.0.1:${port}${path}`, {
    ...init,
    headers: { host, ...(init.headers as Record<string, string> | undefined) },
    redirect: "manual",
    tls: { ca, serverName: host },
  } as RequestInit);
}

/**
 * @module The edge listeners (contract §8), apart from the API listener; the API is not served on them.
 * - HTTPS on `OB_EDGE_PROXY_HTTPS_PORT`: the edge handler (handler.ts), certificate by SNI (tls.ts).
 * - HTTP on `OB_EDGE_PROXY_HTTP_PORT`: `/.well-known/acme-challenge/<token>` answered from `challenges`
 *   before anything else; every other request 301 to `https://` (this listener's HTTPS port) for a host
 *   that has a route, a redirect or a certificate, else 404 — so the table is never read twice for one
 *   request and a scan for random names learns nothing.
 * - `OB_EDGE_PROXY_TEST_MODE=true`: the HTTP listener alone, running the edge handler itself.
 *
 * Certificate changes without a restart: Bun 1.4.5's `server.reload()` ignores `tls` (it swaps only the
 * handlers; verified in test/edge/tls.test.ts), so a change starts a new TLS server on the same port
 * (SO_REUSEPORT, which every TLS server of the edge sets) and then stops the old one gracefully
 * (`stop(false)`): new connections reach the new one; requests in flight, streams (SSE) and WebSockets
 * finish on the old one, with the certificate they were made with; idle keep-alive connections are
 * closed at once, so their clients reconnect (and get the new certificate), as on any graceful reload. A used port is still refused at start (an exclusive bind is
 * tried first) unless `OB_REUSE_PORT=true` says nodes share it. Changes of one turn are swapped once;
 * a swap is also due when a held certificate becomes valid or expires (tls.ts `changesAt`), so a
 * certificate saved before its `notBefore` takes over from an expiring one without another change.
 */
import type { Server, TLSOptions } from "bun";
import type { Config } from "../../config";
import { formatAddress, listen } from "../../http/listen";
import { renderError } from "../../http/render-error";
import type { Logger } from "../../lib/log";
import type { EdgeForward } from "../proxy/forward";
import { pathStartOf } from "../proxy/target";
import { challengeNotFound, routeNotFound } from "./errors";
import { EdgeRouter, type EdgeScheme } from "./handler";
import { hostKeyOf } from "./match";
import type { EdgeTable } from "./model";
import { CertificateIndex, placeholderCertificate } from "./tls";

export type { EdgeForward } from "../proxy/forward";

/** Answers of the ACME HTTP-01 challenges under way (acme.ts). */
export interface ChallengeAnswers {
  /** The key authorization for `token`, or undefined when no challenge has it. */
  answer(token: string): string | undefined;
}

export interface EdgeListenersOptions {
  config: Config;
  log: Logger;
  table: EdgeTable;
  forward: EdgeForward;
  challenges?: ChallengeAnswers;
}

export interface EdgeListeners {
  /** The bound HTTP port (the real one when 0 was asked for). */
  httpPort: number;
  /** The bound HTTPS port; undefined in test mode. */
  httpsPort?: number;
  /** Stops accepting, lets open requests finish (up to `graceMs`), closes everything. */
  stop(graceMs?: number): Promise<void>;
}

const CHALLENGE_PREFIX = "/.well-known/acme-challenge/";

/** Starts the edge listeners the config asks for; throws `ListenError` (http/listen.ts) for a used address. */
export async function startEdgeListeners(options: EdgeListenersOptions): Promise<EdgeListeners> {
  const { config, log, table, forward, challenges } = options;
  const router = new EdgeRouter({ table, forward, log });
  const servers: { stop(graceMs: number): Promise<void> }[] = [];
  const stopAll = async (graceMs = 10_000) => {
    router.close();
    await Promise.all(servers.map((s) => s.stop(graceMs)));
  };
  try {
    const base = { maxRequestBodySize: Number.MAX_SAFE_INTEGER, idleTimeout: 255, development: false, websocket: forward.websocket } as const;
    if (config.edgeTestMode) {
      const http = listen<unknown>({ ...base, hostname: config.edgeHttp.host, port: config.edgeHttp.port, fetch: (request, server) => answerChallenge(request, challenges) ?? router.handle(request, server, "http") }, config.reusePort, log);
      servers.push(serverStopper(http));
      log.info("edge listening", { http: `http://${formatAddress(config.edgeHttp.host, http.port!)}`, testMode: true });
      return { httpPort: http.port!, stop: stopAll };
    }
    const tls = new TlsListener(config, log, table, (request, server) => router.handle(request, server, "https"), base);
    servers.push(tls);
    const httpsPort = tls.port;
    const plain = (request: Request): Response => answerChallenge(request, challenges) ?? toHttps(request, httpsPort, (host) => router.hasHost(host) || tls.certificates.certificateFor(host) !== undefined);
    const http = listen<unknown>({ ...base, hostname: config.edgeHttp.host, port: config.edgeHttp.port, fetch: plain }, config.reusePort, log);
    servers.push(serverStopper(http));
    log.info("edge listening", { https: `https://${formatAddress(config.edgeHttps.host, httpsPort)}`, http: `http://${formatAddress(config.edgeHttp.host, http.port!)}` });
    return { httpPort: http.port!, httpsPort, stop: stopAll };
  } catch (err) {
    await stopAll(0);
    throw err;
  }
}

/** An ACME HTTP-01 answer (RFC 8555 §8.3) for a challenge path; undefined for any other path. */
function answerChallenge(request: Request, challenges: ChallengeAnswers | undefined): Response | undefined {
  const url = request.url;
  const pathStart = pathStartOf(url);
  if (pathStart < 0 || !url.startsWith(CHALLENGE_PREFIX, pathStart)) return undefined;
  const end = url.indexOf("?", pathStart);
  const token = url.slice(pathStart + CHALLENGE_PREFIX.length, end < 0 ? url.length : end);
  const answer = request.method === "GET" || request.method === "HEAD" ? challenges?.answer(token) : undefined;
  if (answer === undefined) return renderError(challengeNotFound(), request);
  return new Response(answer, { headers: { "content-type": "application/octet-stream" } });
}

/** 301 to the same host, path and query on `https://` (port `httpsPort`) when `known(host)`; else 404. */
function toHttps(request: Request, httpsPort: number, known: (host: string) => boolean): Response {
  const url = request.url;
  const pathStart = pathStartOf(url);
  const host = hostKeyOf(request.headers.get("host"));
  const path = pathStart < 0 ? "/" : url.slice(pathStart);
  if (host === undefined || pathStart < 0 || !known(host.name)) return renderError(routeNotFound(host?.name ?? "", path.replace(/\?.*$/s, "")), request);
  const port = httpsPort === 443 ? "" : `:${httpsPort}`;
  return new Response(null, { status: 301, headers: { location: `https://${host.name}${port}${path}` } });
}

function serverStopper(server: Server<unknown>): { stop(graceMs: number): Promise<void> } {
  return { stop: (graceMs) => stopGracefully(server, graceMs) };
}

/** Stops accepting, waits for open connections up to `graceMs`, then closes them. */
async function stopGracefully(server: Server<unknown>, graceMs: number): Promise<void> {
  const drained = server.stop(false);
  const timer = setTimeout(() => server.stop(true), graceMs);
  await drained;
  clearTimeout(timer);
}

type Fetch = (request: Request, server: Server<unknown>) => Promise<Response | undefined>;

/** The HTTPS listener: a TLS server swapped for a new one when the certificates change (module note). */
class TlsListener {
  certificates: CertificateIndex;
  readonly port: number;
  private server: Server<unknown>;
  private readonly placeholder = placeholderCertificate();
  /** Replaced servers still finishing their connections; closed for good only by stop(). */
  private readonly retiring = new Set<Server<unknown>>();
  private swapQueued = false;
  private stopped = false;
  /** The swap due at `certificates.changesAt`. */
  private dueTimer: Timer | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
    private readonly table: EdgeTable,
    private readonly fetch: Fetch,
    private readonly base: { maxRequestBodySize: number; idleTimeout: number; development: false; websocket: EdgeForward["websocket"] },
  ) {
    this.certificates = new CertificateIndex(table.certs().values(), Date.now());
    const { host, port } = config.edgeHttps;
    // The exclusive bind refuses a used port (contract §2 "listening"); swaps then need SO_REUSEPORT.
    let wanted = port;
    if (!config.reusePort) {
      const probe = listen<unknown>({ hostname: host, port, fetch: () => new Response(null, { status: 503 }) }, false, log);
      wanted = probe.port!;
      probe.stop(true);
    }
    this.server = this.serve(wanted, this.certificates.tlsOptions(this.placeholder));
    this.port = this.server.port!;
    this.unsubscribe = table.onChange((change) => {
      if (change === "certs") this.queueSwap();
    });
    this.scheduleDue();
  }

  private queueSwap(): void {
    if (this.swapQueued) return;
    this.swapQueued = true;
    queueMicrotask(() => this.swap());
  }

  /** A swap when the choice of certificates may change by time alone (setTimeout's bound: ~24 days, then again). */
  private scheduleDue(): void {
    clearTimeout(this.dueTimer);
    const at = this.certificates.changesAt;
    if (at === Infinity) return;
    this.dueTimer = setTimeout(() => this.queueSwap(), Math.min(Math.max(at - Date.now(), 0) + 1000, 2 ** 31 - 1));
    this.dueTimer.unref();
  }

  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    clearTimeout(this.dueTimer);
    await Promise.all([this.server, ...this.retiring].map((server) => stopGracefully(server, graceMs)));
  }

  private serve(port: number, tls: TLSOptions[]): Server<unknown> {
    return listen<unknown>({ ...this.base, hostname: this.config.edgeHttps.host, port, tls, fetch: this.fetch }, true, this.log);
  }

  /** The new certificates on a new server; the old one finishes its connections (module note). */
  private swap(): void {
    this.swapQueued = false;
    if (this.stopped) return;
    const certificates = new CertificateIndex(this.table.certs().values(), Date.now());
    if (certificates.sameChoice(this.certificates)) {
      this.certificates = certificates;
      this.scheduleDue();
      return;
    }
    let next: Server<unknown>;
    try {
      next = this.serve(this.port, certificates.tlsOptions(this.placeholder));
    } catch (err) {
      // A certificate Bun cannot load (the store validates them, so a bug): the old ones keep serving.
      this.log.error("edge certificates not applied: the TLS listener could not start with them", { error: String(err) });
      return;
    }
    const old = this.server;
    this.server = next;
    this.certificates = certificates;
    this.scheduleDue();
    this.retiring.add(old);
    void old.stop(false).then(() => this.retiring.delete(old));
    this.log.info("edge certificates applied", { names: certificates.size });
  }
}

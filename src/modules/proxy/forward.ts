/**
 * @module The proxy's request path (contract §5): slug → instance → upstream, streaming both ways.
 * Per request: the slug from the handler's one scan of the URL (target.ts), one read of the slug's
 * in-memory instance list from the registry (no database), the hop count (one field read and a digit
 * parsed, hops.ts), a header edit in place, one fetch chained without extra await layers. A connection
 * failure marks the instance Unreachable at once and the request goes to another instance, up to
 * `OB_PROXY_RETRIES` times, while no body byte was sent (try-instances.ts, shared with websocket.ts).
 * Metrics (../observability/proxy-metrics.ts): one lookup of the slug's counts when the request ends,
 * array increments and one histogram observe; the upstream gets the request id and a W3C traceparent.
 */
import type { Server } from "bun";
import type { Config } from "../../config";
import type { AuthGate } from "../auth-gate";
import { peerOf } from "../../http/client-address";
import { AppError } from "../../http/errors";
import { renderError } from "../../http/render-error";
import { requestIdOf } from "../../http/request-id";
import { ensureTraceHeaders, traceparentOf } from "../../http/trace-context";
import type { TrustCheck } from "../../http/trust";
import type { Logger } from "../../lib/log";
import { UNKNOWN_SLUG, type ProxyMetrics } from "../observability/proxy-metrics";
import type { InstanceRouting, PinnedConnect, RoutedInstance } from "../registry/routing";
import * as errors from "./errors";
import { incomingHeaders, isWebSocketUpgrade, stripHopByHop, upstreamRequestHeaders } from "./headers";
import { HOPS_HEADER, hopsOf, MAX_HOPS } from "./hops";
import type { Picker } from "./pick";
import { targetOf, type ProxyTarget } from "./target";
import { InstanceLoop } from "./try-instances";
import { UpstreamCall, type CallSettings, type FailureKind } from "./upstream-call";
import type { WebSocketProxy } from "./websocket";

export interface ForwarderOptions {
  config: Config;
  log: Logger;
  gate: AuthGate;
  routing: InstanceRouting;
  picker: Picker;
  trust: TrustCheck;
  websockets: WebSocketProxy;
  metrics: ProxyMetrics;
}

/**
 * `pathStart` and `segment`: where the path starts in `request.url` and what scanFirstSegment() found
 * there, as the server's handler found them; found here when absent (a proxy without the handler).
 */
export type Forward = (request: Request, server?: Server<unknown>, pathStart?: number, segment?: number) => Promise<Response | undefined>;

/** The `forward` function the server's handler calls for every non-built-in path, and its connection pool. */
export class Forwarder {
  /** Bound once, so the module hands it out as a plain function. */
  readonly forward: Forward;
  private readonly log: Logger;
  private readonly gate: AuthGate;
  private readonly routing: InstanceRouting;
  private readonly trust: TrustCheck;
  private readonly websockets: WebSocketProxy;
  private readonly metrics: ProxyMetrics;
  // Upstream connections in a pool of their own, apart from the server's other fetches (probes);
  // session.fetch also costs less per call than global fetch (bench/proxy/README.md, "FetchSession").
  private readonly session = new Bun.FetchSession();
  private readonly settings: CallSettings;
  private readonly loop: InstanceLoop<Response, undefined>;

  constructor(options: ForwarderOptions) {
    const { config, routing, picker, metrics } = options;
    this.log = options.log;
    this.gate = options.gate;
    this.routing = routing;
    this.trust = options.trust;
    this.websockets = options.websockets;
    this.metrics = metrics;
    this.settings = { connectMs: config.proxyConnectTimeoutMs, responseMs: config.proxyTimeoutMs, fetch: this.session.fetch as CallSettings["fetch"] };
    this.loop = new InstanceLoop<Response, undefined>({
      routing,
      picker,
      retries: config.proxyRetries,
      attempt: (loop, request, target, headers, tried, instance, pin) => this.attempt(loop, request, target, headers, tried, instance, pin),
      answer: (request, slug, error) => this.failWith(request, slug, error),
      onConnectFailure: (request, slug, instance, reason) => {
        this.logFailure(request, instance, "connect", reason);
        metrics.of(slug).connectFailures++;
      },
      onRetry: (slug) => metrics.of(slug).retries++, // another instance after a connect failure
    });
    this.forward = (request, server, pathStart, segment) => this.forwardRequest(request, server, pathStart, segment);
  }

  /** Closes the idle upstream connections (requests in flight finish). */
  close(): void {
    this.session.close();
  }

  // Not async: the common case returns fetch's promise chain without extra await layers.
  private forwardRequest(request: Request, server: Server<unknown> | undefined, pathStart: number | undefined, segment: number | undefined): Promise<Response | undefined> {
    const target = targetOf(request.url, pathStart, segment);
    if (target === undefined) return this.refuseUnknown(request);
    // The request's one read of the registry: the first attempt picks from this list (try-instances.ts).
    const instances = this.routing.instancesOf(target.slug);
    if (instances.length === 0) return this.refuseUnknown(request);
    // Before the token gate: a loop costs no token check per hop. Read before Connection-listed
    // fields are removed, so listing the count there cannot hide it (hops.ts).
    const hops = hopsOf(request.headers.get(HOPS_HEADER));
    if (hops >= MAX_HOPS) return this.refuseLoop(request, target, hops);
    const upgrade = server !== undefined && isWebSocketUpgrade(request);
    // server.upgrade() reads the handshake fields from the request, so an upgrade edits a copy.
    const headers = incomingHeaders(request, upgrade, hops);
    // Read after the strip: `Connection: authorization` addressed the token to this hop (headers.ts).
    const authorization = headers.get("authorization");
    if (authorization === null) return this.proceed(request, server, target, instances, headers, upgrade, null);
    return this.gate.authorizationForUpstream(authorization).then(
      (forwarded) => this.proceed(request, server, target, instances, headers, upgrade, forwarded),
      (err) => (err instanceof AppError ? this.failWith(request, target.slug, err) : this.failInternally(request, target.slug, "proxy token check failed", err)),
    );
  }

  /** After the token decision: the rest of the headers, then a WebSocket upgrade or the HTTP attempts. */
  private proceed(request: Request, server: Server<unknown> | undefined, target: ProxyTarget, instances: readonly RoutedInstance[], headers: Headers, upgrade: boolean, authorization: string | null): Promise<Response | undefined> {
    upstreamRequestHeaders(headers, peerOf(server?.requestIP(request)?.address, this.trust), authorization);
    // The request id and trace reach the upstream even when the client sent none (or an invalid one).
    // Edited in place, the request's own headers then hold them for the log line and error answers
    // (no per-request map entry on the hot path); a handshake's copy takes them from the request.
    if (headers === request.headers) ensureTraceHeaders(headers);
    else {
      headers.set("x-request-id", requestIdOf(request));
      headers.set("traceparent", traceparentOf(request));
    }
    if (!upgrade) return this.loop.run(request, target, headers, instances, undefined);
    return this.websockets.upgrade(request, server!, target, headers, instances).catch((err) => this.failInternally(request, target.slug, "proxy websocket upgrade failed", err, target.slug));
  }

  /** One HTTP attempt at one instance (the loop's per-protocol part; `pin` as try-instances.ts says). */
  private attempt(loop: InstanceLoop<Response, undefined>, request: Request, target: ProxyTarget, headers: Headers, tried: string[] | undefined, instance: RoutedInstance, pin: PinnedConnect | undefined): Promise<Response> {
    const base = pin === undefined ? instance.url : pin.url;
    const started = performance.now();
    const call = new UpstreamCall(this.settings);
    return call.send(request, base, base + target.pathAndQuery, headers, pin?.tls).then(
      (response) => {
        call.settle();
        const stats = this.metrics.of(target.slug);
        stats.upstreamLatency(performance.now() - started);
        stats.response(request.method, response.status);
        stripHopByHop(response.headers);
        return response;
      },
      (error) => {
        call.settle();
        const failure = call.failureOf(error);
        if (failure === "connect") return loop.connectFailed(request, target, headers, tried, instance, error, undefined);
        this.logFailure(request, instance, failure, error);
        return this.failWith(request, target.slug, failure === "timeout" ? errors.upstreamTimeout() : errors.badGateway());
      },
    );
  }

  /** The proxy's own error answer, counted for `slug` (a slug with instances, or UNKNOWN_SLUG). */
  private failWith(request: Request, slug: string, error: AppError): Response {
    this.metrics.of(slug).ownError(request.method, error.status);
    return renderError(error, request);
  }

  /**
   * A bug on our side inside the token check or an upgrade: logged as `message` with the request id
   * (and `loggedSlug`, the upgrade's) and answered 500 here; a rejection left to Bun.serve would be a
   * bare text/plain 500 with no CORS, request id or log line.
   */
  private failInternally(request: Request, slug: string, message: string, err: unknown, loggedSlug?: string): Response {
    const id = requestIdOf(request);
    this.log.error(message, { id, slug: loggedSlug, error: String(err), stack: (err as Error | undefined)?.stack });
    return this.failWith(request, slug, errors.internalError(id));
  }

  /** Not a slug, or one without instances: counted under UNKNOWN_SLUG (its own label would be unbounded). */
  private refuseUnknown(request: Request): Promise<Response> {
    return Promise.resolve(this.failWith(request, UNKNOWN_SLUG, errors.noInstances()));
  }

  private refuseLoop(request: Request, target: ProxyTarget, hops: number): Promise<Response> {
    this.log.warn("proxy loop detected", { id: requestIdOf(request), slug: target.slug, hops });
    return Promise.resolve(this.failWith(request, target.slug, errors.loopDetected()));
  }

  private logFailure(request: Request, instance: RoutedInstance, failure: FailureKind, error: unknown): void {
    if (failure === "client") return;
    const e = error as { code?: string; message?: string } | undefined;
    this.log.warn("proxy upstream failure", {
      id: requestIdOf(request),
      slug: instance.slug,
      instance: instance.id,
      failure,
      error: e?.code ?? e?.message ?? String(error),
    });
  }
}

/**
 * @module The proxy's request path (contract §5): slug → instance → upstream, streaming both ways.
 * Per request: the slug from the handler's one scan of the URL (target.ts), one read of the slug's
 * in-memory instance list from the registry (no database), the hop count (one field read and a digit
 * parsed, hops.ts), a header edit in place, one fetch chained without extra await layers. A connection
 * failure marks the instance Unreachable at once and the request goes to another instance, up to
 * `OB_PROXY_RETRIES` times, while no body byte was sent (try-instances.ts, shared with websocket.ts).
 * Metrics (../observability/proxy-metrics.ts): one lookup of the slug's counts when the request ends,
 * array increments and one histogram observe; the upstream gets the request id and a W3C traceparent.
 *
 * The edge listeners (issue 13, ../edge/handler.ts) forward through the same engine ({@link EdgeForward}):
 * a `slug:` route to the slug's instances with the request's whole path, an absolute URL route to that
 * URL as a one-instance upstream that is not in the registry (no retries: there is no other
 * instance). Either way the client's `Host` is kept and `X-Forwarded-Proto` is the listener's scheme.
 */
import type { Server, WebSocketHandler } from "bun";
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
  /** WebSockets to an edge route's absolute URL: a proxy over {@link URL_ROUTING}, without retries. */
  urlWebsockets: WebSocketProxy;
  metrics: ProxyMetrics;
}

/**
 * Where an edge route sends requests, parsed once when the route table changes (never per request):
 * a slug balanced over its instances, or an absolute URL as its one instance.
 */
export interface EdgeUpstream {
  /** The slug, or {@link URL_UPSTREAM} for an absolute URL (its label in the proxy metrics). */
  slug: string;
  /** The URL as a one-instance list (not in the registry); undefined for a slug. */
  instances?: readonly RoutedInstance[];
}

/** The edge's way into the forwarding engine (issue 13). */
export interface EdgeForward {
  /**
   * Forwards `request` to `upstream` with `pathAndQuery` (the request's raw path and query, prefix
   * not stripped), `Host` kept, `X-Forwarded-Proto` = `scheme` unless a trusted proxy sent one;
   * `undefined` when it became a WebSocket. Hop-by-hop, X-Forwarded-*, token, loop, retry and
   * timeout rules are the slug proxy's.
   */
  forward(request: Request, server: Server<unknown> | undefined, upstream: EdgeUpstream, pathAndQuery: string, scheme: "http" | "https"): Promise<Response | undefined>;
  /** Bun.serve WebSocket handlers for upgrades through the edge (the same pipes as the slug proxy's). */
  websocket: WebSocketHandler<unknown>;
}

/** The metrics label and picker key of absolute URL upstreams (not a valid slug, so never one of them). */
export const URL_UPSTREAM = "_edge_url";

/**
 * A route target as an {@link EdgeUpstream}: `slug:<service>`, or an absolute http(s) URL whose
 * trailing `/` is dropped (the request path is appended to it, as 1Backend does); `undefined` otherwise.
 */
export function edgeUpstreamOf(target: string): EdgeUpstream | undefined {
  if (target.startsWith("slug:")) {
    const slug = target.slice(5);
    return /^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug) ? { slug } : undefined;
  }
  if (!/^https?:\/\/[^\s/?#]+/i.test(target) || !URL.canParse(target)) return undefined;
  const url = target.replace(/[?#].*$/s, "").replace(/\/+$/, "");
  return { slug: URL_UPSTREAM, instances: [{ id: url, slug: URL_UPSTREAM, url, status: "Healthy" }] };
}

/**
 * The registry view of URL upstreams: nothing to look up (the one instance comes with the request),
 * nothing to mark (a URL that refused a connect is tried again by the next request), no policy check
 * (routes are an admin's configuration, like the instance URLs an admin could register).
 */
export const URL_ROUTING: InstanceRouting = { instancesOf: () => [], reportConnectFailure: () => undefined };

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
  private readonly urlWebsockets: WebSocketProxy;
  private readonly metrics: ProxyMetrics;
  // Upstream connections in a pool of their own, apart from the server's other fetches (probes);
  // session.fetch also costs less per call than global fetch (bench/proxy/README.md, "FetchSession").
  private readonly session = new Bun.FetchSession();
  private readonly settings: CallSettings;
  private readonly loop: InstanceLoop<Response, undefined>;
  /** The edge's absolute URL upstreams: one instance each, so no retry. */
  private readonly urlLoop: InstanceLoop<Response, undefined>;
  /** The engine as the edge listeners call it. */
  readonly edge: EdgeForward;

  constructor(options: ForwarderOptions) {
    const { config, routing, picker, metrics } = options;
    this.log = options.log;
    this.gate = options.gate;
    this.routing = routing;
    this.trust = options.trust;
    this.websockets = options.websockets;
    this.urlWebsockets = options.urlWebsockets;
    this.metrics = metrics;
    this.settings = { connectMs: config.proxyConnectTimeoutMs, responseMs: config.proxyTimeoutMs, fetch: this.session.fetch as CallSettings["fetch"] };
    const loopOptions = {
      routing,
      picker,
      retries: config.proxyRetries,
      attempt: (loop: InstanceLoop<Response, undefined>, request: Request, target: ProxyTarget, headers: Headers, tried: string[] | undefined, instance: RoutedInstance, pin: PinnedConnect | undefined) =>
        this.attempt(loop, request, target, headers, tried, instance, pin),
      answer: (request: Request, slug: string, error: AppError) => this.failWith(request, slug, error),
      onConnectFailure: (request: Request, slug: string, instance: RoutedInstance, reason: unknown) => {
        this.logFailure(request, instance, "connect", reason);
        metrics.of(slug).connectFailures++;
      },
      onRetry: (slug: string) => metrics.of(slug).retries++, // another instance after a connect failure
    };
    this.loop = new InstanceLoop<Response, undefined>(loopOptions);
    this.urlLoop = new InstanceLoop<Response, undefined>({ ...loopOptions, routing: URL_ROUTING, retries: 0 });
    this.forward = (request, server, pathStart, segment) => this.forwardRequest(request, server, pathStart, segment);
    this.edge = {
      forward: (request, server, upstream, pathAndQuery, scheme) => this.forwardEdge(request, server, upstream, pathAndQuery, scheme),
      websocket: options.websockets.handlers,
    };
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
    return this.dispatch(request, server, target, instances, false);
  }

  /** An edge route's request (see {@link EdgeForward.forward}). */
  private forwardEdge(request: Request, server: Server<unknown> | undefined, upstream: EdgeUpstream, pathAndQuery: string, scheme: "http" | "https"): Promise<Response | undefined> {
    const target: ProxyTarget = { slug: upstream.slug, pathAndQuery, edgeScheme: scheme };
    if (upstream.instances !== undefined) return this.dispatch(request, server, target, upstream.instances, true);
    const instances = this.routing.instancesOf(upstream.slug);
    if (instances.length === 0) return this.refuseUnknown(request);
    return this.dispatch(request, server, target, instances, false);
  }

  /** Loop check, headers, token, then the attempts; `toUrl`: `instances` is an edge route's one URL. */
  private dispatch(request: Request, server: Server<unknown> | undefined, target: ProxyTarget, instances: readonly RoutedInstance[], toUrl: boolean): Promise<Response | undefined> {
    // Before the token gate: a loop costs no token check per hop. Read before Connection-listed
    // fields are removed, so listing the count there cannot hide it (hops.ts).
    const hops = hopsOf(request.headers.get(HOPS_HEADER));
    if (hops >= MAX_HOPS) return this.refuseLoop(request, target, hops);
    const upgrade = server !== undefined && isWebSocketUpgrade(request);
    // server.upgrade() reads the handshake fields from the request, so an upgrade edits a copy.
    const headers = incomingHeaders(request, upgrade, hops);
    // Read after the strip: `Connection: authorization` addressed the token to this hop (headers.ts).
    const authorization = headers.get("authorization");
    if (authorization === null) return this.proceed(request, server, target, instances, headers, upgrade, null, toUrl);
    return this.gate.authorizationForUpstream(authorization).then(
      (forwarded) => this.proceed(request, server, target, instances, headers, upgrade, forwarded, toUrl),
      (err) => (err instanceof AppError ? this.failWith(request, target.slug, err) : this.failInternally(request, target.slug, "proxy token check failed", err)),
    );
  }

  /** After the token decision: the rest of the headers, then a WebSocket upgrade or the HTTP attempts. */
  private proceed(request: Request, server: Server<unknown> | undefined, target: ProxyTarget, instances: readonly RoutedInstance[], headers: Headers, upgrade: boolean, authorization: string | null, toUrl: boolean): Promise<Response | undefined> {
    upstreamRequestHeaders(headers, peerOf(server?.requestIP(request)?.address, this.trust), authorization, target.edgeScheme);
    // The request id and trace reach the upstream even when the client sent none (or an invalid one).
    // Edited in place, the request's own headers then hold them for the log line and error answers
    // (no per-request map entry on the hot path); a handshake's copy takes them from the request.
    if (headers === request.headers) ensureTraceHeaders(headers);
    else {
      headers.set("x-request-id", requestIdOf(request));
      headers.set("traceparent", traceparentOf(request));
    }
    if (!upgrade) return (toUrl ? this.urlLoop : this.loop).run(request, target, headers, instances, undefined);
    return (toUrl ? this.urlWebsockets : this.websockets).upgrade(request, server!, target, headers, instances).catch((err) => this.failInternally(request, target.slug, "proxy websocket upgrade failed", err, target.slug));
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

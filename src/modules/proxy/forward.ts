/**
 * @module The proxy's request path (contract §5): slug → instance → upstream, streaming both ways.
 * Per request: one scan of the URL, an in-memory instance list from the registry (no database), the
 * hop count (one field read and a digit parsed, hops.ts), a header edit in place, one fetch chained
 * without extra await layers. A connection failure marks the instance Unreachable at once (registry)
 * and the request goes to another instance, up to `OB_PROXY_RETRIES` times, while no body byte was sent.
 * Metrics (../observability/proxy-metrics.ts): one lookup of the slug's counts when the request ends,
 * array increments and one histogram observe; the upstream gets the request id and a W3C traceparent.
 */
import type { Server } from "bun";
import type { Config } from "../../config";
import type { AuthGate } from "../auth-gate";
import { AppError } from "../../http/errors";
import { requestIdOf } from "../../http/request-id";
import { ensureTraceHeaders, traceparentOf } from "../../http/trace-context";
import type { Logger } from "../../lib/log";
import { UNKNOWN_SLUG, type ProxyMetrics } from "../observability/proxy-metrics";
import type { ConnectRefusal, InstanceRouting, PinnedConnect, RoutedInstance } from "../registry/routing";
import * as errors from "./errors";
import { incomingHeaders, isWebSocketUpgrade, stripHopByHop, upstreamRequestHeaders, type ClientInfo } from "./headers";
import { HOPS_HEADER, hopsOf, MAX_HOPS } from "./hops";
import type { Picker } from "./pick";
import { targetOf, type ProxyTarget } from "./target";
import type { TrustCheck } from "../../http/trust";
import { canonicalIp } from "../../lib/ip";
import { UpstreamCall, type CallSettings, type FailureKind } from "./upstream-call";
import type { WebSocketProxy } from "./websocket";

export interface ForwarderDeps {
  config: Config;
  log: Logger;
  gate: AuthGate;
  routing: InstanceRouting;
  picker: Picker;
  trust: TrustCheck;
  websockets: WebSocketProxy;
  metrics: ProxyMetrics;
}

/** `pathStart`: where the path starts in `request.url`, as the server's handler found it. */
export type Forward = (request: Request, server?: Server<unknown>, pathStart?: number) => Promise<Response | undefined>;

export interface Forwarder {
  forward: Forward;
  /** Closes the idle upstream connections (requests in flight finish). */
  close(): void;
}

/** Builds the `forward` function the server's handler calls for every non-built-in path. */
export function createForwarder(deps: ForwarderDeps): Forwarder {
  const { config, log, gate, routing, picker, trust, websockets, metrics } = deps;
  // Upstream connections in a pool of their own, apart from the server's other fetches (probes);
  // session.fetch also costs less per call than global fetch (bench/proxy/README.md, "FetchSession").
  const session = new Bun.FetchSession();
  const settings: CallSettings = {
    connectMs: config.proxyConnectTimeoutMs,
    responseMs: config.proxyTimeoutMs,
    fetch: session.fetch as CallSettings["fetch"],
  };

  /** Tries instances until one answers, a non-retryable failure happens, or the budget is spent. */
  function send(request: Request, target: ProxyTarget, headers: Headers, tried?: string[]): Promise<Response> {
    const instance = picker.pick(target.slug, routing.instancesOf(target.slug), tried);
    if (instance === undefined) return Promise.resolve(failWith(request, target.slug, errors.noHealthyInstances()));
    if (tried !== undefined) metrics.of(target.slug).retries++; // another instance after a connect failure
    // The network policy, before any packet (contract §4): undefined, synchronously, for IP literals;
    // a recently resolved name's pin (the checked address) likewise; a promise when a name is due.
    const verdict = routing.checkConnect?.(instance.id);
    if (verdict === undefined) return attempt(request, target, headers, tried, instance, undefined);
    if (verdict instanceof Promise) {
      return verdict.then((v) => (v === undefined || v.kind === "pinned" ? attempt(request, target, headers, tried, instance, v) : refuse(request, target, headers, tried, instance, v)));
    }
    if (verdict.kind === "pinned") return attempt(request, target, headers, tried, instance, verdict);
    return Promise.resolve(refuse(request, target, headers, tried, instance, verdict));
  }

  /** A host name that does not resolve is a connect failure (next instance); a denied address is final. */
  function refuse(request: Request, target: ProxyTarget, headers: Headers, tried: string[] | undefined, instance: RoutedInstance, refusal: ConnectRefusal): Response | Promise<Response> {
    if (refusal.kind === "unresolved") return retryOrFail(request, target, headers, tried ?? [], instance, "connect", refusal.reason);
    routing.reportConnectFailure(instance.id);
    return failWith(request, target.slug, errors.addressDenied());
  }

  /** `pin`: a host name's checked address, connected to instead of a new lookup of the name (DNS rebinding). */
  function attempt(request: Request, target: ProxyTarget, headers: Headers, tried: string[] | undefined, instance: RoutedInstance, pin: PinnedConnect | undefined): Promise<Response> {
    const base = pin === undefined ? instance.url : pin.url;
    if (pin !== undefined) headers.set("host", pin.host);
    else if (tried !== undefined) headers.delete("host"); // a pinned attempt before this retry set it
    const started = performance.now();
    const call = new UpstreamCall(request, base, settings);
    return call.send(base + target.pathAndQuery, headers, pin?.tls).then(
      (response) => {
        call.settle();
        const stats = metrics.of(target.slug);
        stats.upstreamLatency(performance.now() - started);
        stats.response(request.method, response.status);
        stripHopByHop(response.headers);
        return response;
      },
      (error) => {
        call.settle();
        return retryOrFail(request, target, headers, tried ?? [], instance, call.failureOf(error), error);
      },
    );
  }

  function retryOrFail(request: Request, target: ProxyTarget, headers: Headers, tried: string[], instance: RoutedInstance, failure: FailureKind, error: unknown): Response | Promise<Response> {
    logFailure(request, instance, failure, error);
    if (failure === "connect") {
      routing.reportConnectFailure(instance.id);
      metrics.of(target.slug).connectFailures++;
    }
    if (failure === "timeout") return failWith(request, target.slug, errors.upstreamTimeout());
    if (failure !== "connect" || request.bodyUsed) return failWith(request, target.slug, errors.badGateway());
    tried.push(instance.id);
    if (tried.length > config.proxyRetries) return failWith(request, target.slug, errors.upstreamUnreachable());
    return send(request, target, headers, tried);
  }

  /** The proxy's own error answer, counted for `slug` (a slug with instances, or UNKNOWN_SLUG). */
  function failWith(request: Request, slug: string, error: AppError): Response {
    metrics.of(slug).ownError(request.method, error.status);
    return errors.proxyErrorResponse(request, error);
  }

  function logFailure(request: Request, instance: RoutedInstance, failure: string, error: unknown): void {
    if (failure === "client") return;
    const e = error as { code?: string; message?: string } | undefined;
    log.warn("proxy upstream failure", {
      id: requestIdOf(request),
      slug: instance.slug,
      instance: instance.id,
      failure,
      error: e?.code ?? e?.message ?? String(error),
    });
  }

  function clientOf(request: Request, server: Server<unknown> | undefined): ClientInfo {
    const address = server?.requestIP(request)?.address;
    const ip = address === undefined ? undefined : canonicalIp(address);
    return { ip, trusted: ip !== undefined && trust(ip) };
  }

  /** After the token decision: the rest of the headers, then a WebSocket upgrade or the HTTP attempts. */
  function proceed(request: Request, server: Server<unknown> | undefined, target: ProxyTarget, headers: Headers, upgrade: boolean, authorization: string | null): Promise<Response | undefined> {
    upstreamRequestHeaders(headers, clientOf(request, server), authorization);
    // The request id and trace reach the upstream even when the client sent none (or an invalid one).
    // Edited in place, the request's own headers then hold them for the log line and error answers
    // (no per-request map entry on the hot path); a handshake's copy takes them from the request.
    if (headers === request.headers) ensureTraceHeaders(headers);
    else {
      headers.set("x-request-id", requestIdOf(request));
      headers.set("traceparent", traceparentOf(request));
    }
    if (upgrade) {
      return websockets.upgrade(request, server!, target, headers).catch((err) => {
        // As for the token gate: a rejection left to Bun.serve is a bare 500 with no CORS, request id or log line.
        const id = requestIdOf(request);
        log.error("proxy websocket upgrade failed", { id, slug: target.slug, error: String(err), stack: (err as Error | undefined)?.stack });
        return failWith(request, target.slug, errors.internalError(id));
      });
    }
    return send(request, target, headers);
  }

  function refuseLoop(request: Request, target: ProxyTarget, hops: number): Promise<Response> {
    log.warn("proxy loop detected", { id: requestIdOf(request), slug: target.slug, hops });
    return Promise.resolve(failWith(request, target.slug, errors.loopDetected()));
  }

  // Not async: the common case returns fetch's promise chain without extra await layers.
  const forward: Forward = (request, server, pathStart) => {
    const target = targetOf(request.url, pathStart);
    if (target === undefined || routing.instancesOf(target.slug).length === 0) {
      return Promise.resolve(failWith(request, UNKNOWN_SLUG, errors.noInstances()));
    }
    // Before the token gate: a loop costs no token check per hop. Read before Connection-listed
    // fields are removed, so listing the count there cannot hide it (hops.ts).
    const hops = hopsOf(request.headers.get(HOPS_HEADER));
    if (hops >= MAX_HOPS) return refuseLoop(request, target, hops);
    const upgrade = server !== undefined && isWebSocketUpgrade(request);
    // server.upgrade() reads the handshake fields from the request, so an upgrade edits a copy.
    const headers = incomingHeaders(request, upgrade, hops);
    // Read after the strip: `Connection: authorization` addressed the token to this hop (headers.ts).
    const authorization = headers.get("authorization");
    if (authorization === null) return proceed(request, server, target, headers, upgrade, null);
    return gate.authorizationForUpstream(authorization).then(
      (forwarded) => proceed(request, server, target, headers, upgrade, forwarded),
      (err) => {
        if (err instanceof AppError) return failWith(request, target.slug, err);
        // Rethrown, Bun.serve would answer a bare text/plain 500 with no CORS, request id or log line.
        const id = requestIdOf(request);
        log.error("proxy token check failed", { id, error: String(err), stack: (err as Error | undefined)?.stack });
        return failWith(request, target.slug, errors.internalError(id));
      },
    );
  };
  return { forward, close: () => session.close() };
}

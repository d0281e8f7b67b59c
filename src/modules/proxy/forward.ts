/**
 * @module The proxy's request path (contract §5): slug → instance → upstream, streaming both ways.
 * Per request: one scan of the URL, an in-memory instance list from the registry (no database), a
 * header copy, one fetch. A connection failure marks the instance Unreachable at once (registry) and
 * the request goes to another instance, up to `OB_PROXY_RETRIES` times, while no body byte was sent.
 */
import type { Server } from "bun";
import type { Config } from "../../config";
import type { AuthGate } from "../../http/auth-guard";
import { AppError } from "../../http/errors";
import { requestIdOf } from "../../http/request-id";
import type { Logger } from "../../lib/log";
import type { InstanceRouting, RoutedInstance } from "../registry/routing";
import * as errors from "./errors";
import { isWebSocketUpgrade, stripHopByHop, upstreamRequestHeaders, type ClientInfo } from "./headers";
import type { Picker } from "./pick";
import { targetOf, type ProxyTarget } from "./target";
import type { TrustCheck } from "./trust";
import { plainIp } from "./trust";
import { callUpstream, type CallTimeouts } from "./upstream-call";
import type { WebSocketProxy } from "./websocket";

export interface ForwarderDeps {
  config: Config;
  log: Logger;
  gate: AuthGate;
  routing: InstanceRouting;
  picker: Picker;
  trust: TrustCheck;
  websockets: WebSocketProxy;
}

export type Forward = (request: Request, server?: Server<unknown>) => Promise<Response | undefined>;

/** Builds the `forward` function the server's handler calls for every non-built-in path. */
export function createForwarder(deps: ForwarderDeps): Forward {
  const { config, log, gate, routing, picker, trust, websockets } = deps;
  const timeouts: CallTimeouts = { connectMs: config.proxyConnectTimeoutMs, responseMs: config.proxyTimeoutMs };

  /** Tries instances until one answers, a non-retryable failure happens, or the budget is spent. */
  async function send(request: Request, target: ProxyTarget, headers: Headers): Promise<Response> {
    let tried: string[] | undefined;
    for (let attempt = 0; attempt <= config.proxyRetries; attempt++) {
      const instance = picker.pick(target.slug, routing.instancesOf(target.slug), tried);
      if (instance === undefined) return errors.proxyErrorResponse(request, errors.noHealthyInstances());
      const result = await callUpstream(request, instance.url, instance.url + target.pathAndQuery, headers, timeouts);
      if ("response" in result) return cleanResponse(result.response);
      logFailure(request, instance, result.failure, result.error);
      if (result.failure === "connect") routing.reportConnectFailure(instance.id);
      if (result.failure === "timeout") return errors.proxyErrorResponse(request, errors.upstreamTimeout());
      if (result.failure !== "connect" || request.bodyUsed) return errors.proxyErrorResponse(request, errors.badGateway());
      (tried ??= []).push(instance.id);
    }
    return errors.proxyErrorResponse(request, errors.upstreamUnreachable());
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
    const ip = address === undefined ? undefined : plainIp(address);
    return { ip, trusted: ip !== undefined && trust(ip) };
  }

  return async (request, server) => {
    const target = targetOf(request.url);
    if (target === undefined || routing.instancesOf(target.slug).length === 0) {
      return errors.proxyErrorResponse(request, errors.noInstances());
    }
    let authorization = request.headers.get("authorization");
    if (authorization !== null) {
      try {
        authorization = await gate.authorizationForUpstream(authorization);
      } catch (err) {
        if (err instanceof AppError) return errors.proxyErrorResponse(request, err);
        throw err;
      }
    }
    const upgrade = server !== undefined && isWebSocketUpgrade(request);
    // server.upgrade() reads the handshake fields from the request, so those headers stay untouched.
    const incoming = upgrade ? new Headers(request.headers) : request.headers;
    const headers = upstreamRequestHeaders(incoming, clientOf(request, server), authorization);
    if (upgrade) return websockets.upgrade(request, server!, target, headers);
    return send(request, target, headers);
  };
}

/** The upstream response as the client gets it: same status, body stream and headers minus hop-by-hop. */
function cleanResponse(response: Response): Response {
  stripHopByHop(response.headers);
  return response;
}

/**
 * @module The server's request handler: the request target is read once (where its path starts in
 * `request.url`, and one scan of its first segment), and that decides everything — refusal (400,
 * request-target.ts), built-in (the Elysia app, with CORS, preflight and request ids) or proxy, which
 * is handed both numbers, and the route inside either (contract §2 routing). The Host header plays
 * no part. One log line per request, with its request id and W3C trace id.
 */
import type { Server } from "bun";
import type { App } from "./app";
import type { Deps } from "./deps";
import { BUILT_IN_SEGMENTS } from "./http/built-in-paths";
import { applyCors, preflightResponse } from "./http/cors";
import type { AppError } from "./http/errors";
import { renderError } from "./http/render-error";
import { requestIdOf } from "./http/request-id";
import { traceIdOf, traceparentOf } from "./http/trace-context";
import { canonicalizeUrl, pathAt, refusalOf } from "./http/request-target";
import { pathStartOf, scanFirstSegment, segmentEndOf } from "./modules/proxy/target";

export type RequestHandler = (request: Request, server?: Server<unknown>) => Promise<Response | undefined>;

export function createHandler(deps: Deps, app: App): RequestHandler {
  const { log, proxy } = deps;
  const logRequests = log.enabled("info");

  async function builtIn(request: Request, url: string, pathStart: number): Promise<Response> {
    canonicalizeUrl(request, url, pathStart);
    const origin = request.headers.get("origin");
    const response = request.method === "OPTIONS" ? preflightResponse(origin) : await app.handle(request);
    applyCors(response.headers, origin);
    response.headers.set("x-request-id", requestIdOf(request));
    return response;
  }

  function refused(request: Request, error: AppError): Promise<Response> {
    return Promise.resolve(renderError(error, request));
  }

  function logged(request: Request, path: string, started: number, response: Response | undefined): Response | undefined {
    log.info("request", {
      id: requestIdOf(request),
      // The W3C trace the proxy forwarded (or the caller's, on built-in routes): finds this line from a trace.
      trace: traceIdOf(traceparentOf(request)),
      method: request.method,
      path,
      status: response?.status ?? 101,
      ms: Math.round((performance.now() - started) * 100) / 100,
    });
    return response;
  }

  // Not async: with logging off, a proxied request returns the proxy's promise as it is.
  return (request, server) => {
    const started = logRequests ? performance.now() : 0;
    const url = request.url;
    const pathStart = pathStartOf(url);
    const refusal = refusalOf(request, pathStart);
    let handled: Promise<Response | undefined>;
    if (refusal !== undefined) handled = refused(request, refusal);
    else {
      // The one scan of the first segment: built-in or not, and the proxy's slug (target.ts).
      const segment = scanFirstSegment(url, pathStart);
      handled = isBuiltInPath(url, pathStart, segment) ? builtIn(request, url, pathStart) : proxy.forward(request, server, pathStart, segment);
    }
    return logRequests ? handled.then((response) => logged(request, pathAt(url, pathStart), started, response)) : handled;
  };
}

/**
 * Whether the first segment of the path starting at `pathStart` in `url` is built-in; `segment` is
 * what scanFirstSegment() found there. It compares in place (no substring per request).
 */
export function isBuiltInPath(url: string, pathStart: number, segment: number): boolean {
  const from = pathStart + 1;
  const length = segmentEndOf(segment) - from;
  for (const name of BUILT_IN_SEGMENTS) if (name.length === length && url.startsWith(name, from)) return true;
  return false;
}

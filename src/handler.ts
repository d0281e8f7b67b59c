/**
 * @module The server's request handler: built-in paths go to the Elysia app (with CORS, preflight and
 * request ids), every other path goes to the proxy (contract §2 routing). One log line per request.
 */
import type { Server } from "bun";
import type { App } from "./app";
import type { Deps } from "./deps";
import { applyCors, preflightResponse } from "./http/cors";
import { requestIdOf } from "./http/request-id";

/** First path segments served by the server itself; everything else is a slug for the proxy. */
export const BUILT_IN_SEGMENTS: ReadonlySet<string> = new Set([
  "",
  "user-svc",
  "registry-svc",
  "proxy-svc",
  "swagger",
  "openapi",
  "openapi.json",
  "health",
]);

export type RequestHandler = (request: Request, server?: Server<unknown>) => Promise<Response | undefined>;

export function createHandler(deps: Deps, app: App): RequestHandler {
  const { log, proxy } = deps;
  const logRequests = log.enabled("info");

  async function builtIn(request: Request): Promise<Response> {
    const origin = request.headers.get("origin");
    const response = request.method === "OPTIONS" ? preflightResponse(origin) : await app.handle(request);
    applyCors(response.headers, origin);
    response.headers.set("x-request-id", requestIdOf(request));
    return response;
  }

  function logged(request: Request, path: string, started: number, response: Response | undefined): Response | undefined {
    log.info("request", {
      id: requestIdOf(request),
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
    const path = pathOf(request.url);
    const handled = BUILT_IN_SEGMENTS.has(firstSegment(path)) ? builtIn(request) : proxy.forward(request, server);
    return logRequests ? handled.then((response) => logged(request, path, started, response)) : handled;
  };
}

/** Path of an absolute request URL, without query, without allocating a URL object. */
export function pathOf(url: string): string {
  // Bun gives a relative `request.url` when the client's Host header holds "/" or "?": then it starts with "/".
  const start = url.charCodeAt(0) === 47 ? 0 : url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const query = url.indexOf("?", start);
  return query < 0 ? url.slice(start) : url.slice(start, query);
}

/** `"/skeleton-svc/hello"` → `"skeleton-svc"`; `"/"` → `""`. */
export function firstSegment(path: string): string {
  const end = path.indexOf("/", 1);
  return end < 0 ? path.slice(1) : path.slice(1, end);
}

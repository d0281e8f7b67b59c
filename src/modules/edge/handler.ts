/**
 * @module The edge's request handler (contract §8), the same on the TLS listener and on the test-mode
 * plain listener: redirects first, then routes, else 404 `edge.route_not_found`; the built-in API is
 * never served here. Per request it reads memory only, synchronously up to the forward: the match
 * indexes (match.ts) are rebuilt when the table's routes or redirects change, never per request.
 * - A redirect answers its status (308 unless saved otherwise) with `Location` = its target plus the
 *   unmatched suffix and both queries (match.ts {@link RedirectTarget}) and no body, unless that
 *   `Location` is the request itself (a self-redirect: skipped, so the routes are asked).
 * - A route forwards through the proxy's one engine (../proxy/forward.ts {@link EdgeForward}) with the
 *   request's whole path and query (prefix not stripped), its `Host`, and `X-Forwarded-Proto` of this
 *   listener; its answers go through compress.ts (never a WebSocket's: the upgrade answers nothing).
 * Request targets the API listener refuses (CONNECT, absolute-form, two `Host` lines, repeated
 * `Content-Length`: ../../http/request-target.ts) are refused here too, with the same JSON 400s.
 */
import type { Server } from "bun";
import { renderError } from "../../http/render-error";
import { requestIdOf } from "../../http/request-id";
import { pathAt, refusalOf } from "../../http/request-target";
import type { Logger } from "../../lib/log";
import { edgeUpstreamOf, type EdgeForward, type EdgeUpstream } from "../proxy/forward";
import { pathStartOf } from "../proxy/target";
import { compress } from "./compress";
import { routeNotFound } from "./errors";
import { hostKeyOf, isSelfRedirect, matchPathOf, PrefixIndex, RedirectTarget } from "./match";
import type { EdgeRedirect, EdgeRoute, EdgeTable } from "./model";

interface RouteEntry extends EdgeRoute {
  upstream: EdgeUpstream;
}

interface RedirectEntry extends EdgeRedirect {
  location: RedirectTarget;
}

export type EdgeScheme = "http" | "https";

export interface EdgeRouterOptions {
  table: EdgeTable;
  forward: EdgeForward;
  log: Logger;
}

/** The routes and redirects as the listeners match them, kept current from the table. */
export class EdgeRouter {
  private readonly forward: EdgeForward;
  private readonly log: Logger;
  private readonly table: EdgeTable;
  private routes = new PrefixIndex<RouteEntry>([]);
  private redirects = new PrefixIndex<RedirectEntry>([]);
  private hosts = new Set<string>();
  private readonly unsubscribe: () => void;
  private readonly logRequests: boolean;

  constructor(options: EdgeRouterOptions) {
    this.forward = options.forward;
    this.log = options.log;
    this.logRequests = options.log.enabled("info");
    this.table = options.table;
    this.rebuildRoutes();
    this.rebuildRedirects();
    this.unsubscribe = options.table.onChange((change) => {
      if (change === "routes") this.rebuildRoutes();
      else if (change === "redirects") this.rebuildRedirects();
    });
  }

  /** Stops following the table. */
  close(): void {
    this.unsubscribe();
  }

  /** Whether `host` (lower-case, without port) has a route or a redirect. */
  hasHost(host: string): boolean {
    return this.hosts.has(host);
  }

  /** Answers `request` on a listener of `scheme`; `undefined` when it became a WebSocket. One log line at info, as the API's. */
  handle(request: Request, server: Server<unknown> | undefined, scheme: EdgeScheme): Promise<Response | undefined> {
    if (!this.logRequests) return this.answer(request, server, scheme);
    const started = performance.now();
    return this.answer(request, server, scheme).then((response) => {
      this.log.info("edge request", {
        id: requestIdOf(request),
        scheme,
        host: request.headers.get("host"),
        method: request.method,
        path: pathAt(request.url, pathStartOf(request.url)),
        status: response?.status ?? 101,
        ms: Math.round((performance.now() - started) * 100) / 100,
      });
      return response;
    });
  }

  // Not async: a forwarded request returns the engine's promise with compression's one step.
  private answer(request: Request, server: Server<unknown> | undefined, scheme: EdgeScheme): Promise<Response | undefined> {
    const url = request.url;
    const pathStart = pathStartOf(url);
    const refusal = refusalOf(request, pathStart);
    if (refusal !== undefined) return Promise.resolve(renderError(refusal, request));
    const hostField = request.headers.get("host");
    const host = hostKeyOf(hostField);
    const question = url.indexOf("?", pathStart);
    const path = question < 0 ? url.slice(pathStart) : url.slice(pathStart, question);
    if (host !== undefined) {
      // Matched in one spelling of its escapes and slashes (match.ts); forwarded as received.
      const key = matchPathOf(path);
      const redirect = this.redirects.find(host, key);
      if (redirect !== undefined) {
        const location = redirect.location.location(key.slice(redirect.path.length), question < 0 ? "" : url.slice(question + 1));
        if (!isSelfRedirect(location, scheme, hostField!, url.slice(pathStart))) {
          return Promise.resolve(new Response(null, { status: redirect.statusCode, headers: { location } }));
        }
      }
      const route = this.routes.find(host, key);
      if (route !== undefined) {
        return this.forward.forward(request, server, route.upstream, url.slice(pathStart), scheme).then((response) => response && compress(request, response));
      }
    }
    return Promise.resolve(renderError(routeNotFound(host?.withPort ?? host?.name ?? "", path), request));
  }

  private rebuildRoutes(): void {
    const entries: RouteEntry[] = [];
    for (const route of this.table.routes().values()) {
      const upstream = edgeUpstreamOf(route.target);
      if (upstream === undefined) {
        // The store validates targets at save; one that slipped through is skipped, not a crash.
        this.log.warn("edge route skipped: target is neither slug:<service> nor an absolute http(s) URL", { id: route.id });
        continue;
      }
      entries.push({ ...route, path: matchPathOf(route.path), upstream });
    }
    this.routes = new PrefixIndex(entries);
    this.rebuildHosts();
  }

  private rebuildRedirects(): void {
    const entries: RedirectEntry[] = [];
    for (const redirect of this.table.redirects().values()) entries.push({ ...redirect, path: matchPathOf(redirect.path), statusCode: redirect.statusCode ?? 308, location: new RedirectTarget(redirect.target) });
    this.redirects = new PrefixIndex(entries);
    this.rebuildHosts();
  }

  private rebuildHosts(): void {
    this.hosts = this.table.hosts();
  }
}

/**
 * @module 405 for a wrong method on a built-in path (contract §2): when no route matched, find the
 * methods whose route pattern does match the path; the error handler answers errors.ts's
 * `methodNotAllowed` with them in `Allow`.
 */

interface RouteLike {
  method: string;
  path: string;
}

/** Builds a lookup from the app's routes: path → allowed methods (empty when the path is unknown). */
export function allowedMethodsFinder(routes: readonly RouteLike[]): (path: string) => string[] {
  const patterns = routes
    .filter((r) => r.method !== "ALL" && r.method !== "OPTIONS")
    .map((r) => ({ method: r.method, pattern: toRegExp(r.path) }));
  return (path) => [...new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method))];
}

function toRegExp(path: string): RegExp {
  const escaped = path
    .split("/")
    .map((segment) => (segment.startsWith(":") ? "[^/]+" : segment === "*" ? ".*" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${escaped}$`);
}

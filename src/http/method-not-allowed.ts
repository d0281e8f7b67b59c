/**
 * @module 405 for a wrong method on a built-in path (contract §2): when no route matched, find the
 * methods whose route pattern does match the path and answer with them in `Allow`.
 */
import { AppError } from "./errors";

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

/** The 405 error for a path that exists with other methods. */
export function methodNotAllowed(allowed: string[]): AppError {
  return new AppError(405, "http.method_not_allowed", `method not allowed; allowed: ${allowed.join(", ")}`, {
    allow: allowed.join(", "),
  });
}

function toRegExp(path: string): RegExp {
  const escaped = path
    .split("/")
    .map((segment) => (segment.startsWith(":") ? "[^/]+" : segment === "*" ? ".*" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${escaped}$`);
}

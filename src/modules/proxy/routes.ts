/**
 * @module The slug proxy has no built-in routes of its own: the `/proxy-svc/*` operations (edge routes,
 * redirects, certificates) are the edge module's (modules/edge/routes.ts). The empty plugin keeps the
 * proxy a `Module` like the others.
 */
import { Elysia } from "elysia";

/** No routes (see the module comment). */
export function proxyRoutes() {
  return new Elysia({ name: "proxy" });
}

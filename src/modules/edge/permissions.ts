/**
 * @module Proxy Svc permissions as data (1Backend's names, reference §D.1): routes and redirects share
 * the route permissions, certificates have their own; admins hold all four by default.
 */
import type { DefaultPermit } from "../auth-gate";

/** List routes and redirects. */
export const ROUTE_VIEW = "proxy-svc:route:view";
/** Save and delete routes and redirects. */
export const ROUTE_EDIT = "proxy-svc:route:edit";
/** List certificates (metadata only, never private keys). */
export const CERT_VIEW = "proxy-svc:cert:view";
/** Save certificates. */
export const CERT_EDIT = "proxy-svc:cert:edit";

const ADMIN = "user-svc:admin";

/** 1Backend's `registerPermits`: the four edge permissions for admins only. */
export const EDGE_DEFAULT_PERMITS: DefaultPermit[] = [ROUTE_VIEW, ROUTE_EDIT, CERT_VIEW, CERT_EDIT].map((permission) => ({ permission, roles: [ADMIN] }));

/**
 * @module Proxy Svc edge schemas (TypeBox): routes, redirects and certificates as the 1Backend client
 * sends and reads them (contract §8). The rules a schema cannot say (id and target forms, status codes,
 * certificate bundles) are checked by modules/edge and refused with 400 naming the field.
 */
import { Type as t } from "@sinclair/typebox";
import { Integer } from "../integer.js";

/** Body of the list and delete operations: only these ids, or all. */
export const Ids = t.Object({ ids: t.Optional(t.Array(t.String(), { description: "Only these ids; all when absent." })) });
/** An edge route: where requests for a host (and path prefix) go. */
export const Route = t.Object({ id: t.String({ description: "Host and optional path prefix, e.g. `x.com/app`." }), target: t.String() });
/** A route to create or replace, by id. */
export const RouteInput = t.Object({
  id: t.String({ description: "Host and optional path prefix to match, e.g. `x.com/app`." }),
  target: t.Optional(t.String({ description: "Where matching requests go, e.g. `http://127.0.0.1:9311`." })),
});
/** A redirect from a host (and path) to a URL. */
export const Redirect = t.Object({
  id: t.String({ description: "Host and optional path to redirect from, e.g. `old.com`." }),
  target: t.String({ description: "URL to redirect to." }),
  statusCode: t.Optional(Integer({ description: "Redirect status, e.g. 301 or 302." })),
});
/** A stored TLS certificate and what it says. */
export const Cert = t.Object({
  id: t.String(),
  cert: t.String(),
  createdAt: t.String(),
  updatedAt: t.String(),
  commonName: t.Optional(t.String()),
  dnsNames: t.Optional(t.Array(t.String())),
  issuer: t.Optional(t.String()),
  notAfter: t.Optional(t.String()),
  notBefore: t.Optional(t.String()),
  serialNumber: t.Optional(t.String()),
  isCA: t.Optional(t.Boolean()),
  signatureAlgorithm: t.Optional(t.String()),
  publicKeyAlgorithm: t.Optional(t.String()),
  publicKeyBitLength: t.Optional(Integer()),
});

/**
 * @module Registry Svc instance schemas (TypeBox): the single source of validation, OpenAPI and the
 * SDK's and CLI's types. Field names follow 1Backend's `registry-svc` (client 0.9.18, models `RegistrySvc*`).
 */
import { Type as t, type Static } from "@sinclair/typebox";
import { Integer } from "../integer.js";

/** Health of an instance, as routed and listed. */
export const InstanceStatus = t.Union(
  [t.Literal("Unknown"), t.Literal("Healthy"), t.Literal("Degraded"), t.Literal("Unreachable")],
  { description: "Unknown: registered, not probed yet. Degraded: alive but answering slowly." },
);
export type InstanceStatus = Static<typeof InstanceStatus>;

const MAX_URL = 2048;

/**
 * A region name, e.g. `eu-west-1`: lowercase letters, digits, `.`, `_` and `-`, starting with a
 * letter or digit, at most 64 characters, so it is safe in a URL query, a CSV and a table column.
 */
export const REGION_PATTERN = "^[a-z0-9][a-z0-9._-]*$";
export const MAX_REGION = 64;

/** Body of `PUT /registry-svc/instance`: `url`, or its parts. */
export const RegisterInstanceRequest = t.Object({
  url: t.Optional(t.String({ maxLength: MAX_URL, description: "Instance base URL, e.g. `http://127.0.0.1:9311` or `http://10.0.0.5:8080/api`. Or give scheme + host|ip + port + path." })),
  id: t.Optional(t.String({ minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9_.:-]+$", description: "Stable id; generated (`inst-…`) when absent." })),
  deploymentId: t.Optional(t.String({ maxLength: 256, description: "Deployment this instance belongs to, for filtering; free text." })),
  scheme: t.Optional(t.String({ maxLength: 16, description: "`http` (default) or `https`." })),
  host: t.Optional(t.String({ maxLength: 253, description: "Host name of the instance, when `url` is not given." })),
  ip: t.Optional(t.String({ maxLength: 64, description: "IP address of the instance, when `url` and `host` are not given." })),
  port: t.Optional(Integer({ minimum: 1, maximum: 65535, description: "Port; default 80 for http, 443 for https." })),
  path: t.Optional(t.String({ maxLength: 1024, description: "Path prefix kept when proxying." })),
  healthCheckPath: t.Optional(
    t.String({ maxLength: 1024, pattern: "^/[^\\s#]*$", description: "Absolute path probed with HTTP GET (2xx/3xx is alive); without it the probe is a TCP connect." }),
  ),
  region: t.Optional(
    t.String({ maxLength: MAX_REGION, pattern: REGION_PATTERN, description: "Region the instance runs in, e.g. `eu-west-1` (lowercase letters, digits, `.`, `_`, `-`); for display and filtering. 1Backend extension." }),
  ),
});
export type RegisterInstanceRequest = Static<typeof RegisterInstanceRequest>;

/** An instance on the wire (listings). */
export const Instance = t.Object({
  id: t.String(),
  url: t.String({ description: "Normalised URL: lowercase scheme and host, explicit port, no trailing slash." }),
  slug: t.String({ description: "Owner: the slug of the account that registered the URL." }),
  status: InstanceStatus,
  lastHeartbeat: t.Optional(t.String({ description: "Last time seen alive (ISO 8601 UTC); absent until then." })),
  scheme: t.String(),
  host: t.String(),
  ip: t.Optional(t.String()),
  port: Integer(),
  path: t.Optional(t.String()),
  deploymentId: t.Optional(t.String()),
  healthCheckPath: t.Optional(t.String()),
  region: t.Optional(t.String({ description: "Region given at registration; absent when none was. 1Backend extension." })),
});
export type Instance = Static<typeof Instance>;

/** Filters of `GET /registry-svc/instances`: exact matches, combined with AND. */
export const ListInstancesQuery = t.Object({
  slug: t.Optional(t.String({ description: "Only instances owned by this slug, e.g. `skeleton-svc`." })),
  host: t.Optional(t.String({ description: "Only instances on this host name." })),
  ip: t.Optional(t.String({ description: "Only instances on this IP address." })),
  deploymentId: t.Optional(t.String({ description: "Only instances of this deployment." })),
  region: t.Optional(t.String({ description: "Only instances registered with this region." })),
  path: t.Optional(t.String({ description: "Only instances with this path prefix." })),
  id: t.Optional(t.String({ description: "Only the instance with this id." })),
  scheme: t.Optional(t.String({ description: "Only instances with this scheme (`http` or `https`)." })),
});
export type ListInstancesQuery = Static<typeof ListInstancesQuery>;

/** Answer of `GET /registry-svc/instances`. */
export const ListInstancesResponse = t.Object({ instances: t.Array(Instance) });
export type ListInstancesResponse = Static<typeof ListInstancesResponse>;

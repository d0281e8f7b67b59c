/**
 * @module Registry Svc permissions as data, and who holds them by default. Ownership (a user acts
 * only on its own instances) is enforced by the service; the permits only open the door.
 */
import type { DefaultPermit } from "../auth-gate";

/** List instances (own ones; admins and `proxy-svc` all). */
export const INSTANCE_VIEW = "registry-svc:instance:view";
/** Register (and heartbeat) an instance. */
export const INSTANCE_EDIT = "registry-svc:instance:edit";
/** Remove an instance (its owner or an admin). */
export const INSTANCE_DELETE = "registry-svc:instance:delete";
/** List nodes and read this server's node. */
export const NODE_VIEW = "registry-svc:node:view";
/** Delete a node (admins). */
export const NODE_DELETE = "registry-svc:node:delete";

const USER = "user-svc:user";
const ADMIN = "user-svc:admin";

/** The slugs that see every instance, not only their own (the proxy routes to all of them). */
export const SEES_ALL_INSTANCES: ReadonlySet<string> = new Set(["proxy-svc"]);

/**
 * Defaults: every account may view, register and remove its own instances and view nodes; admins
 * hold everything (node removal only them); `proxy-svc` may view all instances.
 */
export const REGISTRY_DEFAULT_PERMITS: DefaultPermit[] = [
  { permission: INSTANCE_VIEW, roles: [USER, ADMIN], slugs: ["proxy-svc"] },
  { permission: INSTANCE_EDIT, roles: [USER, ADMIN] },
  { permission: INSTANCE_DELETE, roles: [USER, ADMIN] },
  { permission: NODE_VIEW, roles: [USER, ADMIN] },
  { permission: NODE_DELETE, roles: [ADMIN] },
];

/**
 * @module User Svc permissions and roles as data (reference §4.1): the permission names, the two
 * built-in roles, and which role holds which permission by default (saved as permits at every start).
 */
import type { DefaultPermit } from "../../auth-gate";

/** The admin role: holds every User Svc permission and owns every role and permission name. */
export const ROLE_ADMIN = "user-svc:admin";
/** The role every user holds (first in every token's `1ro`). */
export const ROLE_USER = "user-svc:user";

/** The User Svc permission names (reference §4.1). */
export const P = {
  userCreate: "user-svc:user:create",
  userView: "user-svc:user:view",
  userEdit: "user-svc:user:edit",
  userDelete: "user-svc:user:delete",
  passwordChange: "user-svc:user:password-change",
  passwordReset: "user-svc:user:password-reset",
  orgCreate: "user-svc:organization:create",
  orgAddUser: "user-svc:organization:add-user",
  orgRemoveUser: "user-svc:organization:remove-user",
  orgView: "user-svc:organization:view",
  permitCreate: "user-svc:permit:create",
  permitView: "user-svc:permit:view",
  enrollEdit: "user-svc:enroll:edit",
  enrollView: "user-svc:enroll:view",
  tokenRevoke: "user-svc:token:revoke",
  appMultiView: "user-svc:app:multi-view",
  appEdit: "user-svc:app:edit",
} as const;

/** Permissions every user holds through the `user-svc:user` role. */
const USER_PERMISSIONS = [P.passwordChange, P.orgCreate, P.orgAddUser, P.orgRemoveUser, P.enrollEdit, P.enrollView];

/** The permits saved at every start (idempotently): admins hold all, users the list above. */
export const DEFAULT_PERMITS: DefaultPermit[] = [
  ...Object.values(P).map((permission) => ({ permission, roles: [ROLE_ADMIN] })),
  ...USER_PERMISSIONS.map((permission) => ({ permission, roles: [ROLE_USER] })),
];

/** The org roles of 1Backend: `user-svc:org:{<id>}:admin` and `…:user` (braces literal). */
export const orgRole = (organizationId: string, kind: "admin" | "user") => `user-svc:org:{${organizationId}}:${kind}`;
/** The prefix every role of an organization starts with. */
export const orgRolePrefix = (organizationId: string) => `user-svc:org:{${organizationId}}:`;

/**
 * Whether a caller owns `name` (a role or permission), so may grant it (reference §4.3, hardened per
 * contract §3): admins own everything; a slug owns names starting with `<slug>:` (not a bare prefix,
 * so slug `user` does not own `user-svc:admin`); holding `<prefix>:admin` owns every `<prefix>:*`.
 */
export function ownsName(caller: { slug: string; roles: readonly string[]; isAdmin: boolean }, name: string): boolean {
  if (caller.isAdmin) return true;
  if (name.startsWith(`${caller.slug}:`)) return true;
  const cut = name.lastIndexOf(":");
  if (cut <= 0) return false;
  const adminRole = `${name.slice(0, cut)}:admin`;
  return caller.roles.includes(adminRole);
}

/**
 * @module The steps of an access write that come before storing (access.ts stores and publishes): the
 * caller owns the role or permission it names, which app an `appHost` names, whom an enroll goes to
 * (a user now, or a contact pending); and the content keys and ids that make equal permits and
 * role enrolls one row, however many nodes write them at once. Reads only; refusals are typed errors.
 */
import type { Caller } from "../../../auth-gate";
import { enrollConflict, enrollTargetMissing, permissionNotOwned, roleNotOwned, userNotFound } from "../../errors";
import type { EnrollInput } from "../../../../contracts/user/requests";
import { ownsName } from "../permissions";
import type { AppStore } from "../../orgs/store/apps";
import type { UserStore } from "../../identity/store/users";
import type { EnrollRow, PermitRow } from "../wire";
import { normaliseContactId } from "../../rules";

/** Who asks for an access write: what ownership of a `<slug>:` name is judged by. */
export type Owner = Pick<Caller, "slug" | "roles" | "isAdmin">;

/**
 * Whom one enroll goes to: an existing user (the enroll's own `userId`, or the owner of its verified
 * contact) gets the role at once; otherwise it stays pending on the contact. Refuses an id that names
 * an enroll of another app, an unknown user, and an enroll with neither user nor contact.
 */
export async function planEnroll(d: { apps: AppStore; users: UserStore }, caller: Caller, e: EnrollInput, priorById: Map<string, EnrollRow>) {
  const appId = e.appHost === "*" ? "*" : e.appHost ? (await d.apps.findByHost(e.appHost))?.id : caller.appId;
  const prior = e.id ? priorById.get(e.id) : undefined;
  if (prior && (appId === undefined || prior.appId !== appId)) throw enrollConflict(prior.id);
  const contactId = e.contactId ? normaliseContactId(e.contactId) : undefined;
  // Only a verified contact names its owner: an enroll for an address someone registered unproven stays pending.
  const found = contactId ? await d.users.findContact(contactId) : undefined;
  const owner = found?.verified ? found.userId : undefined;
  if (owner) return { input: e, userId: owner, contactId };
  if (e.userId) {
    if (!(await d.users.findById(e.userId))) throw userNotFound(e.userId);
    return { input: e, userId: e.userId, contactId };
  }
  if (!contactId) throw enrollTargetMissing();
  return { input: e, userId: undefined, contactId };
}

/** The app a write names: `*` (every app), the app of `appHost` (created when new), or the caller's. */
export async function appIdOf(apps: AppStore, appHost: string | undefined, callerAppId: string): Promise<string> {
  if (appHost === "*") return "*";
  if (appHost) return (await apps.getOrCreate(appHost)).id;
  return callerAppId;
}

/** Refuses (403 `user.role_not_owned` / `user.permission_not_owned`) a name outside the caller's `<slug>:`; admins own all. */
export function assertOwns(caller: Owner, name: string, kind: "role" | "permission"): void {
  if (ownsName(caller, name)) return;
  const refusal = `the caller does not own ${kind} ${name}; it must start with ${caller.slug}:`;
  throw kind === "role" ? roleNotOwned(refusal) : permissionNotOwned(refusal);
}

/** What makes two permits equal: the permission, the app, and the slugs and roles in any order. */
export type PermitKey = Pick<PermitRow, "permission" | "appId" | "slugs" | "roles">;

/** A permit's equality key (see {@link PermitKey}): the string two equal permits share. */
export function permitKey(p: PermitKey): string {
  return JSON.stringify([p.permission, p.appId, [...p.slugs].sort(), [...p.roles].sort()]);
}

/** An id named by content (`<prefix>-` and 16 hex digits of its SHA-256): equal content, equal id, one row. */
export function contentId(prefix: string, content: string): string {
  return `${prefix}-${new Bun.CryptoHasher("sha256").update(content).digest("hex").slice(0, 16)}`;
}

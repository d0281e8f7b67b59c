/**
 * @module A stand-in AuthGate for registry tests: tokens are caller names, permissions come from the
 * permits the registry grants by default (so the defaults themselves are under test).
 */
import type { AuthGate, Caller, DefaultPermit } from "../../src/modules/auth-gate";
import { tokenFromHeader } from "../../src/contracts/authorization";
import { unknownTokenRefusal } from "../helpers/gate-refusals";

/** The role every registered user holds. */
export const USER_ROLE = "user-svc:user";
/** The admin role. */
export const ADMIN_ROLE = "user-svc:admin";

/** A caller with `slug` (token = slug), a user, an admin, or with exactly `roles`. */
export function fakeCaller(slug: string, options: { admin?: boolean; roles?: string[] } = {}): Caller {
  const roles = options.roles ?? (options.admin ? [USER_ROLE, ADMIN_ROLE] : [USER_ROLE]);
  return { userId: `usr-${slug}`, slug, roles, appId: "app-test", device: "test", tokenId: `tok-${slug}`, token: slug, isAdmin: roles.includes(ADMIN_ROLE) };
}

/** An AuthGate over a fixed token → caller map, holding the permits granted to it. */
export class FakeGate implements AuthGate {
  readonly permits: DefaultPermit[] = [];
  private readonly callers = new Map<string, Caller>();

  /** Makes `token` authenticate as `caller`. */
  add(token: string, caller: Caller): this {
    this.callers.set(token, caller);
    return this;
  }

  async authenticate(authorization: string | null | undefined): Promise<Caller> {
    const token = tokenFromHeader(authorization);
    const caller = token === null ? undefined : this.callers.get(token);
    if (!caller) throw unknownTokenRefusal(authorization);
    return caller;
  }

  hasPermission(caller: Caller, permission: string): boolean {
    return this.permits.some(
      (p) => p.permission === permission && (p.slugs?.includes(caller.slug) || p.roles?.some((r) => caller.roles.includes(r))),
    );
  }

  grantDefaultPermits(permits: DefaultPermit[]): void {
    this.permits.push(...permits);
  }

  async authorizationForUpstream(authorization: string | null): Promise<string | null> {
    return authorization;
  }
}

/** The usual cast: two service accounts, an admin, proxy-svc, and an account without any role. */
export function standardGate(): FakeGate {
  return new FakeGate()
    .add("alpha", fakeCaller("alpha-svc"))
    .add("beta", fakeCaller("beta-svc"))
    .add("admin", fakeCaller("1backend", { admin: true }))
    .add("proxy", fakeCaller("proxy-svc"))
    .add("nobody", fakeCaller("nobody", { roles: [] }));
}

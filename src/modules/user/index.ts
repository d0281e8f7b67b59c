/**
 * @module User Svc (contract §3): accounts, tokens, permissions. `createUserModule` bootstraps
 * (default permits, key pair, admin account) before returning, so the returned gate works at once.
 */
import { Elysia } from "elysia";
import type { BaseDeps } from "../module";
import type { AuthGate } from "../auth-gate";
import type { Module } from "../module";
import { UserGate } from "./identity/gate";
import { loadOrCreateKeyPair } from "./identity/keys";
import { createPasswordHasher } from "./identity/passwords";
import { PermitIndex } from "./access/permit-index";
import { DEFAULT_PERMITS, ROLE_ADMIN } from "./access/permissions";
import { LoginLimits } from "./identity/login-limits";
import { RateLimiter } from "../../lib/rate-limit";
import { accessRoutes } from "./access/routes/access";
import { apiKeyRoutes } from "./identity/routes/api-keys";
import { appRoutes } from "./orgs/routes/apps";
import { authRoutes } from "./identity/routes/auth";
import type { UserRoutesContext } from "./route-context";
import { notImplementedRoutes } from "./identity/routes/not-implemented";
import { orgRoutes } from "./orgs/routes/orgs";
import { userRoutes } from "./identity/routes/users";
import { AccessService } from "./access/services/access";
import { AccountService } from "./identity/services/accounts";
import { ApiKeyService } from "./identity/services/api-keys";
import { AppService } from "./orgs/services/apps";
import { OrgService } from "./orgs/services/orgs";
import { DEFAULT_APP_HOST } from "./rules";
import { SessionService } from "./identity/services/sessions";
import { UserService } from "./identity/services/users";
import { AccessStore } from "./access/store/access";
import { ApiKeyStore } from "./identity/store/api-keys";
import { AppStore } from "./orgs/store/apps";
import { OrgStore } from "./orgs/store/orgs";
import { SessionStore } from "./identity/store/sessions";
import { UserStore } from "./identity/store/users";
import { TokenSigner } from "./identity/tokens";
import { createTrustCheck } from "../../http/trust";

/** Slug of the bootstrap admin (1Backend's default). */
export const ADMIN_SLUG = "1backend";

/** The User Svc as the composition root sees it: routes, the gate other modules authenticate with, and the services. */
export interface UserModule extends Module {
  gate: AuthGate;
  /** The services, for tests, benchmarks and in-process callers. */
  services?: UserRoutesContext;
}

/** Builds the User Svc: stores, key pair, services and routes, after bootstrapping default permits, the default app and the admin. */
export async function createUserModule(deps: BaseDeps): Promise<UserModule> {
  const { db, sqlite, clock, config, log } = deps;
  const stores = { users: new UserStore(db), apps: new AppStore(db, clock), access: new AccessStore(db), orgs: new OrgStore(db), sessions: new SessionStore(db, sqlite), keys: new ApiKeyStore(db) };
  const signer = await TokenSigner.fromPem(await loadOrCreateKeyPair(db, clock));
  const passwords = deps.passwords ?? (await createPasswordHasher(deps.fastCrypto === true));
  const permits = new PermitIndex();
  const sessions = new SessionService({ signer, sessions: stores.sessions, apps: stores.apps, access: stores.access, orgs: stores.orgs, clock, expirationMs: config.tokenExpirationMs });
  const access = new AccessService({ access: stores.access, apps: stores.apps, users: stores.users, sessions, permits, clock });
  const metrics = deps.metrics?.user;
  const gate = new UserGate(signer, sessions, permits, config.tokenAutoRefresh, () => clock.now(), (p) => access.grantDefaults(p), metrics?.tokenChecks);
  const loginLimits = new LoginLimits(clock, { perClient: config.loginLimitPerIp, perAccountAndClient: config.loginLimitPerSlugIp, perAccount: config.loginLimitPerSlug });
  const registerPerIp = new RateLimiter(clock, config.registerLimitPerIp);
  const accounts = new AccountService({ users: stores.users, apps: stores.apps, sessions, passwords, gate, permits, loginLimits, registerPerIp, clock, metrics });
  // Password changes get a counter of their own (see UserService.changePassword), as tight as one client's login budget.
  const passwordAttempts = new RateLimiter(clock, config.loginLimitPerSlugIp);
  const users = new UserService({ ...stores, accessService: access, accounts, sessions, passwords, permits, passwordAttempts, clock });
  const orgs = new OrgService({ ...stores, accessService: access, sessions, permits, clock });
  const apps = new AppService(stores.apps, permits);
  const apiKeys = new ApiKeyService({ ...stores, sessions, clock });
  sessions.setIssueGuard((userId, device) => apiKeys.allowsDevice(userId, device));

  access.reloadPermits();
  access.grantDefaults(DEFAULT_PERMITS);
  stores.apps.getOrCreate(DEFAULT_APP_HOST);
  if (!stores.users.findBySlug(ADMIN_SLUG)) {
    if (!config.adminPassword) log.warn("ADMIN PASSWORD IS THE DEFAULT: log in as 1backend/changeme and change it, or set OB_ADMIN_PASSWORD before first start");
    const admin = await accounts.createUser({ slug: ADMIN_SLUG, name: "Admin" }, config.adminPassword ?? "changeme", []);
    access.assignRole("*", admin.id, ROLE_ADMIN);
  } else if (config.adminPassword) {
    // It only seeds the first start; changing it here would let anyone with the environment reset the admin.
    log.warn(`OB_ADMIN_PASSWORD is ignored: the admin ${ADMIN_SLUG} already exists. Change its password with \`oo passwd\` while logged in as ${ADMIN_SLUG} (or POST /user-svc/change-password), then unset the variable`);
  }

  const context: UserRoutesContext = { gate, signer, accounts, users, access, orgs, apps, apiKeys, trust: createTrustCheck(config.trustedProxies) };
  const routes = new Elysia({ name: "user-svc" })
    .use(authRoutes(context))
    .use(userRoutes(context))
    .use(accessRoutes(context))
    .use(orgRoutes(context))
    .use(appRoutes(context))
    .use(apiKeyRoutes(context))
    .use(notImplementedRoutes());
  return { gate, services: context, routes };
}

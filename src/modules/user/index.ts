/**
 * @module User Svc (contract §3): accounts, tokens, permissions. `createUserModule` bootstraps
 * (default permits, key pair, admin account) before returning, so the returned gate works at once.
 *
 * Layout — one folder per concern, each the same shape (`routes/` HTTP only → `services/` the rules
 * → `store/` the queries → `tables.ts` drizzle; `wire.ts` turns rows into contracts/user models):
 *
 * - `identity/`  who you are: accounts and their rules, passwords, sessions and tokens, the signing key
 *                pair, API keys and their devices, login limits, and `gate.ts`, the AuthGate every
 *                other module authenticates with.
 * - `access/`    what you may do: roles (enrolls), permits, the in-memory permit index, `permissions.ts`
 *                (permission and role names as data). The only writer of roles and enrolls.
 * - `orgs/`      where you are: apps (tenants), organizations and memberships.
 *
 * Shared by the three, at this level: `errors.ts` (every `user.*` code, once), `rules.ts` (contact
 * ids, constraint errors, request times), `route-context.ts` (what every route group receives),
 * `base-store.ts`, `columns.ts` and `wire-fields.ts`. Concerns meet through services; where a service
 * reads another concern's store (sessions read roles and the active organization) it only reads.
 */
import { Elysia } from "elysia";
import type { BaseDeps, Module } from "../module";
import type { AuthGate } from "../auth-gate";
import { AppError } from "../../http/errors";
import { createTrustCheck } from "../../http/trust";
import { newId } from "../../lib/ids";
import { accessRoutes } from "./access/routes/access";
import { AccessService } from "./access/services/access";
import { AccessStore } from "./access/store/access";
import { PermitIndex } from "./access/permit-index";
import { DEFAULT_PERMITS, ROLE_ADMIN } from "./access/permissions";
import { ApiKeyDevices } from "./identity/api-key-devices";
import { UserGate } from "./identity/gate";
import { loadOrCreateKeyPair } from "./identity/keys";
import { createAttemptLimits } from "./identity/shared-limits";
import { createPasswordHasher } from "./identity/passwords";
import { apiKeyRoutes } from "./identity/routes/api-keys";
import { authRoutes } from "./identity/routes/auth";
import { userRoutes } from "./identity/routes/users";
import { AccountService } from "./identity/services/accounts";
import { ApiKeyService } from "./identity/services/api-keys";
import { SessionService } from "./identity/services/sessions";
import { UserService } from "./identity/services/users";
import { ApiKeyStore } from "./identity/store/api-keys";
import { SessionStore } from "./identity/store/sessions";
import { UserStore } from "./identity/store/users";
import { TokenSigner } from "./identity/tokens";
import { appRoutes } from "./orgs/routes/apps";
import { orgRoutes } from "./orgs/routes/orgs";
import { AppService, DEFAULT_APP_HOST } from "./orgs/services/apps";
import { OrgService } from "./orgs/services/orgs";
import { AppStore } from "./orgs/store/apps";
import { OrgStore } from "./orgs/store/orgs";
import { slugTaken } from "./errors";
import { SecretBox } from "../../lib/secret-box";
import { totpRoutes } from "./identity/totp/routes";
import { TotpService } from "./identity/totp/service";
import { TotpStore } from "./identity/totp/store";
import type { UserRoutesContext } from "./route-context";
import { createOidc } from "./identity/oidc";
import { oidcRoutes } from "./identity/oidc/routes";
import { createOtpMailer } from "./identity/otp/mailer";
import { otpRoutes } from "./identity/otp/routes";
import { createOtpLimits, OtpService } from "./identity/otp/service";
import { OtpStore } from "./identity/otp/store";

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
  const stores = { users: new UserStore(deps), apps: new AppStore(deps), access: new AccessStore(deps), orgs: new OrgStore(deps), sessions: new SessionStore(deps), keys: new ApiKeyStore(deps) };
  const context = await buildServices(deps, stores);
  await bootstrap(deps, stores, context);
  const routes = new Elysia({ name: "user-svc" })
    .use(authRoutes(context))
    .use(userRoutes(context))
    .use(accessRoutes(context))
    .use(orgRoutes(context))
    .use(appRoutes(context))
    .use(apiKeyRoutes(context))
    .use(totpRoutes(context))
    .use(otpRoutes(context, context.otp))
    .use(oidcRoutes(context.oidc, context.trust));
  // In a cluster, start() re-reads the permits once the change feed is followed (AccessService.catchUpPermits).
  return { gate: context.gate, services: context, routes, start: () => context.access.catchUpPermits(), stop: () => context.access.stop() };
}

type Stores = { users: UserStore; apps: AppStore; access: AccessStore; orgs: OrgStore; sessions: SessionStore; keys: ApiKeyStore };

/** The services in dependency order, each built from one options object: nothing is wired in after construction. */
async function buildServices(deps: BaseDeps, stores: Stores): Promise<UserRoutesContext> {
  const { clock, config } = deps;
  const { users: userStore, apps: appStore, orgs: orgStore } = stores;
  // One box (OB_ENCRYPTION_KEY) for the user module's secrets at rest: the signing key and TOTP secrets.
  const box = config.encryptionKey ? SecretBox.fromKey(config.encryptionKey) : undefined;
  const signer = await TokenSigner.fromPem(await loadOrCreateKeyPair(deps.database, clock, box));
  const passwords = deps.passwords ?? (await createPasswordHasher(deps.fastCrypto === true));
  const permits = new PermitIndex();
  const metrics = deps.metrics?.user;
  const devices = new ApiKeyDevices({ keys: stores.keys, clock });
  const sessions = new SessionService({ signer, sessions: stores.sessions, apps: appStore, access: stores.access, orgs: orgStore, devices, clock, expirationMs: config.tokenExpirationMs });
  const access = new AccessService({ access: stores.access, apps: appStore, users: userStore, sessions, permits, clock, log: deps.log });
  const gate = new UserGate({ signer, sessions, permits, access, autoRefresh: config.tokenAutoRefresh, clock, checks: metrics?.tokenChecks });
  // In memory on one SQLite node; in the database when nodes share PostgreSQL (limits hold cluster-wide).
  const { loginLimits, registerPerIp, passwordAttempts } = createAttemptLimits(deps);
  const totp = new TotpService({ totps: new TotpStore(deps), users: userStore, sessions, passwords, loginLimits, box, clock });
  const mailer = createOtpMailer({ smtpUrl: config.smtpUrl, smtpFrom: config.smtpFrom, devMail: config.devMail, log: deps.log });
  const otp = new OtpService({ store: new OtpStore(deps), mailer, passwords, ...createOtpLimits(deps), clock, log: deps.log });
  const accounts = new AccountService({ users: userStore, apps: appStore, sessions, passwords, gate, permits, loginLimits, registerPerIp, clock, metrics, totp, otp, verifyContacts: config.verifyContacts });
  return {
    gate,
    signer,
    accounts,
    access,
    users: new UserService({ users: userStore, apps: appStore, orgs: orgStore, access, accounts, sessions, passwords, permits, passwordAttempts, clock, totp }),
    orgs: new OrgService({ orgs: orgStore, users: userStore, access, sessions, permits, clock }),
    apps: new AppService({ apps: appStore, permits }),
    totp,
    otp,
    oidc: createOidc(deps, { users: userStore, apps: appStore, accounts, sessions, totp }),
    apiKeys: new ApiKeyService({ keys: stores.keys, apps: appStore, users: userStore, orgs: orgStore, sessions, clock }),
    trust: createTrustCheck(config.trustedProxies),
  };
}

/**
 * Default permits, the default app and, on first start, the admin account. Nodes may run this at once
 * on one empty database: each write is insert-or-ignore on a unique key (permits and enrolls named by
 * their content, the app's host, the admin's slug), so they end with one of each, whichever node won.
 */
async function bootstrap({ config, log }: BaseDeps, stores: Stores, { access, accounts }: UserRoutesContext): Promise<void> {
  await access.reloadPermits();
  await access.grantDefaults(DEFAULT_PERMITS);
  await stores.apps.getOrCreate(DEFAULT_APP_HOST);
  const created = !(await stores.users.findBySlug(ADMIN_SLUG)) && (await createAdmin(config.adminPassword, { access, accounts }));
  if (created) {
    if (!config.adminPassword) log.warn("ADMIN PASSWORD IS THE DEFAULT: log in as 1backend/changeme and change it, or set OB_ADMIN_PASSWORD before first start");
  } else if (config.adminPassword) {
    // It only seeds the first start; changing it here would let anyone with the environment reset the admin.
    log.warn(`OB_ADMIN_PASSWORD is ignored: the admin ${ADMIN_SLUG} already exists. Change its password with \`oo passwd\` while logged in as ${ADMIN_SLUG} (or POST /user-svc/change-password), then unset the variable`);
  }
}

/**
 * Creates the admin with the admin role in one batch, so a node finishing its start-up meanwhile either
 * sees no admin (and creates it, losing on the unique slug) or the admin with its role, never one
 * without (it would mint admin tokens without the role); false when another node created it first.
 */
async function createAdmin(password: string | undefined, { access, accounts }: Pick<UserRoutesContext, "access" | "accounts">): Promise<boolean> {
  try {
    const id = newId("usr");
    await accounts.createUser({ id, slug: ADMIN_SLUG, name: "Admin" }, password ?? "changeme", [], access.rolesOfNewUser("*", id, [ROLE_ADMIN]));
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === slugTaken(ADMIN_SLUG).code) return false;
    throw err;
  }
}

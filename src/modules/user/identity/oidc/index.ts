/** @module OpenID Connect sign-in, assembled: the service over the file of OB_OIDC_CONFIG (its routes: routes.ts). */
import { randomBytes } from "node:crypto";
import { ConfigError } from "../../../../config";
import { SecretBox } from "../../../../lib/secret-box";
import type { BaseDeps } from "../../../module";
import type { AccountService } from "../services/accounts";
import type { SessionService } from "../services/sessions";
import type { AppStore } from "../../orgs/store/apps";
import type { UserStore } from "../store/users";
import { ContactVerifier, OidcService, type TotpCheck } from "./service";
import { OidcStateStore, StateSealer } from "./states";
import { UsedIdTokens } from "./used-tokens";

/**
 * The sign-in service. States are sealed under OB_ENCRYPTION_KEY; one SQLite node without it
 * seals under a key of this process (a start then finishes only before a restart). Nodes sharing
 * PostgreSQL need the key, so that the callback can reach any of them: refused at start without it.
 */
export function createOidc(deps: Pick<BaseDeps, "config" | "database" | "clock">, o: { users: UserStore; apps: AppStore; accounts: AccountService; sessions: SessionService; totp?: TotpCheck }): OidcService {
  const { config, database, clock } = deps;
  if (config.oidc && !config.encryptionKey && database.kind !== "sqlite") {
    throw new ConfigError("missing OB_ENCRYPTION_KEY: OB_OIDC_CONFIG on PostgreSQL needs the key (the same on every node) that seals sign-in states");
  }
  const box = SecretBox.fromKey(config.encryptionKey ?? randomBytes(32).toString("hex"));
  return new OidcService({
    config: config.oidc,
    sealer: new StateSealer(box),
    states: new OidcStateStore(deps),
    usedTokens: new UsedIdTokens(deps),
    contacts: new ContactVerifier(deps),
    ...o,
    selfUrl: config.selfUrl,
    clock,
  });
}

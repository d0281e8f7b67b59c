/** @module What every User Svc route group receives: the services and the auth guard's gate. */
import type { UserGate } from "../gate";
import type { TokenSigner } from "../tokens";
import type { AccessService } from "../services/access";
import type { AccountService } from "../services/accounts";
import type { ApiKeyService } from "../services/api-keys";
import type { AppService } from "../services/apps";
import type { OrgService } from "../services/orgs";
import type { UserService } from "../services/users";

export interface UserRoutesContext {
  gate: UserGate;
  signer: TokenSigner;
  accounts: AccountService;
  users: UserService;
  access: AccessService;
  orgs: OrgService;
  apps: AppService;
  apiKeys: ApiKeyService;
}

export const TAGS = ["User Svc"];

/** @module What every User Svc route group receives: the services and the auth guard's gate. */
import { badRequest } from "../../http/errors";
import type { TrustCheck } from "../../http/trust";
import type { UserGate } from "./identity/gate";
import type { TokenSigner } from "./identity/tokens";
import type { AccessService } from "./access/services/access";
import type { AccountService } from "./identity/services/accounts";
import type { ApiKeyService } from "./identity/services/api-keys";
import type { AppService } from "./orgs/services/apps";
import type { OrgService } from "./orgs/services/orgs";
import type { UserService } from "./identity/services/users";
import type { TotpService } from "./identity/totp/service";
import type { OtpService } from "./identity/otp/service";
import type { OidcService } from "./identity/oidc/service";

/** The services every route group is built with. */
export interface UserRoutesContext {
  gate: UserGate;
  signer: TokenSigner;
  accounts: AccountService;
  users: UserService;
  access: AccessService;
  orgs: OrgService;
  apps: AppService;
  apiKeys: ApiKeyService;
  /** TOTP, the second factor (identity/totp/). */
  totp: TotpService;
  /** One-time codes by e-mail (identity/otp/). */
  otp: OtpService;
  /** OpenID Connect sign-in (identity/oidc/). */
  oidc: OidcService;
  /** Which peers' X-Forwarded-For names the client (login limits per client IP). */
  trust: TrustCheck;
}

/** OpenAPI tags of every User Svc operation. */
export const TAGS = ["User Svc"];

const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Transform hook (runs before validation): the body must be a JSON object (the schemas' cleaning step
 * would otherwise turn `42` or `[1]` into `{}`), and label maps must hold safe strings (cleaning would
 * silently drop bad entries instead of refusing them).
 */
export function rejectNonObjectBody({ body }: { body: unknown }): void {
  if (body === undefined) return;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("http.invalid_request", "invalid field body: expected a JSON object");
  }
  const b = body as { labels?: unknown; user?: { labels?: unknown } };
  for (const [field, labels] of [["labels", b.labels], ["user.labels", b.user?.labels]] as const) {
    if (labels === undefined || typeof labels !== "object" || labels === null || Array.isArray(labels)) continue;
    for (const [key, value] of Object.entries(labels)) {
      if (typeof value !== "string" || UNSAFE.test(value) || UNSAFE.test(key)) {
        throw badRequest("http.invalid_request", `invalid field ${field}: labels must map text to text`);
      }
    }
  }
}

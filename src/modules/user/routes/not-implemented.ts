/**
 * @module Routes that exist for `@1backend/client` 0.9.18 but whose features come later (contract §3):
 * TOTP, one-time passwords by email and external contact-auth answer 501; provider lists are empty.
 */
import { Elysia, t } from "elysia";
import { errors, notImplemented } from "../../../http/errors";
import { TAGS } from "./context";

const LATER: [method: "get" | "post" | "delete", path: string, summary: string, operationId: string, what: string][] = [
  ["post", "/user-svc/totp/setup", "Begin TOTP setup (not available yet)", "beginTOTPSetup", "TOTP"],
  ["post", "/user-svc/totp/enable", "Enable TOTP (not available yet)", "enableTOTP", "TOTP"],
  ["delete", "/user-svc/totp", "Disable TOTP (not available yet)", "disableTOTP", "TOTP"],
  ["post", "/user-svc/totp/status", "Read TOTP status (not available yet)", "readTOTPStatus", "TOTP"],
  ["get", "/user-svc/totp/setup/:totpId/qr.png", "TOTP QR code (not available yet)", "serveTOTPQRCode", "TOTP"],
  ["post", "/user-svc/otp/send", "Send a one-time password (not available yet)", "sendOtp", "one-time passwords"],
  ["post", "/user-svc/auth/:provider/login", "Contact-auth login (not available yet)", "contactAuthLogin", "contact-auth providers"],
  ["get", "/user-svc/auth/:provider/start", "Start contact auth (not available yet)", "contactAuthStart", "contact-auth providers"],
  ["get", "/user-svc/auth/:provider/callback", "Contact-auth callback (not available yet)", "contactAuthCallback", "contact-auth providers"],
];

const Providers = t.Object({ providers: t.Array(t.Object({ id: t.String(), kind: t.String(), name: t.String() })) });

/** The 501 routes and the empty provider lists. */
export function notImplementedRoutes() {
  let app = new Elysia({ name: "user-svc/later" });
  for (const [method, path, summary, operationId, what] of LATER) {
    app = app.route(
      method.toUpperCase(),
      path,
      () => {
        throw notImplemented("user.not_implemented", `${what} not available yet`);
      },
      { response: { 200: t.Object({}), ...errors(501) }, detail: { summary, tags: TAGS, operationId } },
    ) as unknown as typeof app;
  }
  const providers = { response: { 200: Providers, ...errors(400) }, query: t.Object({ appHost: t.Optional(t.String({ maxLength: 253 })) }) };
  return app
    .get("/user-svc/auth/providers", () => ({ providers: [] }), { ...providers, detail: { summary: "Contact-auth providers (none yet)", tags: TAGS, operationId: "listContactAuthProviders" } })
    .get("/user-svc/oidc/providers", () => ({ providers: [] }), { ...providers, detail: { summary: "OIDC contact-auth providers (none yet)", tags: TAGS, operationId: "listOIDCContactAuthProviders" } });
}

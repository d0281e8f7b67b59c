/** @module Routes: TOTP setup, QR code, enable, disable, status (service.ts has the rules). HTTP only. */
import type { Server } from "bun";
import { Elysia, t } from "elysia";
import QRCode from "qrcode";
import { BeginTotpSetupBody, BeginTotpSetupResponse, DisableTotpBody, EnableTotpBody, EnableTotpResponse, ReadTotpStatusBody, ReadTotpStatusResponse } from "../../../../contracts/user/totp";
import { Empty } from "../../../../contracts/user/fields";
import { authGuard } from "../../../../http/auth-guard";
import { clientAddress } from "../../../../http/client-address";
import { errors } from "../../../../contracts/error";
import { rejectNonObjectBody, TAGS, type UserRoutesContext } from "../../route-context";

const callerAddress = (c: UserRoutesContext, request: Request, server: Server<unknown> | null) =>
  clientAddress(request.headers, server?.requestIP(request)?.address, c.trust) ?? "unknown";

/** The five TOTP routes of `@1backend/client` 0.9.18. */
export function totpRoutes(c: UserRoutesContext) {
  const totp = c.totp;
  return new Elysia({ name: "user-svc/totp" })
    .use(authGuard(c.gate))
    .onTransform(rejectNonObjectBody)
    .post("/user-svc/totp/setup", ({ caller, body, request, server }) => totp.begin(caller, body ?? {}, callerAddress(c, request, server)), {
      auth: true,
      parse: "json",
      body: BeginTotpSetupBody,
      response: { 200: BeginTotpSetupResponse, ...errors(400, 401, 409, 413, 429, 503) },
      detail: { summary: "Begin setting up TOTP (an authenticator app)", tags: TAGS, operationId: "beginTOTPSetup", description: "Answers a new secret (20 bytes, base32), its `otpauth://` URI and the path of its QR code; nothing changes until `enableTOTP` confirms a code. While TOTP is on, `currentCode` (a code of the enabled factor) is required (409 `user.totp_already_enabled` without it) and the secret is kept unless `rotateSecret`. A setup replaces the caller's earlier pending one and lasts 15 minutes. Secrets are stored encrypted: 503 `user.encryption_key_missing` without `OB_ENCRYPTION_KEY`." },
    })
    .get(
      "/user-svc/totp/setup/:totpId/qr.png",
      async ({ caller, params }) => {
        const uri = await totp.provisioningUri(caller, params.totpId);
        const png = await QRCode.toBuffer(uri, { type: "png", width: 256, margin: 2, errorCorrectionLevel: "M" });
        return new Response(new Uint8Array(png), { headers: { "content-type": "image/png", "cache-control": "no-store" } });
      },
      {
        auth: true,
        params: t.Object({ totpId: t.String({ description: "Id of the pending setup (from beginTOTPSetup).", maxLength: 128 }) }),
        response: { 200: t.Any({ description: "PNG image of the provisioning URI (256 px), `Cache-Control: no-store`." }), ...errors(401, 404, 503) },
        detail: { summary: "The QR code (PNG) of a pending TOTP setup", tags: TAGS, operationId: "serveTOTPQRCode", description: "A 256 px PNG of the setup's provisioning URI, for an authenticator app to scan; never cached. 404 once the setup is enabled, replaced or expired." },
      },
    )
    .post("/user-svc/totp/enable", ({ caller, body, request, server }) => totp.enable(caller, body, callerAddress(c, request, server)), {
      auth: true,
      parse: "json",
      body: EnableTotpBody,
      response: { 200: EnableTotpResponse, ...errors(400, 401, 404, 413, 429, 503) },
      detail: { summary: "Turn TOTP on with a code of the pending setup; ends the caller's other sessions", tags: TAGS, operationId: "enableTOTP", description: "Confirms the pending setup (`totpId`, default the newest) with a code from the authenticator; from then on login asks for `totpCode`. Every other session of the user is revoked. A code is accepted once; wrong codes count against the login limits (429)." },
    })
    .delete(
      "/user-svc/totp",
      async ({ caller, body, request, server }) => {
        await totp.disable(caller, body, callerAddress(c, request, server));
        return {};
      },
      {
        auth: true,
        parse: "json",
        body: DisableTotpBody,
        response: { 200: Empty, ...errors(400, 401, 404, 413, 429) },
        detail: { summary: "Turn TOTP off: needs the password and a code", tags: TAGS, operationId: "disableTOTP", description: "Removes the factor. Both a current code and the user's `password` are required (1Backend asked for the code only; `@1backend/client` 0.9.18's model has no `password`, so send it in the JSON body yourself). A wrong password is 400 `user.wrong_password`, a wrong code 401 `user.totp_invalid`; both count against the login limits." },
      },
    )
    .post("/user-svc/totp/status", async ({ body }) => ({ totpEnabled: await totp.status(body.email) }), {
      parse: "json",
      body: ReadTotpStatusBody,
      response: { 200: ReadTotpStatusResponse, ...errors(400, 413) },
      detail: { summary: "Whether the owner of an e-mail has TOTP on (public)", tags: TAGS, operationId: "readTOTPStatus", description: "Lets a login form know to ask for a code before sending it. The e-mail is normalised as on login (lowercase, `+tag` dropped); an unknown address answers `false`." },
    });
}

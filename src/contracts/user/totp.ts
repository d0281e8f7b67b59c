/**
 * @module TOTP wire schemas (issue 14; the field names of `@1backend/client` 0.9.18's
 * `UserSvc*TOTP*` models). `disableTOTP` also needs `password`, which the 0.9.18 client's model does
 * not carry: 1Backend removed the factor on a code alone (reference §A.9).
 */
import { Type as t, type Static } from "@sinclair/typebox";
import { Password, Text } from "./fields.js";

const opt = t.Optional;
const Code = (description: string) => t.String({ description, maxLength: 16 });

/** Body of `beginTOTPSetup` (optional; `{}` when empty). */
export const BeginTotpSetupBody = t.Object({
  issuer: opt(Text("Shown by the authenticator app; default `1Backend`. Printable ASCII without `:` `/` `\\` `?` `#`, at most 128 bytes.", 512)),
  accountName: opt(Text("The label's account; default `$slug`. Placeholders `$slug` and `$name` (also as `${slug}`).", 512)),
  currentCode: opt(Code("A code of the enabled factor: required to set up again while TOTP is on.")),
  rotateSecret: opt(t.Boolean({ description: "Setting up again: a new secret instead of the current one." })),
});
export type BeginTotpSetupBody = Static<typeof BeginTotpSetupBody>;

export const BeginTotpSetupResponse = t.Object(
  {
    totpId: t.String({ description: "Id of the pending setup (`totp_…`)." }),
    secret: t.String({ description: "Base32 secret, no padding (20 bytes)." }),
    provisioningUri: t.String({ description: "`otpauth://totp/…` URI for authenticator apps." }),
    qrImagePath: t.String({ description: "Relative path of the QR code PNG of the URI." }),
  },
  { title: "UserSvcBeginTOTPSetupResponse" },
);

export const EnableTotpBody = t.Object({
  code: Code("A code from the authenticator the setup was scanned into."),
  totpId: opt(t.String({ description: "The setup to enable; default the pending one.", maxLength: 128 })),
});
export type EnableTotpBody = Static<typeof EnableTotpBody>;

export const EnableTotpResponse = t.Object({ enabled: t.Boolean() }, { title: "UserSvcEnableTOTPResponse" });

export const DisableTotpBody = t.Object({
  code: Code("A code of the enabled factor."),
  password: opt(Password("The user's password: required (absent answers 400 `user.password_missing`).")),
});
export type DisableTotpBody = Static<typeof DisableTotpBody>;

export const ReadTotpStatusBody = t.Object({ email: t.String({ description: "E-mail contact (normalised as on login).", maxLength: 320 }) });
export type ReadTotpStatusBody = Static<typeof ReadTotpStatusBody>;

export const ReadTotpStatusResponse = t.Object({ totpEnabled: t.Boolean() }, { title: "UserSvcReadTOTPStatusResponse" });

/**
 * @module `sendOtp` wire schemas (issue 14; the field names of `@1backend/client` 0.9.18's
 * `UserSvcSendOtpRequest` / `UserSvcSendOtpResponse`). The code is redeemed through
 * `contact.otpId` + `contact.otpCode` of register and login (requests.ts `ContactInput`). Unlike
 * 1Backend's test mode, the answer never carries the code.
 */
import { Type as t, type Static } from "@sinclair/typebox";
import { Host, Name, Text } from "./fields.js";

const opt = t.Optional;

export const SendOtpBody = t.Object({
  appHost: Host("The app the code is for, e.g. `unnamed`."),
  contactId: Name("E-mail address to send the code to (lower-cased, `+tag` removed, as contacts are).", 320),
  contactPlatform: Text("`email` (the only platform).", 64),
  contactHandle: opt(Text("Accepted for 1Backend compatibility; unused.", 256)),
});
export type SendOtpBody = Static<typeof SendOtpBody>;

export const SendOtpResponse = t.Object(
  { otpId: t.String({ description: "Id of the code (`otp-…`): give it as contact.otpId with the code from the mail." }) },
  { title: "UserSvcSendOtpResponse" },
);

/** @module Route: `POST /user-svc/otp/send` (sendOtp). HTTP only; the rules are in service.ts. */
import { Elysia } from "elysia";
import { SendOtpBody, SendOtpResponse } from "../../../../contracts/user/otp";
import { errors } from "../../../../contracts/error";
import { clientAddress } from "../../../../http/client-address";
import { rejectNonObjectBody, TAGS, type UserRoutesContext } from "../../route-context";
import type { OtpService } from "./service";

export function otpRoutes(c: Pick<UserRoutesContext, "trust">, otp: OtpService) {
  return new Elysia({ name: "user-svc/otp" })
    .onTransform(rejectNonObjectBody)
    .post("/user-svc/otp/send", async ({ body, request, server }) => otp.send(body, clientAddress(request.headers, server?.requestIP(request)?.address, c.trust) ?? "unknown"), {
      parse: "json",
      body: SendOtpBody,
      response: { 200: SendOtpResponse, ...errors(400, 413, 429, 501, 502) },
      detail: {
        summary: "Send a one-time code by e-mail; rate-limited per contact and per client network",
        tags: TAGS,
        operationId: "sendOtp",
        description:
          "Mails a 6-digit code to `contactId` (only `email` is supported) and answers its `otpId`. Redeem it once within 10 minutes as `contact.otpId` + `contact.otpCode` of register or login; 5 wrong attempts use it up. " +
          "Anyone may call it; at most 3 codes per contact and 10 per client network a minute (429 with `Retry-After`). 501 `user.mail_not_configured` when the server has no OB_SMTP_URL (nor OB_DEV_MAIL=log); 502 `user.mail_failed` when the mail server refused the message.",
      },
    });
}

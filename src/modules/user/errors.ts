/**
 * @module The User Svc's error catalogue: every `user.*` code it answers is declared here once, as a
 * named constructor, so services throw `slugTaken(slug)` instead of spelling codes inline and a code
 * cannot drift between two places that mean the same refusal. A missing permission is not ours: it is
 * http/errors.ts `permissionDenied` (`auth.permission_denied`, what the route guard answers too), and
 * the token codes are the ones contracts/authorization.ts shares with the SDK.
 */
import { AuthCodes, MISSING_TOKEN_MESSAGE } from "../../contracts/authorization";
import { AppError, badRequest, conflict, forbidden, notFound, notImplemented, tooManyRequests, unauthorized } from "../../http/errors";

// --- identity: accounts, passwords, tokens, API keys -------------------------------------------

export const slugReserved = (slug: string) => conflict("user.slug_reserved", `slug ${slug} is reserved`);
export const slugTaken = (slug: string) => conflict("user.slug_taken", `slug ${slug} is already taken`);
export const userIdTaken = (id: string) => conflict("user.id_taken", `user id ${id} is already taken`);
export const contactTaken = (id: string) => conflict("user.contact_taken", `contact ${id} is already taken`);
export const passwordTooShort = (min: number) => badRequest("user.password_too_short", `password must be at least ${min} characters`);
export const wrongPassword = () => badRequest("user.wrong_password", "the current password is not correct");
export const appHostMissing = () => badRequest("user.app_host_missing", "appHost is required");
export const credentialsMissing = () => badRequest("user.credentials_missing", "slug or contact is required");
export const passwordMissing = () => badRequest("user.password_missing", "password is required");
/** One answer for a wrong password and an unknown slug or contact: no user enumeration. */
export const invalidCredentials = () => unauthorized("user.invalid_credentials", "invalid slug, contact or password");
export const missingToken = () => unauthorized(AuthCodes.missingToken, MISSING_TOKEN_MESSAGE);
export const invalidToken = () => unauthorized(AuthCodes.invalidToken, "the token is not valid");
export const tokenRevoked = () => unauthorized("user.token_revoked", "the token was revoked");
export const tokenExpired = () => unauthorized("user.token_expired", "the token has expired");
/** The token is valid but its user was deleted since. */
export const userGone = () => unauthorized("user.user_gone", "the user of this token no longer exists");
export const deviceNotAllowed = () => unauthorized("user.device_not_allowed", "no more tokens for this device: its API key expired or was revoked");
export const invalidApiKey = () => unauthorized("user.invalid_api_key", "the API key is not valid");
export const apiKeyNotFound = (id: string) => notFound("user.api_key_not_found", `API key ${id} not found`);
export const userNotFound = (id: string) => notFound("user.user_not_found", `user ${id} not found`);
export const tokenTargetsExclusive = () => badRequest("user.mutually_exclusive", "give exactly one of userId and allTokens");
/** Failed logins (and wrong current passwords) past the login limits; `Retry-After` says when to retry. */
export const tooManyLogins = (retryAfterSeconds: number) => tooManyRequests("user.too_many_logins", retryAfterSeconds);
export const tooManyRegistrations = (retryAfterSeconds: number) => tooManyRequests("user.too_many_registrations", retryAfterSeconds);
/** A route of `@1backend/client` 0.9.18 whose feature comes later (contract §3). */
export const notBuiltYet = (what: string) => notImplemented("user.not_implemented", `${what} not available yet`);

// --- identity: TOTP (identity/totp/) ------------------------------------------------------------

/** Login (and register as an existing user) of a user with TOTP on, without `totpCode`. */
export const totpRequired = () => unauthorized("user.totp_required", "TOTP code required");
/** A wrong, expired or already used TOTP code (it counts against the login limits). */
export const totpInvalid = () => unauthorized("user.totp_invalid", "Invalid TOTP code");
export const totpAlreadyEnabled = () => conflict("user.totp_already_enabled", "TOTP already enabled: give currentCode to set it up again");
export const totpSetupNotFound = () => notFound("user.totp_setup_not_found", "TOTP setup not found (or expired: begin a new one)");
export const totpNotEnabled = () => notFound("user.totp_not_enabled", "TOTP not enabled");
export const totpCodeMissing = () => badRequest("user.totp_code_missing", "code is required");
/** An issuer or account name the provisioning URI cannot carry; `message` names the field and why. */
export const totpLabelInvalid = (message: string) => badRequest("user.totp_label_invalid", message);
export const totpEmailInvalid = () => badRequest("user.email_invalid", "invalid field email: expected an e-mail address");
export const totpKeyMissing = () => new AppError(503, "user.encryption_key_missing", "TOTP secrets are stored encrypted: set OB_ENCRYPTION_KEY (openssl rand -base64 32) to use TOTP");

// --- identity: one-time codes by e-mail, verified contacts (identity/otp/) ----------------------

export const mailNotConfigured = () =>
  notImplemented("user.mail_not_configured", "e-mail is not configured: set OB_SMTP_URL (e.g. smtp://user:pass@host:587) and OB_SMTP_FROM, or OB_DEV_MAIL=log for local development");
export const mailFailed = () => new AppError(502, "user.mail_failed", "the mail server did not accept the message; try again later");
/** `contactPlatform` other than email, or (with `contactId`) a contact that is not an e-mail address. */
export const otpPlatformUnsupported = (platform: string, contactId?: string) =>
  badRequest("user.otp_contact_invalid", contactId !== undefined ? "invalid field contactId: expected an e-mail address" : `invalid field contactPlatform: only email is supported (got ${JSON.stringify(platform.slice(0, 32))})`);
export const tooManyOtps = (retryAfterSeconds: number) => tooManyRequests("user.too_many_otps", retryAfterSeconds);
export const otpIncomplete = () => badRequest("user.otp_incomplete", "contact.otpId and contact.otpCode are both required to redeem a one-time code");
/** OB_VERIFY_CONTACTS=true: register and login by contact need a code sent to it. */
export const otpRequired = () => badRequest("user.otp_required", "this server verifies contacts (OB_VERIFY_CONTACTS): send a code with sendOtp and give contact.otpId and contact.otpCode");
export const otpNotFound = () => unauthorized("user.otp_not_found", "no such one-time code for this contact");
export const otpInvalid = () => unauthorized("user.otp_invalid", "the one-time code is not correct");
export const otpExpired = () => unauthorized("user.otp_expired", "the one-time code has expired: request a new one");
export const otpUsed = () => unauthorized("user.otp_used", "the one-time code was used already: request a new one");
export const otpExhausted = (max: number) => unauthorized("user.otp_exhausted", `the one-time code was tried ${max} times: request a new one`);
/** OB_VERIFY_CONTACTS=true, login with a code for a contact nobody owns: the slug of the user to create. */
export const otpSlugMissing = () => badRequest("user.slug_missing", "slug is required to register the verified contact");

// --- access: roles, permits, enrolls ------------------------------------------------------------

export const permissionMissing = () => badRequest("user.permission_missing", "each permit needs a permission");
export const tooManyPermits = (max: number, got: number) =>
  badRequest("user.too_many_permits", `invalid field permits: at most ${max} permissions per request (got ${got})`);
export const permitNotFound = (id: string) => notFound("user.permit_not_found", `permit ${id} not found`);
export const enrollNotFound = (id: string) => notFound("user.enroll_not_found", `enroll ${id} not found`);
export const enrollConflict = (id: string) => conflict("user.enroll_conflict", `enroll ${id} belongs to another app`);
export const enrollTargetMissing = () => badRequest("user.enroll_target_missing", "each enroll needs a userId or a contactId");
export const roleNotHeld = (role: string) => forbidden("user.role_not_held", `the caller does not hold role ${role}`);
/** Granting, filtering by or overwriting a role the caller does not own (see access/permissions.ts `ownsName`). */
export const roleNotOwned = (message: string) => forbidden("user.role_not_owned", message);
export const permissionNotOwned = (message: string) => forbidden("user.permission_not_owned", message);
/** The last admin rule (AccessService.assertAdminRemains): `what` is the refused change. */
export const lastAdmin = (what: string) => conflict("user.last_admin", what);
/** A list without any of its required filters; `fields` names them. */
export const filterMissing = (fields: string) => badRequest("user.filter_missing", `${fields} is required`);

// --- orgs: apps, organizations, memberships -----------------------------------------------------

export const appNotFound = (id: string) => notFound("user.app_not_found", `app ${id} not found`);
export const appMissing = () => badRequest("user.app_missing", "newAppHost or newAppId is required");
export const hostMissing = (field: "host" | "newHost") => badRequest("user.host_missing", `${field} is required`);
export const hostTaken = (host: string) => conflict("user.host_taken", `host ${host} belongs to another app`);
export const organizationNotFound = (id: string) => notFound("user.organization_not_found", `organization ${id} not found`);
export const organizationIdTaken = (id: string) => conflict("user.organization_id_taken", `organization id ${id} is taken`);
export const organizationSlugTaken = (slug: string) => conflict("user.organization_slug_taken", `organization slug ${slug} is taken`);
export const organizationNameMissing = () => badRequest("user.name_missing", "name is required for a new organization");
export const notOrganizationAdmin = () => forbidden("user.not_organization_admin", "the caller is not an admin of this organization");
/** No membership of `userId` (or, without it, of the caller) in the organization. */
export const membershipNotFound = (organizationId: string, userId?: string) =>
  notFound("user.membership_not_found", userId ? `user ${userId} is not a member of ${organizationId}` : `no membership of ${organizationId}`);
export const membershipNotAccepted = (organizationId: string, status: string) =>
  conflict("user.membership_not_accepted", `membership of ${organizationId} is ${status}`);

// --- shared by the three ------------------------------------------------------------------------

/** A time field of a request that is not an RFC 3339 time, or not an allowed one. */
export const invalidTime = (field: string, problem: string) => badRequest("user.invalid_time", `invalid field ${field}: ${problem}`);

// --- identity: OpenID Connect sign-in (identity/oidc/) -------------------------------------------

export const authProviderNotFound = (id: string) => notFound("user.auth_provider_not_found", `auth provider ${id} is not configured`);
export const returnToNotAllowed = () => badRequest("user.return_to_not_allowed", "returnTo does not start with an entry of the returnTo list of OB_OIDC_CONFIG");
export const oidcCallbackIncomplete = () => badRequest("user.oidc_callback_incomplete", "state and code are required");
/** The provider answered the authorization with an `error` (only its code is repeated, when it is one). */
export const oidcProviderRefused = (error: string) =>
  badRequest("user.oidc_provider_refused", /^[a-z_]{1,64}$/.test(error) ? `the provider refused the sign-in: ${error}` : "the provider refused the sign-in");
/** `why`: the state is not ours or was altered, expired, for another provider, or not started in this browser. */
export const oidcStateInvalid = (why: string) => unauthorized("user.oidc_state_invalid", `the sign-in state is not valid: ${why}`);
export const oidcStateUsed = () => unauthorized("user.oidc_state_used", "the sign-in state was used already");
export const oidcExchangeFailed = () => unauthorized("user.oidc_exchange_failed", "the provider did not exchange the code for tokens");
export const oidcTokenInvalid = (why: string) => unauthorized("user.oidc_token_invalid", `the ID token is not valid: ${why}`);
/** contactAuthLogin with an ID token that signed in once already (on any node): each is single use. */
export const oidcTokenReplayed = () => unauthorized("user.oidc_token_replayed", "the ID token was used already");
export const oidcEmailUnverified = () => unauthorized("user.oidc_email_unverified", "the provider did not assert a verified e-mail address");
export const oidcTokenMissing = () => badRequest("user.oidc_token_missing", "idToken (or token) is required");
export const oidcProviderUnreachable = (id: string) => new AppError(503, "user.oidc_provider_unreachable", `auth provider ${id} could not be reached`);

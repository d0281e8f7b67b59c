/**
 * @module 1Backend on Bun service SDK. Most services need only {@link startService}:
 *
 * @example
 * import { startService } from "../../sdk";
 * const svc = await startService({ slug: "skeleton-svc" }); // OB_SERVER_URL / OB_SELF_URL from the env
 * Bun.serve({ port: 9311, fetch: svc.auth.guard((req, caller) => Response.json({ hello: caller.slug })) });
 */
export { startService, type Service, type ServiceOptions } from "./service";
export { registerOrLogin, SlugTakenError, type AccountOptions, type AccountToken } from "./account";
export { ServiceSession, type SessionOptions, type TokenSource } from "./session";
export { InstanceRegistration, normaliseUrl, type InstanceOptions } from "./instance";
export { TokenVerifier, InvalidTokenError, tokenFromHeader, type Caller } from "./verify";
export { PermissionChecker, type PermissionAnswer } from "./permissions";
export { Authenticator, ForbiddenError, authErrorResponse, type AuthedHandler } from "./auth";
export { ApiClient, ServerError, isTransient, type CallOptions } from "./http";
export { withRetry, sleep, type RetryOptions } from "./retry";
export { defaultCredentialsFile, readCredentials, writeCredentials, generatePassword, type StoredCredentials } from "./credentials";

/**
 * @module 1Backend on Bun service SDK (`@1backend-bun/sdk`), for Node.js ≥ 20 and Bun. Most services
 * need only {@link startService}, called once they listen:
 *
 * @example
 * import { createServer } from "node:http";
 * import { selfUrlFromEnv, startService } from "@1backend-bun/sdk";
 * const self = new URL(selfUrlFromEnv()); // SELF_URL, then OB_INSTANCE_URL
 * createServer((req, res) => res.end('{"hello":"world"}')).listen(Number(self.port), self.hostname);
 * const svc = await startService({ slug: "my-svc", selfUrl: self.href }); // server: OB_SERVER_URL, then OB_URL
 */
export { startService, type Service, type ServiceOptions } from "./service.js";
export { registerOrLogin, SlugTakenError, type AccountOptions, type AccountToken } from "./account.js";
export { ServiceSession, type SessionOptions, type TokenSource } from "./session.js";
export { InstanceRegistration, normaliseUrl, type InstanceOptions } from "./instance.js";
export { TokenVerifier, tokenFromHeader, type Caller } from "./verify.js";
export { PermissionChecker, type PermissionAnswer } from "./permissions.js";
export { Authenticator, authErrorResponse, type AuthedHandler } from "./auth.js";
export { ErrorCodes, InvalidTokenError, ForbiddenError } from "./errors.js";
export { serverUrlFromEnv, selfUrlFromEnv, credentialsFileFromEnv, DEFAULT_SERVER_URL, type Env } from "./env.js";
export { ApiClient, ServerError, isTransient, type CallOptions } from "./http.js";
export { withRetry, sleep, type RetryOptions } from "./retry.js";
export { defaultCredentialsFile, readCredentials, writeCredentials, generatePassword, type StoredCredentials } from "./credentials.js";

/** oidc-provider ships no types; the OIDC test (test/user/oidc.test.ts) uses its documented configuration. */
declare module "oidc-provider";

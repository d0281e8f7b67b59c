/** @module Helpers for User Svc tests: register users, log in the admin, snapshot the user tables. */
import type { TestApp } from "../helpers/app";

export const APP = "test.app";

/** Registers `slug` with password `<slug>-password` and returns its token and ids. */
export async function register(t: TestApp, slug: string, extra: Record<string, unknown> = {}) {
  const r = await t.json("POST", "/user-svc/register", { body: { appHost: APP, slug, password: `${slug}-password`, name: `Name ${slug}`, ...extra } });
  if (r.status !== 200) throw new Error(`register ${slug}: ${r.status} ${JSON.stringify(r.body)}`);
  return { token: r.body.token.token as string, userId: r.body.token.userId as string, appId: r.body.token.appId as string, slug };
}

/** Logs in the bootstrap admin in the test app. */
export async function adminToken(t: TestApp): Promise<string> {
  const r = await t.json("POST", "/user-svc/login", { body: { appHost: APP, slug: "1backend", password: "changeme" } });
  if (r.status !== 200) throw new Error(`admin login: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token.token;
}

const TABLES = ["user_apps", "user_users", "user_passwords", "user_contacts", "user_sessions", "user_enrolls", "user_permits", "user_organizations", "user_memberships", "user_api_keys", "user_key_pairs"];

/** Every row of every User Svc table, to prove a refused request changed nothing. */
export function snapshot(t: TestApp): string {
  return JSON.stringify(TABLES.map((table) => t.deps.sqlite.query(`SELECT * FROM ${table} ORDER BY rowid`).all()));
}

/** Decodes a JWT payload without verifying (tests only). */
export function claimsOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
}

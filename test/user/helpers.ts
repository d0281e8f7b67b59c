/** @module Helpers for User Svc tests: register users, log in the admin, snapshot the user tables. */
import type { Tables } from "../../src/db/database";
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

const TABLES = ["userApps", "userUsers", "userPasswords", "userContacts", "userSessions", "userEnrolls", "userPermits", "userOrganizations", "userMemberships", "userApiKeys", "userKeyPairs"] as const satisfies readonly (keyof Tables)[];

/** Every row of every User Svc table (sorted: neither dialect promises an order), to prove a refused request changed nothing. */
export async function snapshot(t: TestApp): Promise<string> {
  const { db, tables } = t.deps.database;
  const dump: string[][] = [];
  for (const name of TABLES) dump.push((await db.select().from(tables[name])).map((row) => JSON.stringify(row)).sort());
  return JSON.stringify(dump);
}

/** Decodes a JWT payload without verifying (tests only). */
export function claimsOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
}

/** @module User Svc: accounts, tokens, permissions (contract §3). Placeholder until the module lands. */
import { Elysia } from "elysia";
import type { BaseDeps } from "../../deps";
import type { AuthGate } from "../../http/auth-guard";
import { unauthorized } from "../../http/errors";
import type { Module } from "../module";

export interface UserModule extends Module {
  gate: AuthGate;
}

export async function createUserModule(_deps: BaseDeps): Promise<UserModule> {
  const gate: AuthGate = {
    authenticate: async () => {
      throw unauthorized("auth.unauthorized");
    },
    hasPermission: () => false,
    grantDefaultPermits: () => {},
    authorizationForUpstream: async (authorization) => authorization,
  };
  return { gate, routes: new Elysia({ name: "user-svc" }) };
}

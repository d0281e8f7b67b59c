/** @module Registry Svc: instances, nodes, health (contract §4). Placeholder until the module lands. */
import { Elysia } from "elysia";
import type { BaseDeps } from "../../deps";
import type { AuthGate } from "../../http/auth-guard";
import type { Module } from "../module";
import type { InstanceRouting } from "./routing";

export interface RegistryModule extends Module {
  routing: InstanceRouting;
}

export async function createRegistryModule(_deps: BaseDeps, _gate: AuthGate): Promise<RegistryModule> {
  const routing: InstanceRouting = { instancesOf: () => [], reportConnectFailure: () => {} };
  return { routing, routes: new Elysia({ name: "registry-svc" }) };
}

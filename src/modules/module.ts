/** @module The shape every feature module hands to the composition root. */
import type { AnyElysia } from "elysia";

export interface Module {
  /** The module's HTTP routes as an Elysia plugin (never listening itself). */
  routes: AnyElysia;
  /** Starts background jobs; called once after the server listens. */
  start?(): void | Promise<void>;
  /** Stops background jobs and flushes state; called on shutdown before the database closes. */
  stop?(): void | Promise<void>;
}

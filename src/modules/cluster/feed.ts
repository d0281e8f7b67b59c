/**
 * @module The change feed (contract §7): how one node's change reaches the in-memory views of the
 * others. A writer adds {@link ChangeFeed.record}'s queries to the batch of its change, so the feed row
 * commits (or rolls back) with it; each node hands the keys other nodes changed to the consumers of
 * their topic. One node on SQLite has nobody to tell: {@link singleNodeFeed} records nothing and
 * delivers nothing, at no cost. On PostgreSQL it is {@link PostgresFeed} (postgres-feed.ts).
 */
import type { Db, PendingQuery } from "../../db/database";

/** Topics, one per kind of in-memory view. */
export const FEED_TOPICS = {
  /** A session (token) was revoked: key = the session id (the JWT `jti`). */
  sessionRevoked: "session.revoked",
  /** A permit was saved or deleted: key = the permit id (the row is read again: there, or gone). */
  permitChanged: "user.permit",
  /** An app was renamed: key = the app id. */
  appChanged: "user.app",
  /** An instance was registered, changed, removed, or its health written: key = the instance id. */
  instanceChanged: "registry.instance",
  /** An edge route was saved or deleted: key = the route id (the row is read again: there, or gone). */
  edgeRouteChanged: "edge.route",
  /** An edge redirect was saved or deleted: key = the redirect id. */
  edgeRedirectChanged: "edge.redirect",
  /** A certificate was saved, issued or deleted: key = the certificate id. */
  edgeCertChanged: "edge.cert",
} as const;

/** Consumer of a topic: the keys other nodes changed, in feed order (duplicates possible: consumers are idempotent). */
export type FeedConsumer = (keys: string[]) => void;

export interface ChangeFeed {
  /**
   * The queries that record `keys` under `topic`, to be built into the change's own batch (on the db
   * the batch hands in), so the row commits with the change and the other nodes are woken on commit.
   * None on a single node.
   */
  record(db: Db, topic: string, keys: readonly string[]): readonly PendingQuery[];
  /** Calls `consumer` with the keys other nodes change under `topic` from now on. */
  subscribe(topic: string, consumer: FeedConsumer): void;
  /** Begins following the feed (LISTEN, catch-up, fallback poll). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const NOTHING: readonly PendingQuery[] = Object.freeze([]);

/** The feed of one node (SQLite): no table writes, no listeners, nothing to deliver. */
export const singleNodeFeed: ChangeFeed = {
  record: () => NOTHING,
  subscribe: () => undefined,
  start: async () => undefined,
  stop: async () => undefined,
};

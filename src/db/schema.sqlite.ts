/** @module drizzle-kit's entry for SQLite (drizzle.sqlite.config.ts): the tables with no prefix; migrations are prefixed when applied. */
import { defineTables } from "./schema";

export const { userUsers, userPasswords, userContacts, userSessions, userKeyPairs, userApiKeys, userAttemptCounters, userEnrolls, userPermits, userApps, userOrganizations, userMemberships, registryInstances, registryNodes, systemReadiness, clusterFeed, edgeRoutes, edgeRedirects, edgeCertificates, edgeAcmeAccounts, userOidcStates, userOidcTokens, userTotps, userOtps } =
  defineTables("sqlite");

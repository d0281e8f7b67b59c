/**
 * @module The per-variable checks and conversions loadConfig (../config.ts) applies after the schema
 * validated the shapes: rules a pattern cannot say (ranges, one variable needing another, files and
 * keys read now), each throwing a {@link ConfigError} that names the variable, so a bad value stops the
 * start instead of failing later.
 */
import { AddressRules } from "../lib/address-rules";
import { EncryptionKeyError, parseEncryptionKey } from "../lib/secret-box";
import { parseDuration } from "../lib/duration";
import { loadOidcConfig, OidcConfigError, type OidcConfig } from "../modules/user/identity/oidc/config";
import type { ConfigEnv } from "./env-schema";
import { ConfigError, type Config } from "./types";

/** OB_SMTP_URL needs OB_SMTP_FROM (a mail server refuses mail without a sender): checked at start. */
export function mailSettings(e: ConfigEnv): Pick<Config, "smtpUrl" | "smtpFrom" | "devMail" | "verifyContacts"> {
  const smtpUrl = e.OB_SMTP_URL.trim();
  const smtpFrom = e.OB_SMTP_FROM.trim();
  if (smtpUrl && !smtpFrom) throw new ConfigError("missing OB_SMTP_FROM: OB_SMTP_URL needs the From address of the mails, e.g. no-reply@example.com");
  return { smtpUrl, smtpFrom, devMail: e.OB_DEV_MAIL, verifyContacts: isTrue(e.OB_VERIFY_CONTACTS) };
}

/** The OIDC providers file read and checked now, so a bad file stops the start naming the field. */
export function oidcConfig(path: string): OidcConfig | undefined {
  if (path.trim() === "") return undefined;
  try {
    return loadOidcConfig(path.trim());
  } catch (err) {
    if (err instanceof OidcConfigError) throw new ConfigError(`invalid OB_OIDC_CONFIG (${path.trim()}): ${err.message}`);
    throw err;
  }
}

/** OB_ENCRYPTION_KEY checked now, so a malformed key stops the start naming the variable (never echoing it). */
export function encryptionKey(value: string): string | undefined {
  if (value.trim() === "") return undefined;
  try {
    parseEncryptionKey(value);
  } catch (err) {
    if (err instanceof EncryptionKeyError) throw new ConfigError(`invalid OB_ENCRYPTION_KEY: ${err.message}`);
    throw err;
  }
  return value.trim();
}

/** OB_DB and OB_DB_CONNECTION_STRING together: the engine, and for PostgreSQL its URL. */
export function databaseChoice(e: ConfigEnv): Pick<Config, "dbKind" | "dbConnectionString"> {
  if (e.OB_DB === "sqlite") return { dbKind: "sqlite", dbConnectionString: undefined };
  const inline = e.OB_DB === "postgres" ? "" : e.OB_DB;
  if (inline && e.OB_DB_CONNECTION_STRING && inline !== e.OB_DB_CONNECTION_STRING) {
    throw new ConfigError("invalid OB_DB: it holds a connection URL and OB_DB_CONNECTION_STRING holds another; set one of them");
  }
  const url = inline || e.OB_DB_CONNECTION_STRING;
  if (!url) throw new ConfigError("missing OB_DB_CONNECTION_STRING: OB_DB=postgres needs the PostgreSQL URL (postgres://user:password@host:port/database)");
  if (!/^postgres(ql)?:\/\/[^\s]+$/.test(url) || !URL.canParse(url)) {
    throw new ConfigError("invalid OB_DB_CONNECTION_STRING: expected a URL like postgres://user:password@host:5432/database");
  }
  return { dbKind: "postgres", dbConnectionString: url };
}

/** An edge listener's `[host:]port` (all interfaces when no host is named); ports above 65535 refused. */
export function edgeAddressOf(name: string, value: string): { host: string; port: number } {
  const [host, port] = value.includes(":") ? splitHostPort(value) : ["0.0.0.0", Number(value)];
  if (port > 65535) throw new ConfigError(`invalid ${name}=${JSON.stringify(value)}: port must be 0-65535`);
  return { host, port };
}

/** `host:port` (brackets of an IPv6 host removed) split at its last colon; the port is not range-checked. */
export function splitHostPort(value: string): [string, number] {
  const at = value.lastIndexOf(":");
  return [value.slice(0, at).replace(/^\[|\]$/g, ""), Number(value.slice(at + 1))];
}

/** The entries of an address-rule list, each checked now so a bad one stops the start naming the variable. */
export function addressRules(name: string, value: string): string[] {
  const entries = value.split(",").map((s) => s.trim()).filter(Boolean);
  try {
    AddressRules.parse(entries);
  } catch (err) {
    throw new ConfigError(`invalid ${name}: ${(err as Error).message}`);
  }
  return entries;
}

/**
 * OB_NODE_TTL in ms: empty is 10 heartbeat intervals; anything else but 0 must exceed the 3 intervals
 * after which a node is listed not alive, so a live node's row (at most about one interval old) is never removed.
 */
export function nodeTtl(value: string, heartbeatMs: number): number {
  if (value.trim() === "") return 10 * heartbeatMs;
  const ttl = parseDuration(value)!;
  if (ttl !== 0 && ttl <= 3 * heartbeatMs) throw new ConfigError(`invalid OB_NODE_TTL=${JSON.stringify(value)}: must be 0 or more than 3 × OB_HEALTH_INTERVAL (${3 * heartbeatMs} ms)`);
  return ttl;
}

/** A heartbeat-only write per instance when OB_HEARTBEAT_WRITE_INTERVAL is empty (bench/registry/README.md). */
const HEARTBEAT_WRITE_DEFAULT_MS = 60_000;

/**
 * OB_HEARTBEAT_WRITE_INTERVAL against OB_INSTANCE_TTL. The stored lastHeartbeat lags the exact one by
 * less than this interval plus one flush (1 s), and a node that did not receive an instance's
 * heartbeats (the cluster's sweeper) judges its expiry by the stored one: at a quarter of the TTL, a
 * live instance is at most a quarter older on disk than it really is, never expired. Empty: the
 * default, lowered to a quarter of a short TTL; a larger value is refused rather than lowered.
 */
export function heartbeatWriteInterval(value: string, ttlMs: number): number {
  const limit = ttlMs > 0 ? Math.floor(ttlMs / 4) : Infinity;
  if (value.trim() === "") return Math.min(HEARTBEAT_WRITE_DEFAULT_MS, limit);
  const interval = parseDuration(value)!;
  if (interval > limit) {
    throw new ConfigError(`invalid OB_HEARTBEAT_WRITE_INTERVAL=${JSON.stringify(value)}: must be at most a quarter of OB_INSTANCE_TTL (${ttlMs} ms), or other nodes could judge a live instance expired by its stored heartbeat`);
  }
  return interval;
}

/** A duration that must be above 0 (a zero interval or timeout would spin or never wait). */
export function positive(name: string, value: number): number {
  if (value <= 0) throw new ConfigError(`invalid ${name}: must be greater than 0`);
  return value;
}

/** A BOOL variable's value read as true (`true`, `1`, `yes`); anything else the pattern admits is false. */
export function isTrue(value: string): boolean {
  return value === "true" || value === "1" || value === "yes";
}

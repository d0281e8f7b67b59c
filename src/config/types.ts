/**
 * @module The typed configuration every module receives ({@link Config}) and the error a bad value
 * raises ({@link ConfigError}). Its own file so the parsing helpers (resolve.ts) and the entry
 * (../config.ts) share them without importing each other.
 */
import type { LogFormat, LogLevel } from "../lib/log";
import type { OidcConfig } from "../modules/user/identity/oidc/config";

/** The typed configuration every other module receives. Durations are milliseconds. */
export interface Config {
  selfUrl: string;
  listenHost: string;
  listenPort: number;
  /** OB_REUSE_PORT: share the listening address with other servers on purpose. */
  reusePort: boolean;
  folder: string;
  /** OB_DB: which engine holds the state. */
  dbKind: "sqlite" | "postgres";
  /** The PostgreSQL URL (OB_DB_CONNECTION_STRING, or a URL given in OB_DB); undefined on SQLite. */
  dbConnectionString: string | undefined;
  /** OB_DB_PREFIX, validated to [a-z0-9_]{0,32} (it is spliced into SQL names). */
  dbPrefix: string;
  /** OB_DB_CONNECT_TIMEOUT. */
  dbConnectTimeoutMs: number;
  logLevel: LogLevel;
  /** OB_LOG_FORMAT. */
  logFormat: LogFormat;
  /** OB_METRICS_PUBLIC: /metrics without a token. */
  metricsPublic: boolean;
  bodyLimitBytes: number;
  /** OB_JSON_MAX_VALUES; `Infinity` for 0. */
  jsonMaxValues: number;
  tokenExpirationMs: number;
  tokenAutoRefresh: boolean;
  adminPassword: string | undefined;
  loginLimitPerIp: number;
  loginLimitPerSlug: number;
  loginLimitPerSlugIp: number;
  registerLimitPerIp: number;
  nodeId: string | undefined;
  region: string;
  availabilityZone: string;
  /** OB_NODE_TTL resolved (empty: 10 × OB_HEALTH_INTERVAL); 0 never removes a node. */
  nodeTtlMs: number;
  healthIntervalMs: number;
  healthTimeoutMs: number;
  healthDegradedAfterMs: number;
  healthConcurrency: number;
  unhealthyAfterMs: number;
  instanceTtlMs: number;
  /** OB_HEARTBEAT_WRITE_INTERVAL, at most a quarter of the TTL (see heartbeatWriteInterval in resolve.ts). */
  heartbeatWriteIntervalMs: number;
  /** OB_EVENT_STREAMS_PER_USER (at least 1). */
  eventStreamsPerUser: number;
  /** OB_EVENT_STREAMS_MAX (at least 1). */
  eventStreamsMax: number;
  proxyTimeoutMs: number;
  proxyConnectTimeoutMs: number;
  proxyRetries: number;
  trustedProxies: string[];
  /** Entries of OB_INSTANCE_DENY (validated), added to the built-in deny list. */
  instanceDeny: string[];
  /** Entries of OB_INSTANCE_ALLOW (validated). */
  instanceAllow: string[];
  /** OB_ENCRYPTION_KEY, validated (lib/secret-box.ts forms); undefined when empty. */
  encryptionKey: string | undefined;
  /** OB_EDGE_PROXY: the edge listeners run (edge/listeners.ts). */
  edgeProxy: boolean;
  /** OB_EDGE_PROXY_TEST_MODE: only the plain HTTP edge listener, serving routes itself. */
  edgeTestMode: boolean;
  /** OB_EDGE_PROXY_HTTPS_PORT: bind address of the TLS edge listener (host "0.0.0.0" unless named). */
  edgeHttps: { host: string; port: number };
  /** OB_EDGE_PROXY_HTTP_PORT: bind address of the plain HTTP edge listener. */
  edgeHttp: { host: string; port: number };
  /** OB_ACME_DIRECTORY (empty: Let's Encrypt production); undefined for `off`. */
  acmeDirectory: string | undefined;
  /** OB_ACME_CA_FILE: a PEM bundle trusted for the directory besides the system CAs; undefined when empty. */
  acmeCaFile: string | undefined;
  /** OB_OIDC_CONFIG, read and validated (modules/user/identity/oidc/config.ts); undefined when empty. */
  oidc: OidcConfig | undefined;
  /** OB_CONTACT_EMAIL; undefined when empty. */
  contactEmail: string | undefined;
  /** OB_SMTP_URL, OB_SMTP_FROM, OB_DEV_MAIL: how sendOtp mails (modules/user/identity/otp/mailer.ts); empty when unset. */
  smtpUrl: string;
  smtpFrom: string;
  devMail: string;
  /** OB_VERIFY_CONTACTS=true: register and login by contact need a one-time code. */
  verifyContacts: boolean;
}

/** A configuration value that failed validation; the message names the variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

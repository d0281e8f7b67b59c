/**
 * @module The one reader of the environment: every `OB_*` variable in one TypeBox schema
 * (description + default), validated once at start into a typed, frozen {@link Config}.
 */
import { t, type Static } from "elysia";
import { Value } from "@sinclair/typebox/value";
import { dirname, resolve } from "node:path";
import { AddressRules } from "./lib/address-rules";
import { ENCRYPTION_KEY_FORMS, EncryptionKeyError, parseEncryptionKey } from "./lib/secret-box";
import { parseDuration } from "./lib/duration";
import type { LogFormat, LogLevel } from "./lib/log";
import { loadOidcConfig, OidcConfigError, type OidcConfig } from "./modules/user/identity/oidc/config";

const DURATION = "^\\s*(0|((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h))+)\\s*$";
const BOOL = "^(true|false|1|0|yes|no|)$";
const duration = (description: string, dflt: string) => t.String({ description, default: dflt, pattern: DURATION });
const bool = (description: string) => t.String({ description, default: "false", pattern: BOOL });
const count = (description: string, dflt: string) => t.String({ description, default: dflt, pattern: "^\\d+$" });
const text = (description: string, dflt = "") => t.String({ description, default: dflt });
/** A port, or host:port to bind one interface (`[::1]:443`); the edge listeners' addresses. */
const EDGE_ADDRESS = "^((\\[[0-9a-fA-F:.]+\\]|[^\\s:\\[\\]]+):)?\\d{1,5}$";
const edgeAddress = (description: string, dflt: string) => t.String({ description, default: dflt, pattern: EDGE_ADDRESS });
/** Let's Encrypt's production ACME directory, OB_ACME_DIRECTORY's default. */
export const LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory";

/** Every variable the server reads, by its env name. `1backend --help` prints this table. */
export const ConfigEnv = t.Object({
  OB_SELF_URL: t.String({ description: "Public URL of this server; its port is the listening port.", default: "http://127.0.0.1:11337", pattern: "^https?://[^\\s/]+(:\\d+)?/?$" }),
  OB_LISTEN: t.String({ description: "Bind address host:port (e.g. 0.0.0.0:11337). Empty: host and port of OB_SELF_URL.", default: "", pattern: "^(\\[[0-9a-fA-F:.]+\\]|[^\\s:]+):\\d{1,5}$|^$" }),
  OB_REUSE_PORT: bool("true: bind with SO_REUSEPORT so several servers share one address (the kernel spreads connections over them). Only for nodes of one cluster sharing one database; false: an address in use stops the start."),
  OB_FOLDER: text("Folder holding 1backend.db. Empty: next to the binary when compiled, ./.data when run from source."),
  OB_DB: t.String({ description: "sqlite: one file, 1backend.db in OB_FOLDER (a single node); postgres: the PostgreSQL database of OB_DB_CONNECTION_STRING, shared by every node of a cluster. A postgres:// URL here is taken as the connection string.", default: "sqlite", pattern: "^(sqlite|postgres|postgres(ql)?://\\S+)$" }),
  OB_DB_CONNECTION_STRING: text("PostgreSQL connection URL (postgres://user:password@host:port/database?sslmode=...) when OB_DB=postgres."),
  OB_DB_PREFIX: t.String({ description: "Prefix of every table, index and constraint name (and of the migrations table): several clusters, or test runs, in one database. Lowercase letters, digits and _, at most 32.", default: "", pattern: "^[a-z0-9_]{0,32}$" }),
  OB_DB_CONNECT_TIMEOUT: duration("How long a start waits for PostgreSQL to accept connections (retrying with backoff, logging each attempt) before it exits naming OB_DB_CONNECTION_STRING.", "30s"),
  OB_LOG_LEVEL: t.String({ description: "debug, info, warn, error or silent. Requests are logged at info.", default: "info", pattern: "^(debug|info|warn|error|silent)$" }),
  OB_LOG_FORMAT: t.String({ description: "json: one JSON object per line (for log collectors); text: human-readable lines for a terminal.", default: "json", pattern: "^(json|text)$" }),
  OB_METRICS_PUBLIC: bool("true: GET /metrics answers without a token (for a Prometheus on a trusted network); false: it needs the permission metrics:view (admins hold it)."),
  OB_BODY_LIMIT: count("Largest JSON request body in bytes on built-in endpoints; larger gets 413. Proxied bodies are streamed and not limited.", String(1024 * 1024)),
  OB_JSON_MAX_VALUES: count("Most JSON values (array elements, object members, arrays and objects) a request body on built-in endpoints may hold; more gets 413 before it is parsed, which bounds the CPU one request can cost (parsing 1 MiB of tiny values takes ~100 ms). 0: no limit.", "20000"),
  OB_TOKEN_EXPIRATION: duration("Lifetime of issued tokens, Go duration syntax (30s, 5m, 1h). 0 means 5m.", "5m"),
  OB_TOKEN_AUTO_REFRESH_OFF: bool("true: an expired token is refused instead of being refreshed from its still-active session."),
  OB_ADMIN_PASSWORD: text("Password of the bootstrap admin `1backend` when it is first created. Empty: `changeme`, with a warning."),
  OB_LOGIN_LIMIT_PER_IP: count("Failed logins allowed per client network (IPv4 address, IPv6 /64) per minute over all slugs (password spraying); past it that network gets 429 on every login. Successful logins do not count. 0: no limit.", "30"),
  OB_LOGIN_LIMIT_PER_SLUG: count("Failed logins allowed per slug per minute from all clients together; past it a client gets 429 for that slug only while it has itself failed there this minute, so each network gets one guess while the owner can still log in. 0: no limit.", "100"),
  OB_LOGIN_LIMIT_PER_SLUG_IP: count("Failed logins allowed per slug per minute from one client network; past it only that network gets 429 for that slug, and its successful login resets the count. Also bounds wrong current passwords in password changes per account. 0: no limit.", "5"),
  OB_REGISTER_LIMIT_PER_IP: count("Registrations (POST /user-svc/register) allowed per client network per minute before 429. 0: no limit.", "20"),
  OB_NODE_ID: text("Id of this node in the registry. Empty: the stored id for OB_SELF_URL, or a new one."),
  OB_REGION: text("Region reported by this node."),
  OB_AZ: text("Availability zone reported by this node."),
  OB_NODE_TTL: t.String({ description: "A node (server) heartbeats every OB_HEALTH_INTERVAL and is listed not alive once its last heartbeat is 3 intervals old; its row is removed (by any node) this long after its last heartbeat. Empty: 10 × OB_HEALTH_INTERVAL; 0 never removes; otherwise more than 3 × OB_HEALTH_INTERVAL.", default: "", pattern: `^$|${DURATION}` }),
  OB_HEALTH_INTERVAL: duration("How often every instance is probed.", "5s"),
  OB_HEALTH_TIMEOUT: duration("Timeout of one probe (TCP connect or HTTP GET).", "2s"),
  OB_HEALTH_DEGRADED_AFTER: duration("A probe that succeeds but takes longer than this marks the instance Degraded.", "1s"),
  OB_HEALTH_CONCURRENCY: count("Probes in flight at once.", "256"),
  OB_UNHEALTHY_AFTER: duration("An instance not seen alive for this long is marked Unreachable by the sweeper.", "15s"),
  OB_INSTANCE_TTL: duration("An instance not seen alive for this long is removed. 0 never removes.", "10m"),
  OB_HEARTBEAT_WRITE_INTERVAL: t.String({ description: "A heartbeat that changes nothing but an instance's last-seen time is written to the database at most this often per instance (status changes are written at once; the API answers the exact time from memory). Other nodes judge expiry by the stored time, so it must be at most a quarter of OB_INSTANCE_TTL. Empty: 1m, or a quarter of OB_INSTANCE_TTL when that is shorter. 0: every heartbeat.", default: "", pattern: `${DURATION}|^$` }),
  OB_EVENT_STREAMS_PER_USER: count("Event streams (GET /registry-svc/events, the console's live view) one account may hold open at once; one more answers 429 registry.too_many_streams.", "8"),
  OB_PROXY_TIMEOUT: duration("Time an upstream has to send its response headers before the proxy answers 504.", "60s"),
  OB_PROXY_CONNECT_TIMEOUT: duration("Time to connect to an instance before trying the next one.", "3s"),
  OB_PROXY_RETRIES: count("Other instances tried after a connection failure (only before the request body was sent).", "2"),
  OB_TRUSTED_PROXIES: text("Comma-separated IPs or CIDRs of reverse proxies in front of this server: their X-Forwarded-* headers are kept (and name the client for the login and registration limits); from others they are replaced."),
  OB_INSTANCE_DENY: text("Comma-separated CIDRs, IPs and host names (*.domain for all below it) that instance URLs may not point at, checked at registration and before every connect. Added to the built-in list: 169.254.0.0/16, fe80::/10, 0.0.0.0/8, ::/128 (also IPv4-mapped), cloud metadata addresses and names (metadata.google.internal, metadata, instance-data, ...)."),
  OB_EDGE_PROXY: bool("true: serve the edge routes, redirects and certificates of the Proxy Svc (saveRoutes, saveRedirects, saveCerts, ACME) on their own listeners: HTTPS on OB_EDGE_PROXY_HTTPS_PORT (certificate by SNI) and HTTP on OB_EDGE_PROXY_HTTP_PORT (ACME challenges, else 301 to https://). The API is not served there. Needs OB_ENCRYPTION_KEY."),
  OB_EDGE_PROXY_HTTPS_PORT: edgeAddress("Port of the edge's HTTPS listener (all interfaces), or host:port to bind one interface (127.0.0.1:8443). 0: a free port (logged).", "443"),
  OB_EDGE_PROXY_HTTP_PORT: edgeAddress("Port of the edge's plain HTTP listener (all interfaces), or host:port to bind one interface. 0: a free port (logged).", "80"),
  OB_EDGE_PROXY_TEST_MODE: bool("true (with OB_EDGE_PROXY=true): no TLS listener and no HTTP→HTTPS redirect; the plain HTTP listener on OB_EDGE_PROXY_HTTP_PORT serves the edge routes and redirects itself (tests, or TLS terminated in front)."),
  OB_ENCRYPTION_KEY: text(`Key that encrypts secrets at rest (certificate private keys, the ACME account, TOTP secrets, the token signing key; AES-256-GCM): ${ENCRYPTION_KEY_FORMS}. Required with OB_EDGE_PROXY=true; every node of a cluster needs the same key. Empty: certificates cannot be saved and TOTP cannot be set up (503).`),
  OB_INSTANCE_ALLOW: text("Comma-separated CIDRs, IPs and host names that instance URLs may point at even when OB_INSTANCE_DENY or the built-in list denies them; an allowed name also allows what it resolves to."),
  OB_ACME_DIRECTORY: t.String({ description: `ACME (RFC 8555) directory the edge (OB_EDGE_PROXY=true) orders certificates from, for every host that has a route or a redirect and no valid certificate, validated by HTTP-01 on the edge's HTTP port; renewed when a third of the lifetime is left. Empty: Let's Encrypt production (${LETS_ENCRYPT}); off: no ACME (certificates only from saveCerts).`, default: "", pattern: "^(https://\\S+|off|)$" }),
  OB_ACME_CA_FILE: text("PEM file of CA certificates trusted for the ACME directory's HTTPS besides the system's (a private ACME CA such as step-ca, or a test server such as pebble). Empty: the system's CAs only."),
  OB_OIDC_CONFIG: text("JSON file of the OpenID Connect sign-in providers: {\"providers\": [{\"id\", \"name\", \"issuer\", \"clientId\", \"clientSecret\", \"scopes\"}], \"returnTo\": [URL prefixes a sign-in may hand its token to], \"publicUrl\": where the provider sends the browser back (optional)}; read and validated at start. Empty: no providers."),
  OB_SMTP_URL: t.String({ description: "SMTP server that one-time codes (sendOtp) are sent through: smtp://user:pass@host:587 (STARTTLS whenever the server offers it) or smtps://user:pass@host:465 (TLS from the start). Empty: sendOtp answers 501, unless OB_DEV_MAIL=log.", default: "", pattern: "^$|^smtps?://\\S+$" }),
  OB_SMTP_FROM: t.String({ description: "From address of the mails sendOtp sends, e.g. `Acme <no-reply@acme.com>`. Required with OB_SMTP_URL.", default: "" }),
  OB_DEV_MAIL: t.String({ description: "log: without OB_SMTP_URL, sendOtp writes each message (code included) to the log instead of sending it — local development only.", default: "", pattern: "^(log|)$" }),
  OB_VERIFY_CONTACTS: bool("true: register and login by contact need a one-time code sent to the contact (sendOtp; contact.otpId + contact.otpCode), and login with a code for a contact nobody owns registers it (with slug)."),
  OB_CONTACT_EMAIL: t.String({ description: "Contact e-mail of the ACME account: the CA's notices (expiry, policy) go there. Empty: an account without contact.", default: "", pattern: "^$|^[^\\s@]+@[^\\s@]+$" }),
});
export type ConfigEnv = Static<typeof ConfigEnv>;

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
  /** OB_HEARTBEAT_WRITE_INTERVAL, at most a quarter of the TTL (see {@link heartbeatWriteInterval}). */
  heartbeatWriteIntervalMs: number;
  /** OB_EVENT_STREAMS_PER_USER (at least 1). */
  eventStreamsPerUser: number;
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

/** Where state lives when `OB_FOLDER` is empty: next to the compiled binary, or `./.data` from source. */
export function defaultFolder(): string {
  const compiled = Bun.main.startsWith("/$bunfs/");
  return compiled ? dirname(process.execPath) : resolve(".data");
}

/** Validates `env` (default `process.env`) and returns the typed config, or throws {@link ConfigError}. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(ConfigEnv.properties)) if (env[key] !== undefined) raw[key] = env[key]!;
  const withDefaults = Value.Default(ConfigEnv, raw) as ConfigEnv;
  const problems = [...Value.Errors(ConfigEnv, withDefaults)];
  if (problems.length > 0) {
    const [first] = problems;
    const name = first!.path.replace(/^\//, "");
    // Variables that may hold a password are named, never echoed.
    const shown = SECRET.has(name) ? "" : `=${JSON.stringify(withDefaults[name as keyof ConfigEnv])}`;
    throw new ConfigError(`invalid ${name}${shown}: ${describe(name)}`);
  }
  const e = withDefaults;
  const self = new URL(e.OB_SELF_URL);
  const selfPort = Number(self.port || (self.protocol === "https:" ? 443 : 80));
  const [listenHost, listenPort] = e.OB_LISTEN ? splitHostPort(e.OB_LISTEN) : [self.hostname.replace(/^\[|\]$/g, ""), selfPort];
  if (listenPort > 65535) throw new ConfigError(`invalid OB_LISTEN=${JSON.stringify(e.OB_LISTEN)}: port must be 0-65535`);
  const ms = (name: keyof ConfigEnv) => parseDuration(e[name])!;
  const database = databaseChoice(e);
  // Contract §8: the edge holds private keys, which are stored only encrypted.
  if (isTrue(e.OB_EDGE_PROXY) && e.OB_ENCRYPTION_KEY.trim() === "") throw new ConfigError("missing OB_ENCRYPTION_KEY: OB_EDGE_PROXY=true needs the key that encrypts certificate private keys at rest");
  return Object.freeze({
    selfUrl: e.OB_SELF_URL.replace(/\/$/, ""),
    listenHost,
    listenPort,
    reusePort: isTrue(e.OB_REUSE_PORT),
    folder: e.OB_FOLDER || defaultFolder(),
    ...database,
    dbPrefix: e.OB_DB_PREFIX,
    dbConnectTimeoutMs: positive("OB_DB_CONNECT_TIMEOUT", ms("OB_DB_CONNECT_TIMEOUT")),
    logLevel: e.OB_LOG_LEVEL as LogLevel,
    logFormat: e.OB_LOG_FORMAT as LogFormat,
    metricsPublic: isTrue(e.OB_METRICS_PUBLIC),
    bodyLimitBytes: Number(e.OB_BODY_LIMIT),
    jsonMaxValues: Number(e.OB_JSON_MAX_VALUES) || Infinity,
    tokenExpirationMs: ms("OB_TOKEN_EXPIRATION") || 5 * 60_000,
    tokenAutoRefresh: !isTrue(e.OB_TOKEN_AUTO_REFRESH_OFF),
    adminPassword: e.OB_ADMIN_PASSWORD || undefined,
    loginLimitPerIp: Number(e.OB_LOGIN_LIMIT_PER_IP),
    loginLimitPerSlug: Number(e.OB_LOGIN_LIMIT_PER_SLUG),
    loginLimitPerSlugIp: Number(e.OB_LOGIN_LIMIT_PER_SLUG_IP),
    registerLimitPerIp: Number(e.OB_REGISTER_LIMIT_PER_IP),
    nodeId: e.OB_NODE_ID || undefined,
    region: e.OB_REGION,
    availabilityZone: e.OB_AZ,
    nodeTtlMs: nodeTtl(e.OB_NODE_TTL, ms("OB_HEALTH_INTERVAL")),
    healthIntervalMs: positive("OB_HEALTH_INTERVAL", ms("OB_HEALTH_INTERVAL")),
    healthTimeoutMs: positive("OB_HEALTH_TIMEOUT", ms("OB_HEALTH_TIMEOUT")),
    healthDegradedAfterMs: ms("OB_HEALTH_DEGRADED_AFTER"),
    healthConcurrency: Math.max(1, Number(e.OB_HEALTH_CONCURRENCY)),
    unhealthyAfterMs: positive("OB_UNHEALTHY_AFTER", ms("OB_UNHEALTHY_AFTER")),
    instanceTtlMs: ms("OB_INSTANCE_TTL"),
    heartbeatWriteIntervalMs: heartbeatWriteInterval(e.OB_HEARTBEAT_WRITE_INTERVAL, ms("OB_INSTANCE_TTL")),
    eventStreamsPerUser: Math.max(1, Number(e.OB_EVENT_STREAMS_PER_USER)),
    proxyTimeoutMs: positive("OB_PROXY_TIMEOUT", ms("OB_PROXY_TIMEOUT")),
    proxyConnectTimeoutMs: positive("OB_PROXY_CONNECT_TIMEOUT", ms("OB_PROXY_CONNECT_TIMEOUT")),
    proxyRetries: Number(e.OB_PROXY_RETRIES),
    trustedProxies: e.OB_TRUSTED_PROXIES.split(",").map((s) => s.trim()).filter(Boolean),
    instanceDeny: addressRules("OB_INSTANCE_DENY", e.OB_INSTANCE_DENY),
    instanceAllow: addressRules("OB_INSTANCE_ALLOW", e.OB_INSTANCE_ALLOW),
    encryptionKey: encryptionKey(e.OB_ENCRYPTION_KEY),
    edgeProxy: isTrue(e.OB_EDGE_PROXY),
    edgeTestMode: isTrue(e.OB_EDGE_PROXY_TEST_MODE),
    edgeHttps: edgeAddressOf("OB_EDGE_PROXY_HTTPS_PORT", e.OB_EDGE_PROXY_HTTPS_PORT),
    edgeHttp: edgeAddressOf("OB_EDGE_PROXY_HTTP_PORT", e.OB_EDGE_PROXY_HTTP_PORT),
    acmeDirectory: e.OB_ACME_DIRECTORY === "off" ? undefined : e.OB_ACME_DIRECTORY || LETS_ENCRYPT,
    acmeCaFile: e.OB_ACME_CA_FILE || undefined,
    contactEmail: e.OB_CONTACT_EMAIL || undefined,
    ...mailSettings(e),
    oidc: oidcConfig(e.OB_OIDC_CONFIG),
  });
}

/** The `--help` text: every variable with its default and description. */
export function describeConfig(): string {
  return Object.entries(ConfigEnv.properties)
    .map(([name, schema]) => {
      const s = schema as { default?: string; description?: string };
      return `  ${name.padEnd(26)} ${s.description}\n  ${"".padEnd(26)} default: ${s.default === "" ? "(empty)" : s.default}`;
    })
    .join("\n");
}

function describe(name: string): string {
  const schema = ConfigEnv.properties[name as keyof ConfigEnv] as { description?: string; pattern?: string } | undefined;
  if (!schema) return "unknown variable";
  if (schema.pattern === DURATION) return "expected a duration like 500ms, 5s, 5m or 1h";
  if (schema.pattern === BOOL) return "expected true or false";
  if (schema.pattern === "^\\d+$") return "expected a whole number";
  return `expected: ${schema.description}`;
}

const SECRET = new Set(["OB_DB", "OB_DB_CONNECTION_STRING", "OB_ADMIN_PASSWORD", "OB_ENCRYPTION_KEY", "OB_SMTP_URL"]);

/** OB_SMTP_URL needs OB_SMTP_FROM (a mail server refuses mail without a sender): checked at start. */
function mailSettings(e: ConfigEnv): Pick<Config, "smtpUrl" | "smtpFrom" | "devMail" | "verifyContacts"> {
  const smtpUrl = e.OB_SMTP_URL.trim();
  const smtpFrom = e.OB_SMTP_FROM.trim();
  if (smtpUrl && !smtpFrom) throw new ConfigError("missing OB_SMTP_FROM: OB_SMTP_URL needs the From address of the mails, e.g. no-reply@example.com");
  return { smtpUrl, smtpFrom, devMail: e.OB_DEV_MAIL, verifyContacts: isTrue(e.OB_VERIFY_CONTACTS) };
}

/** The OIDC providers file read and checked now, so a bad file stops the start naming the field. */
function oidcConfig(path: string): OidcConfig | undefined {
  if (path.trim() === "") return undefined;
  try {
    return loadOidcConfig(path.trim());
  } catch (err) {
    if (err instanceof OidcConfigError) throw new ConfigError(`invalid OB_OIDC_CONFIG (${path.trim()}): ${err.message}`);
    throw err;
  }
}

/** OB_ENCRYPTION_KEY checked now, so a malformed key stops the start naming the variable (never echoing it). */
function encryptionKey(value: string): string | undefined {
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
function databaseChoice(e: ConfigEnv): Pick<Config, "dbKind" | "dbConnectionString"> {
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
function edgeAddressOf(name: string, value: string): { host: string; port: number } {
  const [host, port] = value.includes(":") ? splitHostPort(value) : ["0.0.0.0", Number(value)];
  if (port > 65535) throw new ConfigError(`invalid ${name}=${JSON.stringify(value)}: port must be 0-65535`);
  return { host, port };
}

function splitHostPort(value: string): [string, number] {
  const at = value.lastIndexOf(":");
  return [value.slice(0, at).replace(/^\[|\]$/g, ""), Number(value.slice(at + 1))];
}

/** The entries of an address-rule list, each checked now so a bad one stops the start naming the variable. */
function addressRules(name: string, value: string): string[] {
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
function nodeTtl(value: string, heartbeatMs: number): number {
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
function heartbeatWriteInterval(value: string, ttlMs: number): number {
  const limit = ttlMs > 0 ? Math.floor(ttlMs / 4) : Infinity;
  if (value.trim() === "") return Math.min(HEARTBEAT_WRITE_DEFAULT_MS, limit);
  const interval = parseDuration(value)!;
  if (interval > limit) {
    throw new ConfigError(`invalid OB_HEARTBEAT_WRITE_INTERVAL=${JSON.stringify(value)}: must be at most a quarter of OB_INSTANCE_TTL (${ttlMs} ms), or other nodes could judge a live instance expired by its stored heartbeat`);
  }
  return interval;
}

function positive(name: string, value: number): number {
  if (value <= 0) throw new ConfigError(`invalid ${name}: must be greater than 0`);
  return value;
}

function isTrue(value: string): boolean {
  return value === "true" || value === "1" || value === "yes";
}

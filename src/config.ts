/**
 * @module The one reader of the environment: every `OB_*` variable in one TypeBox schema
 * (description + default, config/env-schema.ts), validated once at start into a typed, frozen
 * {@link Config} (config/types.ts) by {@link loadConfig}, with the checks a pattern cannot say in
 * config/resolve.ts. Every other module imports configuration from here only.
 */
import { Value } from "@sinclair/typebox/value";
import { dirname, resolve } from "node:path";
import { parseDuration } from "./lib/duration";
import type { LogFormat, LogLevel } from "./lib/log";
import { BOOL, ConfigEnv, COUNT, DURATION, LETS_ENCRYPT } from "./config/env-schema";
import { ConfigError, type Config } from "./config/types";
import { addressRules, databaseChoice, edgeAddressOf, encryptionKey, heartbeatWriteInterval, isTrue, mailSettings, nodeTtl, oidcConfig, positive, splitHostPort } from "./config/resolve";

export { ConfigEnv, describeConfig, LETS_ENCRYPT } from "./config/env-schema";
export { ConfigError, type Config } from "./config/types";

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
    eventStreamsMax: Math.max(1, Number(e.OB_EVENT_STREAMS_MAX)),
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

/** What a variable that failed the schema expects, for the start's one-line refusal. */
function describe(name: string): string {
  const schema = ConfigEnv.properties[name as keyof ConfigEnv] as { description?: string; pattern?: string } | undefined;
  if (!schema) return "unknown variable";
  if (schema.pattern === DURATION) return "expected a duration like 500ms, 5s, 5m or 1h";
  if (schema.pattern === BOOL) return "expected true or false";
  if (schema.pattern === COUNT) return "expected a whole number";
  return `expected: ${schema.description}`;
}

/** Variables that may hold a password or key: a refusal names them without echoing the value. */
const SECRET = new Set(["OB_DB", "OB_DB_CONNECTION_STRING", "OB_ADMIN_PASSWORD", "OB_ENCRYPTION_KEY", "OB_SMTP_URL"]);

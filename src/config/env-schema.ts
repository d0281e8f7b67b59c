/**
 * @module The `OB_*` environment schema: one TypeBox entry (description + default + pattern) per variable
 * the server reads, the small builders those entries share, and the `--help` table printed from it.
 * Kept apart from the parsing (../config.ts) so the list of variables reads as one table.
 */
import { t, type Static } from "elysia";
import { ENCRYPTION_KEY_FORMS } from "../lib/secret-box";

/** The pattern of a Go-syntax duration (0, 500ms, 1h30m); a validation failure against it says so. */
export const DURATION = "^\\s*(0|((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h))+)\\s*$";
/** The pattern of a boolean variable (empty is false). */
export const BOOL = "^(true|false|1|0|yes|no|)$";
/** The pattern of a whole-number variable. */
export const COUNT = "^\\d+$";
const duration = (description: string, dflt: string) => t.String({ description, default: dflt, pattern: DURATION });
const bool = (description: string) => t.String({ description, default: "false", pattern: BOOL });
const count = (description: string, dflt: string) => t.String({ description, default: dflt, pattern: COUNT });
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
  OB_EVENT_STREAMS_MAX: count("Event streams this node holds open at once, over all accounts (accounts are free to register, so the per-account cap alone bounds nothing); one more answers 503 registry.streams_full with Retry-After.", "1000"),
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

/** The `--help` text: every variable with its default and description. */
export function describeConfig(): string {
  return Object.entries(ConfigEnv.properties)
    .map(([name, schema]) => {
      const s = schema as { default?: string; description?: string };
      return `  ${name.padEnd(26)} ${s.description}\n  ${"".padEnd(26)} default: ${s.default === "" ? "(empty)" : s.default}`;
    })
    .join("\n");
}

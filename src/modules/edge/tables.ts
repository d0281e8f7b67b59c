/**
 * @module The edge's tables (both dialects through the column kit, named with OB_DB_PREFIX): routes,
 * redirects, certificates and the ACME account. Private keys are stored only sealed (lib/secret-box.ts,
 * AES-256-GCM under OB_ENCRYPTION_KEY, the row id as associated data); the certificate chain and what
 * the listing shows are in clear. Times are Unix milliseconds.
 */
import type { ColumnKit } from "../../db/columns";

/** The edge tables for one dialect and prefix. */
export function defineEdgeTables(c: ColumnKit) {
  /** `host[:port][/path]` → an absolute URL or `slug:<service>` (ids normalised: host lower-cased, no trailing slash). */
  const edgeRoutes = c.table("edge_routes", {
    id: c.text("id").primaryKey(),
    target: c.text("target").notNull(),
    createdAt: c.time("created_at").notNull(),
    updatedAt: c.time("updated_at").notNull(),
  });

  /** `host[:port][/path]` → a redirect to an absolute URL with one of 301/302/303/307/308. */
  const edgeRedirects = c.table("edge_redirects", {
    id: c.text("id").primaryKey(),
    target: c.text("target").notNull(),
    statusCode: c.integer("status_code").notNull(),
    createdAt: c.time("created_at").notNull(),
    updatedAt: c.time("updated_at").notNull(),
  });

  /**
   * TLS certificates by id (the host they were saved or issued for): the chain in clear (leaf first),
   * the private key sealed, the names it covers and its validity, and whether it was saved through the
   * API or issued by ACME.
   */
  const edgeCertificates = c.table(
    "edge_certificates",
    {
      id: c.text("id").primaryKey(),
      certPem: c.text("cert_pem").notNull(),
      keySealed: c.text("key_sealed").notNull(),
      names: c.json<string[]>("names", []),
      notBefore: c.time("not_before").notNull(),
      notAfter: c.time("not_after").notNull(),
      source: c.text("source").$type<"saved" | "acme">().notNull(),
      createdAt: c.time("created_at").notNull(),
      updatedAt: c.time("updated_at").notNull(),
    },
    (t) => [c.index("edge_certificates_not_after").on(t.notAfter)],
  );

  /** The ACME account (one per cluster, id `default`): its key sealed, and the account URL the CA gave. */
  const edgeAcmeAccounts = c.table("edge_acme_accounts", {
    id: c.text("id").primaryKey(),
    keySealed: c.text("key_sealed").notNull(),
    url: c.text("url"),
    createdAt: c.time("created_at").notNull(),
    updatedAt: c.time("updated_at").notNull(),
  });

  return { edgeRoutes, edgeRedirects, edgeCertificates, edgeAcmeAccounts };
}

/**
 * @module The edge's storage and the one writer of its in-memory EdgeTable (model.ts). Routes,
 * redirects and certificates are stored in their tables; every save and delete records the ids in the
 * change feed in the same batch, and the table is refreshed from the rows after the commit, here at
 * once and on the other nodes when the feed delivers the ids (sync.ts), so a change through any node
 * is served by every node. Private keys are sealed (lib/secret-box.ts, the row id as associated data)
 * before they reach a query and opened only into memory; without OB_ENCRYPTION_KEY no certificate is
 * stored or loaded. Validation of ids and targets is the service's (service.ts); certificates are
 * validated here too, because ACME saves them through {@link EdgeStore.saveIssued}.
 */
import { asc, desc, inArray } from "drizzle-orm";
import type { Database, Db, Tables } from "../../db/database";
import type { Clock } from "../../lib/clock";
import type { Logger } from "../../lib/log";
import { SecretBox, SecretBoxError } from "../../lib/secret-box";
import { FEED_TOPICS, singleNodeFeed, type ChangeFeed } from "../cluster/feed";
import { parseBundle, type CertificateBundle } from "./certificates";
import { encryptionKeyMissing } from "./errors";
import type { RedirectStatus } from "./ids";
import { parseCertId, parseEdgeId } from "./ids";
import type { EdgeCertificate, EdgeRedirect, EdgeRoute, EdgeTable } from "./model";
import { KindSync } from "./sync";

/** A route as stored. */
export interface RouteRow {
  id: string;
  target: string;
}
/** A redirect as stored. */
export interface RedirectRow {
  id: string;
  target: string;
  statusCode: RedirectStatus;
}
/** A certificate as listed: no private key. */
export interface CertificateRow {
  id: string;
  certPem: string;
  names: string[];
  notBefore: number;
  notAfter: number;
  source: "saved" | "acme";
  createdAt: number;
  updatedAt: number;
}

export interface EdgeStoreDeps {
  database: Database;
  clock: Clock;
  log: Logger;
  table: EdgeTable;
  /** The box of OB_ENCRYPTION_KEY; without it certificates are neither stored nor loaded. */
  box?: SecretBox;
  feed?: ChangeFeed;
}

const ACME_ACCOUNT_ID = "default";
const certContext = (id: string) => `edge.cert:${id}`;
const accountContext = (id: string) => `edge.acme:${id}`;

/** Edge storage and the EdgeTable's writer; see the module comment. */
export class EdgeStore {
  private readonly database: Database;
  private readonly db: Db;
  private readonly t: Tables;
  private readonly feed: ChangeFeed;
  private readonly routes: KindSync<EdgeRoute>;
  private readonly redirects: KindSync<EdgeRedirect>;
  private readonly certs: KindSync<EdgeCertificate>;
  private warnedNoKey = false;

  constructor(private readonly d: EdgeStoreDeps) {
    this.database = d.database;
    this.db = d.database.db;
    this.t = d.database.tables;
    this.feed = d.feed ?? singleNodeFeed;
    const { table, log } = d;
    this.routes = new KindSync<EdgeRoute>({ kind: "routes", read: (ids) => this.readRoutes(ids), readAll: () => this.readRoutes(), current: () => table.routes(), replace: (e) => table.setRoutes(e) }, log);
    this.redirects = new KindSync<EdgeRedirect>({ kind: "redirects", read: (ids) => this.readRedirects(ids), readAll: () => this.readRedirects(), current: () => table.redirects(), replace: (e) => table.setRedirects(e) }, log);
    this.certs = new KindSync<EdgeCertificate>(
      { kind: "certificates", read: (ids) => this.readCertificates(ids), readAll: () => this.readCertificates(), current: () => table.certs(), replace: (e) => table.setCerts(e), same: (a, b) => a.certPem === b.certPem && a.keyPem === b.keyPem },
      log,
    );
    this.feed.subscribe(FEED_TOPICS.edgeRouteChanged, (ids) => void this.routes.changed(ids));
    this.feed.subscribe(FEED_TOPICS.edgeRedirectChanged, (ids) => void this.redirects.changed(ids));
    this.feed.subscribe(FEED_TOPICS.edgeCertChanged, (ids) => void this.certs.changed(ids));
  }

  /** Whether certificates can be stored (OB_ENCRYPTION_KEY is set). */
  get canStoreKeys(): boolean {
    return this.d.box !== undefined;
  }

  /** Fills the table from the database (at start); in a cluster called again once the feed is followed. */
  async load(): Promise<void> {
    await Promise.all([this.routes.resyncAll(), this.redirects.resyncAll(), this.certs.resyncAll()]);
  }

  /** In a cluster, once the feed is followed: reads everything again (changes made between {@link load} and the feed's start). */
  async catchUp(): Promise<void> {
    if (this.feed !== singleNodeFeed) await this.load();
  }

  /** Stops following changes (at shutdown). */
  async stop(): Promise<void> {
    await Promise.all([this.routes.stop(), this.redirects.stop(), this.certs.stop()]);
  }

  // --- routes and redirects ---------------------------------------------------------------------

  async listRoutes(ids?: string[]): Promise<RouteRow[]> {
    if (ids?.length === 0) return [];
    const r = this.t.edgeRoutes;
    const q = this.db.select({ id: r.id, target: r.target }).from(r);
    return await (ids ? q.where(inArray(r.id, ids)) : q).orderBy(asc(r.id));
  }

  /** Inserts or replaces routes (keeping their creation time) with their feed rows; the table has them on return. */
  async saveRoutes(rows: RouteRow[]): Promise<void> {
    const r = this.t.edgeRoutes;
    const now = this.d.clock.now();
    await this.database.batch((db) => [
      ...rows.map((row) => db.insert(r).values({ ...row, createdAt: now, updatedAt: now }).onConflictDoUpdate({ target: r.id, set: { target: row.target, updatedAt: now } })),
      ...this.feed.record(db, FEED_TOPICS.edgeRouteChanged, rows.map((row) => row.id)),
    ]);
    await this.routes.changed(rows.map((row) => row.id));
  }

  async deleteRoutes(ids: string[]): Promise<void> {
    const r = this.t.edgeRoutes;
    await this.database.batch((db) => [db.delete(r).where(inArray(r.id, ids)), ...this.feed.record(db, FEED_TOPICS.edgeRouteChanged, ids)]);
    await this.routes.changed(ids);
  }

  async listRedirects(ids?: string[]): Promise<RedirectRow[]> {
    if (ids?.length === 0) return [];
    const r = this.t.edgeRedirects;
    const q = this.db.select({ id: r.id, target: r.target, statusCode: r.statusCode }).from(r);
    return (await (ids ? q.where(inArray(r.id, ids)) : q).orderBy(asc(r.id))) as RedirectRow[];
  }

  async saveRedirects(rows: RedirectRow[]): Promise<void> {
    const r = this.t.edgeRedirects;
    const now = this.d.clock.now();
    await this.database.batch((db) => [
      ...rows.map((row) => db.insert(r).values({ ...row, createdAt: now, updatedAt: now }).onConflictDoUpdate({ target: r.id, set: { target: row.target, statusCode: row.statusCode, updatedAt: now } })),
      ...this.feed.record(db, FEED_TOPICS.edgeRedirectChanged, rows.map((row) => row.id)),
    ]);
    await this.redirects.changed(rows.map((row) => row.id));
  }

  async deleteRedirects(ids: string[]): Promise<void> {
    const r = this.t.edgeRedirects;
    await this.database.batch((db) => [db.delete(r).where(inArray(r.id, ids)), ...this.feed.record(db, FEED_TOPICS.edgeRedirectChanged, ids)]);
    await this.redirects.changed(ids);
  }

  // --- certificates -----------------------------------------------------------------------------

  /** Certificates without their keys, newest update first (1Backend's order). */
  async listCertificates(ids?: string[]): Promise<CertificateRow[]> {
    if (ids?.length === 0) return [];
    const c = this.t.edgeCertificates;
    const q = this.db
      .select({ id: c.id, certPem: c.certPem, names: c.names, notBefore: c.notBefore, notAfter: c.notAfter, source: c.source, createdAt: c.createdAt, updatedAt: c.updatedAt })
      .from(c);
    return await (ids ? q.where(inArray(c.id, ids)) : q).orderBy(desc(c.updatedAt), asc(c.id));
  }

  /** Stores validated bundles (keys sealed) with their feed rows; the table serves them on return. */
  async saveCertificates(bundles: { id: string; bundle: CertificateBundle }[], source: "saved" | "acme"): Promise<void> {
    const box = this.d.box;
    if (!box) throw encryptionKeyMissing();
    const c = this.t.edgeCertificates;
    const now = this.d.clock.now();
    const rows = bundles.map(({ id, bundle }) => ({
      id,
      certPem: bundle.certPem,
      keySealed: box.seal(bundle.keyPem, certContext(id)),
      names: bundle.names,
      notBefore: bundle.notBefore,
      notAfter: bundle.notAfter,
      source,
      createdAt: now,
      updatedAt: now,
    }));
    await this.database.batch((db) => [
      ...rows.map(({ id, createdAt, ...rest }) => db.insert(c).values({ id, createdAt, ...rest }).onConflictDoUpdate({ target: c.id, set: rest })),
      ...this.feed.record(db, FEED_TOPICS.edgeCertChanged, rows.map((row) => row.id)),
    ]);
    await this.certs.changed(rows.map((row) => row.id));
  }

  /**
   * A certificate ACME issued for `id` (a host): validated like saveCerts (parses, the key is the
   * leaf's, not expired), sealed, upserted, served here at once and fed to the other nodes.
   */
  async saveIssued(id: string, certPem: string, keyPem: string): Promise<void> {
    const host = parseCertId("id", id);
    const bundle = parseBundle("certPem", `${keyPem.trim()}\n${certPem.trim()}\n`, this.d.clock.now());
    await this.saveCertificates([{ id: host, bundle }], "acme");
  }

  async deleteCertificates(ids: string[]): Promise<void> {
    const c = this.t.edgeCertificates;
    await this.database.batch((db) => [db.delete(c).where(inArray(c.id, ids)), ...this.feed.record(db, FEED_TOPICS.edgeCertChanged, ids)]);
    await this.certs.changed(ids);
  }

  // --- the ACME account ---------------------------------------------------------------------------

  /** The cluster's ACME account (key opened), or undefined before the first registration. */
  async loadAcmeAccount(): Promise<{ keyPem: string; url?: string } | undefined> {
    const box = this.d.box;
    if (!box) throw encryptionKeyMissing();
    const a = this.t.edgeAcmeAccounts;
    const [row] = await this.db.select().from(a).where(inArray(a.id, [ACME_ACCOUNT_ID]));
    if (!row) return undefined;
    return { keyPem: box.open(row.keySealed, accountContext(row.id)), ...(row.url ? { url: row.url } : {}) };
  }

  /** Stores (or replaces) the ACME account, its key sealed. */
  async saveAcmeAccount(account: { keyPem: string; url?: string }): Promise<void> {
    const box = this.d.box;
    if (!box) throw encryptionKeyMissing();
    const a = this.t.edgeAcmeAccounts;
    const now = this.d.clock.now();
    const set = { keySealed: box.seal(account.keyPem, accountContext(ACME_ACCOUNT_ID)), url: account.url ?? null, updatedAt: now };
    await this.db.insert(a).values({ id: ACME_ACCOUNT_ID, createdAt: now, ...set }).onConflictDoUpdate({ target: a.id, set });
  }

  // --- reads behind the table ---------------------------------------------------------------------

  private async readRoutes(ids?: string[]): Promise<EdgeRoute[]> {
    return (await this.listRoutes(ids)).map((row) => ({ ...row, ...parseEdgeId("id", row.id) }));
  }

  private async readRedirects(ids?: string[]): Promise<EdgeRedirect[]> {
    return (await this.listRedirects(ids)).map((row) => ({ ...row, ...parseEdgeId("id", row.id) }));
  }

  private async readCertificates(ids?: string[]): Promise<EdgeCertificate[]> {
    const box = this.d.box;
    const c = this.t.edgeCertificates;
    const q = this.db.select({ id: c.id, certPem: c.certPem, keySealed: c.keySealed, names: c.names, notBefore: c.notBefore, notAfter: c.notAfter }).from(c);
    const rows = ids?.length === 0 ? [] : await (ids ? q.where(inArray(c.id, ids)) : q);
    if (!box) {
      if (rows.length > 0 && !this.warnedNoKey) this.d.log.warn("stored certificates are not served: OB_ENCRYPTION_KEY is not set", { certificates: rows.length });
      this.warnedNoKey = rows.length > 0;
      return [];
    }
    const certs: EdgeCertificate[] = [];
    for (const { keySealed, ...row } of rows) {
      try {
        certs.push({ ...row, keyPem: box.open(keySealed, certContext(row.id)) });
      } catch (err) {
        if (!(err instanceof SecretBoxError)) throw err;
        // Another OB_ENCRYPTION_KEY than the one it was sealed with, or an altered row: not served, never fatal.
        this.d.log.error("a stored certificate's private key does not open with OB_ENCRYPTION_KEY; it is not served", { id: row.id, reason: err.reason });
      }
    }
    return certs;
  }
}

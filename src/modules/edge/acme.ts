/**
 * @module Certificates over ACME (RFC 8555) for every host of the edge (contract §8): each pass orders,
 * one host at a time, a certificate for every host that has a route or a redirect and no certificate
 * with more than a third of its lifetime left (so renewal is the same path as the first issue), through
 * the npm `acme-client`, validated by HTTP-01 on the edge's plain-HTTP listener (challenges.ts answers).
 * Issued certificates go to the store (`saveIssued`: sealed, upserted, into every node's table), so
 * after a restart they are loaded, not ordered again.
 *
 * One node orders at a time: a pass orders only while this node leads the `acme` role
 * (cluster/leader.ts: an advisory lock on PostgreSQL, always on SQLite). Every node still runs passes
 * as a follower to learn the account key, so any node answers the CA's challenges.
 *
 * Failures never block serving: a pass runs in the background, the hosts that have certificates keep
 * them, and a host whose order failed waits (5 min, doubling up to 6 h: Let's Encrypt allows 5 failed
 * validations per host per hour) before it is ordered again; an account or directory failure waits
 * the same way. Backoff lives in the leader's memory (a new leader starts afresh).
 *
 * The account key (ECDSA P-256) is created once, by the first leader, and stored sealed
 * (`saveAcmeAccount`). acme-client's HTTP (CAs of OB_ACME_CA_FILE, timeout) is set in acme-http.ts;
 * which hosts are due is acme-due.ts.
 */
import * as acme from "acme-client";
import { X509Certificate } from "node:crypto";
import { ConfigError, type Config } from "../../config";
import { BackgroundJob } from "../../lib/background-job";
import type { Clock } from "../../lib/clock";
import type { JobStatus } from "../../lib/interval-job";
import type { Logger } from "../../lib/log";
import { createLeader, type Leader } from "../cluster/leader";
import { dueHosts } from "./acme-due";
import { checkDirectory, configureHttp, errorText } from "./acme-http";
import { AcmeChallenges } from "./challenges";
import type { EdgeTable } from "./model";

/** What ACME needs of the edge store (edge/store.ts `EdgeStore` provides it). */
export interface AcmeStore {
  /** Validates, seals, upserts and announces an issued certificate (leaf first, then chain). */
  saveIssued(id: string, certPem: string, keyPem: string): Promise<void>;
  loadAcmeAccount(): Promise<{ keyPem: string; url?: string } | undefined>;
  saveAcmeAccount(account: { keyPem: string; url?: string }): Promise<void>;
}

export interface AcmeManagerOptions {
  config: Config;
  log: Logger;
  clock: Clock;
  table: EdgeTable;
  store: AcmeStore;
  /** Time between passes (ms). Default 1 min; a route or redirect change also starts one at once. */
  intervalMs?: number;
  /** First wait between polls of an order or challenge (acme-client backoffMin; later waits grow to 10 s). Default 2 s; tests shorten it. */
  pollMs?: number;
  /** Retries of one ACME request on 429/5xx/network errors inside acme-client (its own waits: 2 s, 4 s …). Default 2. */
  requestRetries?: number;
  /**
   * How long orders wait after this node created the account, so the other nodes have loaded its key
   * (at their next pass) and can answer challenges. Default: one interval on PostgreSQL, 0 on SQLite.
   */
  newAccountHoldMs?: number;
  /** How long stop() waits for a pass in flight (acme-client cannot be interrupted). Default 5 s. */
  stopWaitMs?: number;
  /** The election; default createLeader(config, "acme"). */
  leader?: Leader;
}

/** What one pass did, for logs and tests. */
export interface AcmePass {
  /** This node led the role (ordered, or had nothing to order). */
  leading: boolean;
  /** Hosts a certificate was issued and stored for. */
  issued: string[];
  /** Hosts whose order failed (they back off). */
  failed: string[];
  /** Hosts due but still backing off from a failure. */
  waiting: string[];
}

const PASS_MS = 60_000;
const BACKOFF_MIN_MS = 5 * 60_000;
const BACKOFF_MAX_MS = 6 * 3_600_000;
/** How long stop() waits for an order in flight (acme-client cannot be interrupted); its result is then dropped. */
const STOP_WAIT_MS = 5_000;
/** The backoff key of account and directory failures (no host is empty). */
const ACCOUNT = "";

/** The ACME client of the edge; see the module comment. `challenges` is what the HTTP listener answers from. */
export class AcmeManager extends BackgroundJob {
  readonly challenges = new AcmeChallenges();
  private readonly leader: Leader;
  private readonly directoryUrl: string;
  private client: acme.Client | undefined;
  /** Clock time before which a new account key may not be known to followers yet (no orders before it). */
  private ordersFrom = 0;
  private readonly backoff = new Map<string, { until: number; delayMs: number }>();
  private current: Promise<AcmePass> | undefined;
  private again = false;
  private stopping = false;
  private unsubscribe: (() => void) | undefined;
  /** The CAs trusted for the directory (undefined: the system's). */
  private readonly ca: string[] | undefined;

  constructor(private readonly o: AcmeManagerOptions) {
    super({ name: "acme certificates", intervalMs: o.intervalMs ?? PASS_MS, log: o.log, runAtStart: true });
    this.directoryUrl = o.config.acmeDirectory ?? "";
    if (!this.directoryUrl) throw new ConfigError("OB_ACME_DIRECTORY=off: ACME is disabled, no manager should be built");
    this.ca = configureHttp(o.config.acmeCaFile, o.requestRetries ?? 2);
    this.leader = o.leader ?? createLeader(o.config, "acme", { clock: o.clock, log: o.log });
  }

  /** Joins the election, runs a pass now and then every interval, and one at once when routes or redirects change. */
  override async start(): Promise<void> {
    this.stopping = false;
    await this.leader.start();
    this.unsubscribe = this.o.table.onChange((change) => {
      if (change !== "certs" && this.leader.leading) this.runOnce().catch((err) => this.o.log.error("acme pass failed", { error: String(err) }));
    });
    super.start();
  }

  /** Stops the passes (waiting a few seconds for an order in flight) and leaves the election. */
  override async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    let timer: Timer | undefined;
    // The interval's run and a pass a table change started, whichever is in flight.
    const settled = Promise.all([super.stop(), this.current?.catch(() => undefined)]);
    await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, this.o.stopWaitMs ?? STOP_WAIT_MS)))]);
    clearTimeout(timer);
    await this.leader.stop();
  }

  /** For readiness: this job, and the election's on PostgreSQL. */
  jobs(): JobStatus[] {
    return [this.job.status(), ...this.leader.jobs()];
  }

  /**
   * One pass (what the interval runs and tests call): a follower learns the account key; the leader
   * orders what is due. A call while a pass runs joins it, and that pass runs once more after.
   */
  runOnce(): Promise<AcmePass> {
    if (this.current) {
      this.again = true;
      return this.current;
    }
    this.current = (async () => {
      let pass: AcmePass;
      do {
        this.again = false;
        pass = await this.pass();
      } while (this.again && !this.stopping);
      return pass;
    })().finally(() => (this.current = undefined));
    return this.current;
  }

  private async pass(): Promise<AcmePass> {
    const pass: AcmePass = { leading: false, issued: [], failed: [], waiting: [] };
    // Driven by hand (tests), each pass takes part in the election; started, the leader's own job does.
    pass.leading = this.job.started ? this.leader.leading : await this.leader.runOnce();
    if (!pass.leading) {
      if (!this.challenges.ready) await this.learnAccount();
      return pass;
    }
    const now = this.o.clock.now();
    const due = dueHosts(this.o.table, now);
    // A host no longer due (removed, or given a certificate through saveCerts) forgets its failures.
    for (const key of this.backoff.keys()) if (key !== ACCOUNT && !due.includes(key)) this.backoff.delete(key);
    if (due.length === 0) return pass;
    if (this.waiting(ACCOUNT, now)) {
      pass.waiting.push(...due);
      return pass;
    }
    let client: acme.Client;
    try {
      client = await this.account();
      this.backoff.delete(ACCOUNT);
    } catch (err) {
      this.failed(ACCOUNT, now, err, await checkDirectory(this.directoryUrl, this.ca));
      pass.failed.push(...due);
      return pass;
    }
    if (this.o.clock.now() < this.ordersFrom) {
      // Followers learn a new account key at their next pass; until then they could not answer.
      pass.waiting.push(...due);
      return pass;
    }
    const started = performance.now();
    for (const host of due) {
      // A pass ends within about one interval (the rest waits for the next), so readiness, which
      // expects a run every interval, never sees this job stuck behind a long list of orders.
      if (this.stopping || performance.now() - started > this.job.status().intervalMs) break;
      if (this.waiting(host, this.o.clock.now())) {
        pass.waiting.push(host);
        continue;
      }
      try {
        await this.order(client, host);
        this.backoff.delete(host);
        pass.issued.push(host);
      } catch (err) {
        this.failed(host, this.o.clock.now(), err);
        pass.failed.push(host);
      }
    }
    return pass;
  }

  /** A follower: answers challenges as soon as the leader has stored the account. */
  private async learnAccount(): Promise<void> {
    try {
      const stored = await this.o.store.loadAcmeAccount();
      if (stored) this.challenges.useAccountKey(stored.keyPem);
    } catch (err) {
      this.o.log.warn("acme: reading the account failed; retrying next pass", { error: String(err) });
    }
  }

  /** The client of the stored account, registered with the CA once per process (creating the key on first use). */
  private async account(): Promise<acme.Client> {
    if (this.client) return this.client;
    let stored = await this.o.store.loadAcmeAccount();
    const created = !stored;
    if (!stored) stored = { keyPem: (await acme.crypto.createPrivateEcdsaKey("P-256")).toString() };
    const client = new acme.Client({ directoryUrl: this.directoryUrl, accountKey: stored.keyPem, backoffMin: this.o.pollMs ?? 2000, backoffMax: 10_000, backoffAttempts: 10 });
    // newAccount with a known key answers the existing account (RFC 8555 §7.3.1), so this also
    // re-registers a key a CA forgot (a test CA restarted) without making a new key.
    const email = this.o.config.contactEmail;
    await client.createAccount({ termsOfServiceAgreed: true, ...(email ? { contact: [`mailto:${email}`] } : {}) });
    const url = client.getAccountUrl();
    if (this.stopping) throw new Error("stopped before the account was stored");
    if (created || stored.url !== url) await this.o.store.saveAcmeAccount({ keyPem: stored.keyPem, url });
    if (created) this.o.log.info("acme: account created", { directory: this.directoryUrl, account: url });
    if (created) this.ordersFrom = this.o.clock.now() + (this.o.newAccountHoldMs ?? (this.o.config.dbKind === "postgres" ? this.job.status().intervalMs : 0));
    this.challenges.useAccountKey(stored.keyPem);
    this.client = client;
    return client;
  }

  /** Orders, validates and stores a certificate for `host` (a fresh P-256 key per certificate). */
  private async order(client: acme.Client, host: string): Promise<void> {
    const [key, csr] = await acme.crypto.createCsr({ commonName: host, altNames: [host] }, await acme.crypto.createPrivateEcdsaKey("P-256"));
    const certPem = await client.auto({
      csr,
      termsOfServiceAgreed: true,
      challengePriority: ["http-01"],
      // acme-client's own pre-check fetches the challenge through the system resolver before telling the
      // CA; the CA's own validation is the one that counts, and the pre-check fails behind NAT hairpins.
      skipChallengeVerification: true,
      challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
        if (challenge.type !== "http-01") throw new Error(`the CA offers no http-01 challenge for ${host}`);
        if (this.challenges.answer(challenge.token) !== keyAuthorization) throw new Error("the HTTP-01 answer does not match the account key");
      },
      challengeRemoveFn: async () => undefined,
    });
    // Stopped meanwhile: the database may be closing; the next start orders again.
    if (this.stopping) throw new Error("stopped before the certificate was stored");
    await this.o.store.saveIssued(host, certPem, key.toString());
    const leaf = new X509Certificate(certPem);
    this.o.log.info("acme: certificate issued", { host, notAfter: new Date(leaf.validTo).toISOString() });
  }

  private waiting(key: string, now: number): boolean {
    return (this.backoff.get(key)?.until ?? 0) > now;
  }

  private failed(key: string, now: number, err: unknown, directoryCheck?: string): void {
    const previous = this.backoff.get(key)?.delayMs;
    const delayMs = previous === undefined ? BACKOFF_MIN_MS : Math.min(previous * 2, BACKOFF_MAX_MS);
    this.backoff.set(key, { until: now + delayMs, delayMs });
    if (key === ACCOUNT) this.client = undefined;
    const fields = { directory: this.directoryUrl, error: errorText(err), directoryCheck, retryInMs: delayMs, ...(key === ACCOUNT ? {} : { host: key }) };
    this.o.log.warn(key === ACCOUNT ? "acme: account or directory failed" : "acme: order failed", fields);
  }
}

/**
 * @module OpenID Connect sign-in (issue 14, reference §C): the configured providers, `start` (a sealed
 * state with nonce and PKCE, bound to the browser), `callback` (state consumed once, code exchanged, ID
 * token verified) and `login` (an ID token a native app obtained, verified the same way, no nonce).
 * Identity is the VERIFIED e-mail: it signs in the user owning that contact, or registers one.
 * A token goes to `returnTo` only when it starts with an entry of the file's allow-list.
 */
import { eq } from "drizzle-orm";
import type { Clock } from "../../../../lib/clock";
import { newId } from "../../../../lib/ids";
import type * as M from "../../../../contracts/user/models";
import { AppError } from "../../../../http/errors";
import { authProviderNotFound, contactTaken, oidcEmailUnverified, oidcStateUsed, oidcTokenReplayed, returnToNotAllowed, slugTaken, userNotFound } from "../../errors";
import { normaliseContactId } from "../../rules";
import { assertSlugAvailable, RESERVED_SLUGS } from "../account-rules";
import type { AppStore } from "../../orgs/store/apps";
import type { UserStore } from "../store/users";
import type { AccountService } from "../services/accounts";
import type { SessionService } from "../services/sessions";
import type { UserRow } from "../wire";
import type { OidcConfig } from "./config";
import { OidcProvider, type IdClaims } from "./provider";
import { OidcStateStore, randomToken, sha256, StateSealer, STATE_TTL_MS, type SignInState } from "./states";
import { BaseStore } from "../../base-store";
import type { TotpCheck } from "../totp/service";
import type { UsedIdTokens } from "./used-tokens";

export type { TotpCheck };

export interface OidcDeps {
  config: OidcConfig | undefined;
  sealer: StateSealer;
  states: OidcStateStore;
  /** ID tokens a native app signed in with: each is accepted once (used-tokens.ts). */
  usedTokens: UsedIdTokens;
  contacts: ContactVerifier;
  users: UserStore;
  apps: AppStore;
  accounts: AccountService;
  sessions: SessionService;
  /** The second factor: a user with TOTP on signs in only with `totpCode` too (the redirect flow has none: 401 `user.totp_required`). */
  totp?: TotpCheck;
  /** OB_SELF_URL, the callback's base without `publicUrl`. */
  selfUrl: string;
  clock: Clock;
}

/** What the provider lists show of one provider (client 0.9.18 `ContactAuthProviderInfo`). */
export interface ProviderInfo {
  id: string;
  name: string;
  kind: "oidc";
  scopes: string[];
  startUrl: string;
  loginUrl: string;
}

/** What a start asks for (query of `contactAuthStart`). */
export interface StartInput {
  appHost: string;
  device?: string;
  slug?: string;
  returnTo?: string;
}

const DEFAULT_DEVICE = "unknown";
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const EMAIL = /^[^\s@]{1,200}@[^\s@]{1,120}$/;

export class OidcService {
  private readonly providers = new Map<string, OidcProvider>();

  constructor(private readonly d: OidcDeps) {
    for (const p of d.config?.providers ?? []) this.providers.set(p.id, new OidcProvider(p));
  }

  /** Exactly the configured providers, in the file's order. */
  list(): ProviderInfo[] {
    return [...this.providers.values()].map(({ config: p }) => ({ id: p.id, name: p.name, kind: "oidc", scopes: p.scopes, startUrl: `/user-svc/auth/${p.id}/start`, loginUrl: `/user-svc/auth/${p.id}/login` }));
  }

  private provider(id: string): OidcProvider {
    const p = this.providers.get(id);
    if (!p) throw authProviderNotFound(id);
    return p;
  }

  /**
   * Where the provider sends the browser back: `publicUrl` of the file, else OB_SELF_URL, else (its
   * port 0: a free port) the Host the start came to. The provider only redirects to registered URIs.
   */
  private redirectUri(provider: string, host: string | undefined): string {
    const self = new URL(this.d.selfUrl);
    const base = this.d.config?.publicUrl ?? (self.port === "0" && host ? `${self.protocol}//${host}` : this.d.selfUrl);
    return `${base}/user-svc/auth/${provider}/callback`;
  }

  /**
   * The provider's authorization URL and the browser binding to set as a cookie (`binding`: the
   * browser's existing one when it has a well-formed one, so sign-ins started in two tabs both finish).
   */
  async start(providerId: string, input: StartInput, host: string | undefined, cookie: string | undefined): Promise<{ location: string; binding: string; secure: boolean }> {
    const provider = this.provider(providerId);
    if (input.returnTo && !this.returnToAllowed(input.returnTo)) throw returnToNotAllowed();
    const binding = cookie && /^[A-Za-z0-9_-]{43}$/.test(cookie) ? cookie : randomToken();
    const codeVerifier = randomToken();
    const redirectUri = this.redirectUri(providerId, host);
    const state: SignInState = {
      id: randomToken(16),
      provider: providerId,
      nonce: randomToken(),
      codeVerifier,
      redirectUri,
      appHost: input.appHost,
      ...(input.device ? { device: input.device } : {}),
      ...(input.slug ? { slug: input.slug } : {}),
      ...(input.returnTo ? { returnTo: input.returnTo } : {}),
      expiresAt: this.d.clock.now() + STATE_TTL_MS,
      binding: sha256(binding),
    };
    const location = await provider.authorizationUrl({ redirectUri, state: this.d.sealer.seal(state), nonce: state.nonce, codeChallenge: sha256(codeVerifier) });
    return { location, binding, secure: redirectUri.startsWith("https:") };
  }

  /** The callback: the state checked and consumed, the code exchanged, the ID token verified, the user signed in. */
  async callback(providerId: string, sealedState: string, code: string, cookie: string | undefined, clientIp: string): Promise<{ token: M.Token; returnTo?: string }> {
    const provider = this.provider(providerId);
    const now = this.d.clock.now();
    const state = this.d.sealer.open(sealedState, providerId, cookie, now);
    // Consumed before the exchange: two callbacks racing with one state get one token between them.
    if (!(await this.d.states.consume(state.id, state.expiresAt, now))) throw oidcStateUsed();
    const idToken = await provider.exchange({ code, redirectUri: state.redirectUri, codeVerifier: state.codeVerifier });
    const claims = await provider.verify(idToken, state.nonce);
    // The allow-list is checked again: the file may have changed since the start.
    const returnTo = state.returnTo && this.returnToAllowed(state.returnTo) ? state.returnTo : undefined;
    if (state.returnTo && !returnTo) throw returnToNotAllowed();
    const token = await this.signIn(claims, state, clientIp);
    return { token, ...(returnTo ? { returnTo } : {}) };
  }

  /**
   * `contactAuthLogin`: an ID token a native app got from the provider (issuer, audience, expiry
   * checked; no nonce to check), accepted once: used before anything else is checked, so two uses
   * racing on any nodes get one token between them (401 `user.oidc_token_replayed` for the other).
   */
  async login(providerId: string, idToken: string, input: { appHost: string; slug?: string; device?: string; totpCode?: string }, clientIp: string): Promise<M.Token> {
    const claims = await this.provider(providerId).verify(idToken);
    if (!(await this.d.usedTokens.use(idToken, claims, this.d.clock.now()))) throw oidcTokenReplayed();
    return this.signIn(claims, input, clientIp);
  }

  /** True when `url` starts with an entry of the allow-list (entries end their origin with a /, config.ts). */
  returnToAllowed(url: string): boolean {
    return (this.d.config?.returnTo ?? []).some((prefix) => url.startsWith(prefix));
  }

  /** The user owning the verified e-mail of `claims` (registered when nobody does), and a token for it. */
  private async signIn(claims: IdClaims, input: { appHost: string; slug?: string; device?: string; totpCode?: string }, clientIp: string): Promise<M.Token> {
    const verified = claims.email_verified === true || claims.email_verified === "true";
    if (typeof claims.email !== "string" || !EMAIL.test(claims.email) || !verified) throw oidcEmailUnverified();
    const contactId = normaliseContactId(claims.email);
    const name = typeof claims.name === "string" ? claims.name.slice(0, 200) : "";
    const user = await this.ownerOf(contactId, name, input.slug);
    // Wrong codes are counted against the login limits exactly as on the password path.
    await this.d.totp?.verifyLogin(user.id, input.totpCode, { clientIp });
    const app = await this.d.apps.getOrCreate(input.appHost);
    return this.d.sessions.view(await this.d.sessions.issue(user, app.id, input.device || DEFAULT_DEVICE));
  }

  private async ownerOf(contactId: string, name: string, slug: string | undefined): Promise<UserRow> {
    const contact = await this.d.users.findContact(contactId);
    if (contact) {
      // The provider proved the address: a contact registered unverified becomes verified (1Backend does the same).
      if (!contact.verified || contact.platform === "") await this.d.contacts.markVerified(contactId, this.d.clock.now());
      const user = await this.d.users.findById(contact.userId);
      if (!user) throw userNotFound(contact.userId);
      return user;
    }
    try {
      return await this.register(contactId, name, slug);
    } catch (err) {
      // Registered meanwhile by another sign-in with the same address: that user it is.
      if (err instanceof AppError && err.code === contactTaken(contactId).code) {
        const again = await this.d.users.findContact(contactId);
        const user = again && (await this.d.users.findById(again.userId));
        if (user) return user;
      }
      throw err;
    }
  }

  /** A new user with the verified contact; the slug requested (409 when taken), else derived from the address. */
  private async register(contactId: string, name: string, slug: string | undefined): Promise<UserRow> {
    const contacts = [{ id: contactId, platform: "email", verified: true }];
    const create = (s: string) => this.d.accounts.createUser({ id: newId("usr"), slug: s, name: name || contactId }, undefined, contacts);
    if (slug) {
      assertSlugAvailable(slug);
      return create(slug);
    }
    const base = derivedSlug(contactId);
    for (let i = 1; ; i++) {
      const candidate = i === 1 ? base : i <= 20 ? `${base}-${i}` : `${base}-${randomToken(4).toLowerCase().replace(/[^a-z0-9]/g, "0")}`;
      try {
        return await create(candidate);
      } catch (err) {
        if (!(err instanceof AppError && err.code === slugTaken(candidate).code) || i >= 25) throw err;
      }
    }
  }
}

/** The address's local part as a slug (lower-case, runs of other characters as -), else `contact`. */
export function derivedSlug(email: string): string {
  const local = email.split("@")[0]!.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
  return local && SLUG.test(local) && !RESERVED_SLUGS.has(local) && !local.startsWith("user") ? local : "contact";
}

/** Marks a contact verified (the provider proved it). */
export class ContactVerifier extends BaseStore {
  async markVerified(id: string, now: number): Promise<void> {
    const c = this.t.userContacts;
    await this.db.update(c).set({ verified: true, platform: "email", updatedAt: now }).where(eq(c.id, id));
  }
}

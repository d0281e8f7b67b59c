/**
 * @module User Svc response models, field for field as `@1backend/client` 0.9.18 reads them
 * (`dist/models/UserSvc*.d.ts`). Optional fields are omitted when empty, as 1Backend's `omitempty`.
 */
import { Type as t, type Static } from "@sinclair/typebox";

const time = (description: string) => t.String({ description });
const maybeTime = (description: string) => t.Optional(time(description));

/** An app (tenant), found or created by host. Client model `UserSvcApp`. */
export const App = t.Object({ id: t.String(), host: t.String() }, { title: "UserSvcApp" });
export type App = Static<typeof App>;

/** A stored session and its JWT. Client model `UserSvcToken`. */
export const Token = t.Object(
  {
    id: t.String({ description: "Session id; also the JWT `jti`." }),
    internalId: t.Optional(t.String()),
    appId: t.String(),
    userId: t.String(),
    device: t.String(),
    token: t.String({ description: "RS256 JWT with claims 1ui 1ai 1sl 1ro 1de 1ao jti iat exp." }),
    active: t.Optional(t.Boolean()),
    createdAt: time("Issue time."),
    updatedAt: time("Last change."),
    expiresAt: time("Expiry of the JWT."),
    lastRefreshedAt: maybeTime("When this token was last refreshed into a new one."),
    app: t.Optional(App),
  },
  { title: "UserSvcToken" },
);
export type Token = Static<typeof Token>;

/** Answer of login, register, refresh and organization switches: the session and its JWT. */
export const TokenResponse = t.Object({ token: Token });
export type TokenResponse = Static<typeof TokenResponse>;

/** A user as `readSelf`, has-permission and memberships show it. Client model `UserSvcUser`. */
export const User = t.Object(
  {
    id: t.String(),
    slug: t.String(),
    name: t.Optional(t.String()),
    thumbnailFileId: t.Optional(t.String()),
    labels: t.Optional(t.Record(t.String(), t.String())),
    createdAt: time("Creation time."),
    updatedAt: time("Last change."),
  },
  { title: "UserSvcUser" },
);
export type User = Static<typeof User>;

/** A user as `listUsers` shows it (with contact ids). Client model `UserSvcUserRecord`. */
export const UserRecord = t.Object(
  {
    id: t.String(),
    slug: t.String(),
    name: t.Optional(t.String()),
    contactIds: t.Optional(t.Array(t.String())),
    roles: t.Optional(t.Array(t.String())),
    totpEnabled: t.Optional(t.Boolean({ description: "Whether TOTP (the second factor) is on." })),
    createdAt: time("Creation time."),
    updatedAt: time("Last change."),
  },
  { title: "UserSvcUserRecord" },
);
export type UserRecord = Static<typeof UserRecord>;

/** A contact (an email address is its own id). Client model `UserSvcContact`. */
export const Contact = t.Object(
  {
    id: t.String({ description: "The address itself, e.g. an email." }),
    userId: t.String(),
    platform: t.String(),
    handle: t.String(),
    verified: t.Optional(t.Boolean()),
    createdAt: time("Creation time."),
    updatedAt: time("Last change."),
  },
  { title: "UserSvcContact" },
);
export type Contact = Static<typeof Contact>;

/** A role given to a user, or pending on a contact. Client model `UserSvcEnroll`. */
export const Enroll = t.Object(
  {
    id: t.String(),
    internalId: t.Optional(t.String()),
    appId: t.String({ description: "App id, or `*` for every app." }),
    role: t.String(),
    userId: t.Optional(t.String()),
    contactId: t.Optional(t.String()),
    createdBy: t.Optional(t.String()),
    createdAt: time("Creation time."),
    updatedAt: time("Last change."),
  },
  { title: "UserSvcEnroll" },
);
export type Enroll = Static<typeof Enroll>;

/** A permission granted to slugs and/or roles in one app or every app. Client model `UserSvcPermit`. */
export const Permit = t.Object(
  {
    id: t.String(),
    internalId: t.Optional(t.String()),
    appId: t.String({ description: "App id, or `*` for every app." }),
    permission: t.String(),
    slugs: t.Optional(t.Array(t.String())),
    roles: t.Optional(t.Array(t.String())),
    createdAt: time("Creation time."),
    updatedAt: time("Last change."),
  },
  { title: "UserSvcPermit" },
);
export type Permit = Static<typeof Permit>;

/** An organization of an app. Client model `UserSvcOrganization`. */
export const Organization = t.Object(
  {
    id: t.String(),
    appId: t.String(),
    slug: t.String(),
    name: t.String(),
    thumbnailFileId: t.Optional(t.String()),
    createdAt: time("Creation time."),
    updatedAt: time("Last change."),
  },
  { title: "UserSvcOrganization" },
);
export type Organization = Static<typeof Organization>;

/** Status of a membership. */
export const MembershipStatus = t.Union([t.Literal("pending"), t.Literal("accepted"), t.Literal("declined")]);

/** A user's membership of an organization. Client model `UserSvcMembership`. */
export const Membership = t.Object(
  {
    id: t.String(),
    appId: t.String(),
    organizationId: t.String(),
    userId: t.String(),
    status: MembershipStatus,
    roles: t.Optional(t.Array(t.String())),
    invitedBy: t.Optional(t.String()),
    acceptedAt: maybeTime("When the invite was accepted."),
    createdAt: time("Creation time."),
    updatedAt: time("Last change."),
  },
  { title: "UserSvcMembership" },
);
export type Membership = Static<typeof Membership>;

/** API key metadata (never the key itself). Client model `UserSvcApiKeyView`. */
export const ApiKeyView = t.Object(
  {
    id: t.String(),
    userId: t.String(),
    appId: t.String(),
    name: t.Optional(t.String()),
    prefix: t.Optional(t.String({ description: "First characters of the key, to recognise it." })),
    activeOrganizationId: t.Optional(t.String()),
    createdAt: time("Creation time."),
    updatedAt: time("Last change."),
    expiresAt: maybeTime("Expiry; absent means never."),
    lastUsedAt: maybeTime("Last exchange."),
    revokedAt: maybeTime("Revocation time."),
  },
  { title: "UserSvcApiKeyView" },
);
export type ApiKeyView = Static<typeof ApiKeyView>;

/** Answer of `createApiKey`: the key itself, shown only this once, and its metadata. */
export const CreatedApiKey = t.Object({ apiKey: ApiKeyView, key: t.String({ description: "The key; shown only once." }) });
export type CreatedApiKey = Static<typeof CreatedApiKey>;

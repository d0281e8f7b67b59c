/**
 * @module User Svc request bodies (the JSON field names of `@1backend/client` 0.9.18). Unknown fields
 * are ignored; strings are bounded and refuse control characters and lone surrogates.
 */
import { Type as t, type Static } from "@sinclair/typebox";
import { Integer } from "../integer.js";
import { Host, Labels, Name, Names, OptionalName, Password, RoleSafeId, Slug, Text } from "./fields.js";

const opt = t.Optional;

/** A contact given on register or login (OTP fields are not supported yet). */
export const ContactInput = t.Object(
  {
  id: Name("Contact address, e.g. an email.", 320),
  platform: opt(Text("`email`, `phone`, …", 64)),
  otpId: opt(Text("One-time password id (not supported yet).", 128)),
  otpCode: opt(Text("One-time password (not supported yet).", 64)),
  },
  { description: "A contact (e.g. an email address) to identify the user by instead of its slug." },
);

/** Body of `register`. */
export const RegisterBody = t.Object({
  appHost: Host(),
  slug: Slug(),
  name: opt(Text("Display name.")),
  password: opt(Password()),
  contact: opt(ContactInput),
  device: opt(Text("Device name; default `unknown`.", 128)),
  totpCode: opt(Text("TOTP code, for a register that resolves to an existing user with TOTP on.", 16)),
});
export type RegisterBody = Static<typeof RegisterBody>;

/** Body of `login`: a slug or a contact, and the password. */
export const LoginBody = t.Object({
  appHost: Host(),
  slug: opt(Text("User slug.", 128)),
  password: opt(Password()),
  contact: opt(ContactInput),
  device: opt(Text("Device name; default `unknown`.", 128)),
  totpCode: opt(Text("The current code of the user's authenticator: required when TOTP is on (401 `user.totp_required`, `user.totp_invalid`).", 16)),
});
export type LoginBody = Static<typeof LoginBody>;

/** Body of `exchangeToken`. */
export const ExchangeTokenBody = t.Object({
  newAppHost: opt(Host()),
  newAppId: opt(OptionalName("Target app id.")),
  newDevice: opt(Text("Device of the new token; default the current one. Ignored for tokens from an API key (they keep the key's device).", 128)),
});
export type ExchangeTokenBody = Static<typeof ExchangeTokenBody>;

/** Body of `revokeTokens`. */
export const RevokeTokensBody = t.Object({
  device: opt(Text("Only tokens of this device.", 128)),
  userId: opt(OptionalName("Another user's tokens (needs `user-svc:token:revoke`).")),
  allTokens: opt(t.Boolean({ description: "Admins: every token of every user." })),
});
export type RevokeTokensBody = Static<typeof RevokeTokensBody>;

/** Body of `readSelf`. */
export const ReadSelfBody = t.Object({ countTokens: opt(t.Boolean({ description: "Fill `tokenCount`." })) });

/** Body of `saveSelf`. */
export const SaveSelfBody = t.Object({
  name: opt(Text("Display name.")),
  thumbnailFileId: opt(OptionalName("Thumbnail file id.")),
  labels: opt(Labels()),
});
export type SaveSelfBody = Static<typeof SaveSelfBody>;

/** Body of `changePassword`. */
export const ChangePasswordBody = t.Object({ currentPassword: Password(), newPassword: Password() });
/** Body of `resetPassword`. */
export const ResetPasswordBody = t.Object({ newPassword: Password() });

/** The user part of `createUser`. */
export const UserInput = t.Object({
  id: opt(OptionalName("User id; generated when empty.")),
  slug: Slug(),
  name: opt(Text("Display name.")),
  thumbnailFileId: opt(OptionalName("Thumbnail file id.")),
  labels: opt(Labels()),
}, { description: "The new user." });

/** Body of `createUser`. */
export const CreateUserBody = t.Object({
  appHost: opt(Host()),
  user: UserInput,
  contacts: opt(
    t.Array(
      t.Object({ id: Name("Contact address.", 320), platform: opt(Text("Platform.", 64)), verified: opt(t.Boolean({ description: "Treat the contact as verified (pending enrolls apply at once)." })) }),
      { maxItems: 1, description: "At most one contact of the user." },
    ),
  ),
  password: opt(Password()),
  roleIds: opt(Names("Role to enroll the user in, in the app.", 100, "Roles to enroll the user in, in the app.")),
});
export type CreateUserBody = Static<typeof CreateUserBody>;

/** Body of `saveUser`. */
export const SaveUserBody = t.Object({ name: opt(Text("Display name.")), thumbnailFileId: opt(OptionalName("Thumbnail file id.")) });

/** Body of `listUsers`. */
export const ListUsersBody = t.Object({
  ids: opt(Names("User id.", 1000, "Only these user ids.")),
  search: opt(Text("Exact slug, name, id or contact id.")),
  contactId: opt(Name("Owner of this contact.", 320)),
  contactIds: opt(Names("Contact address.", 100, "Owners of these contacts.")),
  limit: opt(Integer({ minimum: 1, maximum: 1000, description: "Default 20." })),
  afterTime: opt(t.String({ format: "date-time", description: "Cursor: rows after this time in the sort order." })),
  order: opt(t.Union([t.Literal("asc"), t.Literal("desc")], { description: "Sort direction." })),
  orderBy: opt(t.Union([t.Literal("createdAt"), t.Literal("updatedAt")], { description: "Sort field." })),
  count: opt(t.Boolean({ description: "Fill `count` with the total matching rows." })),
});
export type ListUsersBody = Static<typeof ListUsersBody>;

/** One permit of `savePermits`. */
export const PermitInput = t.Object({
  id: opt(OptionalName("Permit id; generated when empty.")),
  appHost: opt(Host("`*` for every app, a host, or empty for the caller's app.")),
  permission: opt(Name("Permission, e.g. `skeleton-svc:pet:read`.")),
  permissions: opt(Names("Permission.", 100, "Several permissions, one permit each.")),
  slugs: opt(Names("Slug.", 100, "Slugs granted.")),
  roles: opt(Names("Role.", 100, "Roles granted.")),
});
export type PermitInput = Static<typeof PermitInput>;

/** Body of `savePermits`. */
export const SavePermitsBody = t.Object({ permits: t.Array(PermitInput, { maxItems: 500, description: "Permits to save; one with an existing id replaces it." }) });
/** Body of `deletePermits`. */
export const DeletePermitsBody = t.Object({ ids: t.Array(Name("Permit id."), { minItems: 1, maxItems: 500, description: "Ids of the permits to delete." }) });
/** Body of `listPermits`. */
export const ListPermitsBody = t.Object({ permission: opt(OptionalName("Permission.")), slug: opt(OptionalName("Slug granted.")) });
/** Body of `listPermissions`. */
export const ListPermissionsBody = t.Object({ roles: opt(Names("Role.", 100, "Roles the caller holds; default all of them.")) });

/** One enroll of `saveEnrolls`. */
export const EnrollInput = t.Object({
  id: opt(OptionalName("Enroll id; generated when empty.")),
  appHost: opt(Host("`*` for every app, a host, or empty for the caller's app.")),
  role: Name("Role."),
  userId: opt(OptionalName("User to enroll.")),
  contactId: opt(t.String({ maxLength: 320, pattern: "^$|^[A-Za-z0-9_.:{}*@+\\-]+$", description: "Contact to enroll (pending until registered)." })),
});
export type EnrollInput = Static<typeof EnrollInput>;

/** Body of `saveEnrolls`. */
export const SaveEnrollsBody = t.Object({ enrolls: t.Array(EnrollInput, { minItems: 1, maxItems: 500, description: "Enrolls to save; one with an existing id replaces it." }) });
/** Body of `listEnrolls` (at least one filter). */
export const ListEnrollsBody = t.Object({
  userId: opt(OptionalName("User.")),
  contactId: opt(t.String({ maxLength: 320, pattern: "^$|^[A-Za-z0-9_.:{}*@+\\-]+$", description: "Contact (admins only)." })),
  role: opt(OptionalName("Role.")),
});
/** Body of `deleteEnrolls`. */
export const DeleteEnrollsBody = t.Object({ ids: t.Array(Name("Enroll id."), { minItems: 1, maxItems: 500, description: "Ids of the enrolls to delete." }) });

/** Body of `saveOrganization`. */
export const SaveOrganizationBody = t.Object({
  id: opt(RoleSafeId("Organization id; generated when empty. No `{ } : *`: it becomes part of role names.")),
  slug: Slug("Organization slug, unique in the app."),
  name: opt(Text("Display name.")),
  thumbnailFileId: opt(OptionalName("Thumbnail file id.")),
  activate: opt(t.Boolean({ description: "Make it the caller's active organization (default true on create)." })),
});
export type SaveOrganizationBody = Static<typeof SaveOrganizationBody>;

/** Body of `listOrganizations`. */
export const ListOrganizationsBody = t.Object({
  ids: opt(Names("Organization id.", 1000, "Only these organization ids.")),
  limit: opt(Integer({ minimum: 1, maximum: 1000, description: "Page size; default 20." })),
  afterTime: opt(t.String({ format: "date-time", description: "Cursor: organizations created after this time." })),
  all: opt(t.Boolean({ description: "Admins: every organization of the app." })),
});
export type ListOrganizationsBody = Static<typeof ListOrganizationsBody>;

/** Body of `saveMembership`. */
export const SaveMembershipBody = t.Object({ roles: opt(Names("Role.", 100, "Extra roles under the organization's prefix `user-svc:org:{<id>}:`.")) });
/** Body of `acceptMembership`. */
export const AcceptMembershipBody = t.Object({ activate: opt(t.Boolean({ description: "Also make it the active organization." })) });
/** Body of `activateOrganization`. */
export const ActivateOrganizationBody = t.Object({ organizationId: Name("Organization id.") });
/** Body of `listMemberships`. */
export const ListMembershipsBody = t.Object({
  organizationId: opt(OptionalName("Organization.")),
  userId: opt(OptionalName("User.")),
  status: opt(t.Union([t.Literal("pending"), t.Literal("accepted"), t.Literal("declined")], { description: "Only memberships in this state." })),
  limit: opt(Integer({ minimum: 1, maximum: 1000, description: "Page size; default 100." })),
  afterTime: opt(t.String({ format: "date-time", description: "Cursor: memberships after this time." })),
});
export type ListMembershipsBody = Static<typeof ListMembershipsBody>;

/** Body of `listApps`. */
export const ListAppsBody = t.Object({ ids: opt(Names("App id.", 100, "Only these app ids.")), host: opt(t.Array(Host(), { maxItems: 100, description: "Only the apps with these hosts." })) });
/** Body of `readApp`. */
export const ReadAppBody = t.Object({ host: Host() });
/** Body of `updateApp`. */
export const UpdateAppBody = t.Object({ id: Name("App id."), newHost: Host() });

/** Body of `createApiKey`. */
export const CreateApiKeyBody = t.Object({
  name: opt(Text("Label.", 128)),
  appHost: opt(Host()),
  appId: opt(OptionalName("App id; default the caller's app.")),
  userId: opt(OptionalName("Admins: create for another user.")),
  activeOrganizationId: opt(OptionalName("Organization named in exchanged tokens.")),
  expiresAt: opt(t.String({ format: "date-time", description: "Expiry; absent means never." })),
});
export type CreateApiKeyBody = Static<typeof CreateApiKeyBody>;

/** Body of `listApiKeys`. */
export const ListApiKeysBody = t.Object({
  id: opt(OptionalName("Key id.")),
  ids: opt(Names("Key id.", 100, "Key ids.")),
  userId: opt(OptionalName("Admins: another user's keys.")),
  appId: opt(OptionalName("App id.")),
  appHost: opt(Host()),
  includeRevoked: opt(t.Boolean({ description: "Also list revoked keys." })),
});
export type ListApiKeysBody = Static<typeof ListApiKeysBody>;

/** Body of `revokeApiKeys`. */
export const RevokeApiKeysBody = t.Object({
  id: opt(OptionalName("Key id.")),
  ids: opt(Names("Key id.", 100, "Key ids.")),
  userId: opt(OptionalName("Every key of this user (own, or any for admins).")),
});
export type RevokeApiKeysBody = Static<typeof RevokeApiKeysBody>;

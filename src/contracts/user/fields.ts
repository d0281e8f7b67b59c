/**
 * @module Field-level TypeBox building blocks for User Svc wire schemas: bounded strings that refuse
 * NUL, C0 control characters and lone UTF-16 surrogates (which SQLite would store as mojibake), and
 * the identifier, slug, host and role patterns. Imports nothing of ours.
 */
import { Type as t } from "@sinclair/typebox";

/** Any well-formed text without NUL / C0 controls (tab, CR and LF allowed) and without lone surrogates. */
const SAFE_TEXT = "^(?:[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*$";

/** Ids, role and permission names, contact ids: printable ASCII without spaces, quotes or slashes. */
const NAME = "^[A-Za-z0-9_.:{}*@+\\-]+$";

/** Contract §3: lowercase alphanumerics in groups joined by single hyphens. */
export const SLUG_PATTERN = "^[a-z0-9]+(?:-[a-z0-9]+)*$";

/** Free text (names, devices, labels). */
export const Text = (description: string, maxLength = 256) => t.String({ description, maxLength, pattern: SAFE_TEXT });

/** An identifier, role or permission name. */
export const Name = (description: string, maxLength = 256) => t.String({ description, minLength: 1, maxLength, pattern: NAME });

/** An identifier that may be empty (1Backend clients send `""` for "none"). */
export const OptionalName = (description: string, maxLength = 256) =>
  t.String({ description, maxLength, pattern: `^$|${NAME}` });

/**
 * An optional id that ends up inside role names (an organization's id in `user-svc:org:{<id>}:admin`),
 * so it may not hold `{`, `}`, `:` or `*`: an id like `<victim>}:x:{y` would make its creator the owner
 * of the victim organization's `user-svc:org:{<victim>}:x:{y}:*` roles.
 */
export const RoleSafeId = (description: string) => t.String({ description, maxLength: 128, pattern: "^$|^[A-Za-z0-9_.@+\\-]+$" });

/** A user slug, validated on register and create-user. */
export const Slug = (description = "Lowercase letters, digits and single hyphens, e.g. `skeleton-svc`.") =>
  t.String({ description, minLength: 1, maxLength: 128, pattern: SLUG_PATTERN });

/** An app host such as `unnamed`, `shoes.com` or `localhost:8080`. */
export const Host = (description = "App host, e.g. `unnamed` or `shoes.com`.") =>
  t.String({ description, maxLength: 253, pattern: "^$|^[A-Za-z0-9_.:\\-\\[\\]*]+$" });

/** A password: any text up to 1024 characters (hashed with argon2id, so no 72-byte bcrypt limit). */
export const Password = (description = "Password.") => t.String({ description, maxLength: 1024, pattern: SAFE_TEXT });

/** ISO 8601 UTC time. */
export const Time = (description = "ISO 8601 UTC time.") => t.String({ description });

/** String map (labels). */
export const Labels = () =>
  t.Object({}, { additionalProperties: Text("Label value.", 1024), maxProperties: 100, propertyNames: { maxLength: 128, pattern: SAFE_TEXT }, description: "String labels." });

/** A list of names: `description` says what one item is, `listDescription` (default the same) what the list is. */
export const Names = (description: string, maxItems = 100, listDescription = description) => t.Array(Name(description), { maxItems, description: listDescription });

/** The empty success body `{}`. */
export const Empty = t.Object({}, { description: "Nothing to return." });

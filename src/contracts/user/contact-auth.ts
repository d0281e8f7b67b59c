/**
 * @module Wire schemas of OpenID Connect sign-in (client 0.9.18 contact-auth operations): the provider
 * lists, the start's query, the callback's query and the native login body.
 */
import { Type as t, type Static } from "@sinclair/typebox";
import { Host, Name, Slug, Text } from "./fields";

const opt = t.Optional;

/** One configured provider. Client model `UserSvcContactAuthProviderInfo`. */
export const ContactAuthProviderInfo = t.Object({
  id: t.String({ description: "Provider id, as in OB_OIDC_CONFIG." }),
  name: t.String(),
  kind: t.String({ description: "Always `oidc`." }),
  scopes: t.Array(t.String()),
  startUrl: t.String({ description: "Relative URL that starts the browser sign-in." }),
  loginUrl: t.String({ description: "Relative URL a native app posts its ID token to." }),
});

export const ListContactAuthProvidersResponse = t.Object({ providers: t.Array(ContactAuthProviderInfo) });

export const ProvidersQuery = t.Object({ appHost: opt(t.String({ maxLength: 253, description: "The app whose providers to list, e.g. `unnamed`; the providers of OB_OIDC_CONFIG serve every app." })) });

export const ProviderParams = t.Object({ provider: Name("Provider id of OB_OIDC_CONFIG, e.g. `google`.", 64) });

/** Query of `contactAuthStart`. */
export const ContactAuthStartQuery = t.Object({
  appHost: Host(),
  device: opt(Text("Device name of the token; default `unknown`.", 128)),
  slug: opt(Slug("Slug of the user registered when nobody owns the e-mail yet; default derived from the e-mail.")),
  returnTo: opt(t.String({ maxLength: 2048, description: "Where the browser gets the token (in the URL fragment): must start with an entry of the returnTo list of OB_OIDC_CONFIG. Without it the callback answers the token as JSON." })),
});
export type ContactAuthStartQuery = Static<typeof ContactAuthStartQuery>;

/** Query of `contactAuthCallback`, as the provider sends it. */
export const ContactAuthCallbackQuery = t.Object({
  code: opt(t.String({ maxLength: 4096, description: "The authorization code the provider issued (exchanged once, with the PKCE verifier)." })),
  state: opt(t.String({ maxLength: 8192, description: "The sealed state contactAuthStart sent to the provider (consumed by this callback)." })),
  error: opt(t.String({ maxLength: 256, description: "The provider's error code when the sign-in failed there (RFC 6749 §4.1.2.1)." })),
  error_description: opt(t.String({ maxLength: 2048, description: "The provider's explanation of `error` (not echoed)." })),
  iss: opt(t.String({ maxLength: 2048, description: "The provider's issuer (RFC 9207), when it sends one." })),
});
export type ContactAuthCallbackQuery = Static<typeof ContactAuthCallbackQuery>;

/** Body of `contactAuthLogin`. Client model `UserSvcContactAuthLoginRequest`; the first non-empty of `idToken`, `token`, `accessToken` is used. */
export const ContactAuthLoginBody = t.Object({
  appHost: Host(),
  idToken: opt(t.String({ maxLength: 16384, description: "The ID token the app got from the provider." })),
  token: opt(t.String({ maxLength: 16384, description: "Same as idToken." })),
  accessToken: opt(t.String({ maxLength: 16384, description: "Same as idToken (an OIDC provider's access token is not accepted: it is verified as an ID token)." })),
  slug: opt(Slug("Slug of the user registered when nobody owns the e-mail yet.")),
  device: opt(Text("Device name; default `unknown`.", 128)),
  totpCode: opt(Text("TOTP code.", 16)),
});
export type ContactAuthLoginBody = Static<typeof ContactAuthLoginBody>;

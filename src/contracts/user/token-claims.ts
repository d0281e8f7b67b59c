/**
 * @module The claims of every token the server issues (contract §3: `1ui 1ai 1sl 1ro 1de 1ao jti iat
 * exp`), declared once for the server's signer and the SDK's offline verifier.
 */
import { Type, type Static } from "@sinclair/typebox";

/** RS256 JWT payload: who (`1ui` user id, `1sl` slug, `1ro` roles), where (`1ai` app, `1de` device), which session. */
export const TokenClaims = Type.Object(
  {
    "1ui": Type.String({ description: "User id." }),
    "1ai": Type.String({ description: "App id." }),
    "1sl": Type.String({ description: "User slug." }),
    "1ro": Type.Array(Type.String(), { description: "Role ids at issue time." }),
    "1de": Type.String({ description: "Device." }),
    "1ao": Type.Optional(Type.String({ description: "Active organization id." })),
    jti: Type.String({ description: "Session id." }),
    iat: Type.Number({ description: "Issued at, seconds since the epoch." }),
    exp: Type.Number({ description: "Expiry, seconds since the epoch." }),
  },
  { title: "TokenClaims" },
);
export type TokenClaims = Static<typeof TokenClaims>;

/**
 * @module The wire shape of every error answer (contract §2): `{"error", "code"}`. A TypeBox schema, so it
 * is the OpenAPI component, the routes' response maps and the type SDK and CLI read.
 */
import { Type as t, type Static } from "@sinclair/typebox";

/** The wire shape of every error response; used in each route's `response` map for OpenAPI. */
export const ErrorBody = t.Object(
  {
    error: t.String({ description: "Human-readable message." }),
    code: t.String({ description: "Stable machine-readable code, `<module>.<snake_case>`." }),
  },
  { $id: "#/components/schemas/ErrorBody", title: "ErrorBody" },
);

export type ErrorBodyValue = Static<typeof ErrorBody>;

/** Common error statuses for OpenAPI `response` maps: `{ ...errors(400, 401) }`. */
export function errors<const S extends number>(...statuses: S[]): { [K in S]: typeof ErrorBody } {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody])) as { [K in S]: typeof ErrorBody };
}

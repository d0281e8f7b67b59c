/**
 * @module The error answers of the OpenAPI document, declared once under `components.responses` and
 * referenced by every operation, each status with what it means here. Routes list their error statuses
 * with `errors(…)` (contracts/error.ts), which the generator would inline as a copy of the error schema per status
 * and operation: two thirds of the document, which Swagger UI must parse before it renders anything.
 */

/** What each error status means on this server (contract §2). */
const MEANINGS: Record<string, [name: string, description: string]> = {
  "400": ["BadRequest", "Malformed JSON or a field that failed validation; `error` names the field."],
  "401": ["Unauthorized", "No token, or one that is invalid, signed by another key, revoked, or expired while refresh is off."],
  "403": ["Forbidden", "Authenticated, but without the permission (or not the owner of what it names)."],
  "404": ["NotFound", "Nothing with that id."],
  "409": ["Conflict", "Taken (slug, host, contact, or an instance URL owned by another slug), or it would remove the last admin."],
  "413": ["PayloadTooLarge", "The body is larger than `OB_BODY_LIMIT`."],
  "429": ["TooManyRequests", "Rate-limited; retry after the seconds in `Retry-After`."],
  "501": ["NotImplemented", "Not built yet."],
  "503": ["ServiceUnavailable", "The change could not be committed (database busy or unavailable); nothing was acknowledged, retry."],
};

type Media = { schema?: { title?: string; $id?: string } };
type Response = { description?: string; content?: Record<string, Media>; $ref?: string };
type Paths = Record<string, Record<string, { responses?: Record<string, Response> } | undefined> | undefined>;
type Components = { schemas?: Record<string, unknown>; responses?: Record<string, unknown> };

/** Replaces the inlined `{error, code}` answers of `paths` with references to shared responses added to `components`. */
export function shareErrorResponses(paths: Paths, components: Components): void {
  for (const item of Object.values(paths)) {
    for (const operation of Object.values(item ?? {})) {
      for (const [status, response] of Object.entries(operation?.responses ?? {})) {
        const schema = response.content?.["application/json"]?.schema;
        const meaning = MEANINGS[status];
        if (schema?.title !== "ErrorBody" || !meaning) continue;
        const [name, description] = meaning;
        if (!components.schemas?.ErrorBody) {
          const { $id: _id, ...plain } = schema;
          components.schemas = { ...components.schemas, ErrorBody: plain };
        }
        components.responses = { ...components.responses, [name]: { description, content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorBody" } } } } };
        operation!.responses![status] = { $ref: `#/components/responses/${name}` };
      }
    }
  }
}

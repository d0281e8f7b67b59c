/**
 * @module An integer field that also takes its decimal string (`"8080"` → 8080), as Elysia's
 * `t.Integer` does, written on plain TypeBox so the SDK and the CLI can import the contracts without
 * Elysia. The JSON Schema is Elysia's, node for node, so the OpenAPI document does not change.
 * (Contracts import each other as `./x.js`: the SDK's declaration build reads them under Node's rules.)
 */
import { Type, type IntegerOptions, type TInteger } from "@sinclair/typebox";
import { Errors, type ValueError } from "@sinclair/typebox/errors";
import { Check } from "@sinclair/typebox/value";

/**
 * A string in range-free `format: "integer"` passes the union's check, so the range is checked when it
 * is decoded. The failure is thrown in the shape of Elysia's own `ValidationError` ("VALIDATION", on a
 * property, with its first TypeBox error): Elysia rethrows what a decode throws, and the server's error
 * handler then answers the same 400 it did when this was Elysia's `t.Integer`.
 */
class IntegerDecodeError extends Error {
  readonly code = "VALIDATION";
  readonly type = "property";
  constructor(readonly valueError: ValueError | undefined) {
    super(valueError?.message ?? "invalid integer");
  }
}

/**
 * An integer, or its decimal string (a query parameter, or a client that quotes numbers). Typed as
 * `TInteger`, as Elysia types its own: what a handler, a service or a client sees is the decoded number.
 */
export function Integer(options: IntegerOptions = {}): TInteger {
  // Checked without compiling: a quoted integer is rare, and the CLI and SDK load this at start-up.
  const integer = Type.Integer(options);
  return Type.Transform(Type.Union([Type.String({ format: "integer", default: 0 }), Type.Integer(options)], options))
    .Decode((value): number => {
      const number = +value;
      if (!Check(integer, number)) throw new IntegerDecodeError(Errors(integer, number).First());
      return number;
    })
    .Encode((value) => value) as unknown as TInteger;
}

/**
 * @module The app's error mapping (contract §2): whatever Elysia reports becomes one AppError, which
 * render-error.ts answers. AppError → itself; validation → 400 naming the field; unknown path → 404,
 * or 405 when another method would match; anything else is a bug → 500 with a request id in the log,
 * and nothing internal in the body.
 */
import { Elysia } from "elysia";
import { AppError, endpointNotFound, internalError, invalidInput, invalidJson, methodNotAllowed } from "./errors";
import { allowedMethodsFinder } from "./method-not-allowed";
import { renderError } from "./render-error";
import { requestIdOf } from "./request-id";
import type { Logger } from "../lib/log";

/** The parts of Elysia's ValidationError read here: `valueError` is the first TypeBox error, computed once. */
interface ElysiaValidationError {
  type?: string;
  valueError?: { path?: string; message?: string };
}

/** `routes` is read lazily, after every module has been registered. */
export function errorHandler(log: Logger, routes: () => readonly { method: string; path: string }[]) {
  let allowedMethods: ((path: string) => string[]) | undefined;
  // No request passed to renderError: handler.ts adds CORS and x-request-id to every answer of the app.
  return new Elysia({ name: "error-handler" }).onError({ as: "global" }, ({ code, error, request }) =>
    renderError(appErrorOf(code, error, request)),
  );

  function appErrorOf(code: unknown, error: unknown, request: Request): AppError {
    if (error instanceof AppError) return error;
    // A library wrapper around one of ours (drizzle's DrizzleQueryError around db.unavailable, db/postgres.ts).
    const cause = (error as { cause?: unknown } | undefined)?.cause;
    if (cause instanceof AppError) return cause;
    switch (code) {
      case "VALIDATION":
        return validationError(error as ElysiaValidationError);
      case "PARSE": {
        // Elysia wraps what the body parser throws (413 from json-body.ts) in a ParseError (unwrapped above).
        return invalidJson();
      }
      case "NOT_FOUND": {
        allowedMethods ??= allowedMethodsFinder(routes());
        const allowed = allowedMethods(new URL(request.url).pathname);
        return allowed.length > 0 ? methodNotAllowed(allowed) : endpointNotFound();
      }
      default: {
        const requestId = requestIdOf(request);
        log.error("unhandled error", { requestId, error: String(error), stack: (error as Error)?.stack });
        return internalError(requestId);
      }
    }
  }
}

/**
 * 400 naming the first failing field. Only the first: `error.all` re-runs the schema for up to 64
 * errors. (Bodies rarely get here: body-validation.ts refuses them first, see why there.)
 */
function validationError(error: ElysiaValidationError): AppError {
  const first = error.valueError;
  const where = error.type === "query" ? "query parameter" : error.type === "params" ? "path parameter" : "field";
  return invalidInput(where, first?.path ?? "", first?.message ?? "invalid value");
}

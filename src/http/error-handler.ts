/**
 * @module The one place errors become responses (contract §2): AppError → its status and code;
 * validation → 400 naming the field; unknown path → 404, or 405 when another method would match;
 * anything else is a bug → 500 with a request id in the log, and nothing internal in the body.
 */
import { Elysia } from "elysia";
import { AppError, errorResponse } from "./errors";
import { allowedMethodsFinder, methodNotAllowed } from "./method-not-allowed";
import { requestIdOf } from "./request-id";
import type { Logger } from "../lib/log";

interface ValidationIssue {
  path?: string;
  message?: string;
}

/** `routes` is read lazily, after every module has been registered. */
export function errorHandler(log: Logger, routes: () => readonly { method: string; path: string }[]) {
  let allowedMethods: ((path: string) => string[]) | undefined;
  return new Elysia({ name: "error-handler" }).onError({ as: "global" }, ({ code, error, request }) => {
    if (error instanceof AppError) return errorResponse(error);
    switch (code) {
      case "VALIDATION":
        return errorResponse(validationError(error as unknown as { type?: string; all?: ValidationIssue[] }));
      case "PARSE": {
        // Elysia wraps what the body parser throws (413 from json-body.ts) in a ParseError.
        const cause = (error as { cause?: unknown }).cause;
        if (cause instanceof AppError) return errorResponse(cause);
        return errorResponse(new AppError(400, "http.invalid_json", "request body is not valid JSON"));
      }
      case "NOT_FOUND": {
        allowedMethods ??= allowedMethodsFinder(routes());
        const allowed = allowedMethods(new URL(request.url).pathname);
        if (allowed.length > 0) return errorResponse(methodNotAllowed(allowed));
        return errorResponse(new AppError(404, "http.not_found", "no such endpoint"));
      }
      default: {
        const requestId = requestIdOf(request);
        log.error("unhandled error", { requestId, error: String(error), stack: (error as Error)?.stack });
        return errorResponse(new AppError(500, "http.internal", `internal error (request id ${requestId})`));
      }
    }
  });
}

function validationError(error: { type?: string; all?: ValidationIssue[] }): AppError {
  const first = error.all?.[0];
  const field = (first?.path ?? "").replace(/^\//, "").replaceAll("/", ".") || "body";
  const where = error.type === "query" ? "query parameter" : error.type === "params" ? "path parameter" : "field";
  return new AppError(400, "http.invalid_request", `invalid ${where} ${field}: ${first?.message ?? "invalid value"}`);
}

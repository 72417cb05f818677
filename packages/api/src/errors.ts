import type { GraphQLError } from "graphql";
import { createGraphQLError } from "graphql-yoga";
import type { Logger } from "@log-insights/config";
import { ReadError } from "@log-insights/store";
import { AuthError, BadAuditCursor, type AuthErrorCode } from "@log-insights/auth";

// Why: clients get a stable `extensions.code` and a sentence they can act on
// for anything they did wrong, and "Unexpected error." for anything we did
// wrong (the details, SQL included, go to our log with the request, never to
// the client). Codes of reader refusals are the readers' own (ReadError).

export type ApiErrorCode =
  | "BAD_DATE"
  | "BAD_RANGE"
  | "BAD_TIME_ZONE"
  | "TOO_MANY_BUCKETS"
  | "BAD_FILTER"
  | "BAD_CURSOR"
  | "PAGE_TOO_LARGE"
  | "BAD_SEARCH"
  | "ALERT_RULES_INVALID"
  | "QUERY_TOO_DEEP"
  | "QUERY_TOO_COSTLY"
  | "TOO_MANY_ALIASES"
  | "TOO_MANY_DIRECTIVES"
  | "TOO_MANY_TOKENS"
  | "INTROSPECTION_DISABLED"
  | "GRAPHQL_VALIDATION_FAILED"
  | "GRAPHQL_PARSE_FAILED"
  | "BAD_USER_INPUT"
  | "TIMEOUT"
  | "UNAVAILABLE"
  | "INTERNAL_SERVER_ERROR"
  // access (the gate answers these with HTTP 401, 421, 429; the schema with an error per field)
  | "BAD_HOST"
  | "RATE_LIMITED"
  | "TOO_MANY_REQUESTS_AT_ONCE"
  | "TOO_MANY_SUBSCRIPTIONS"
  | AuthErrorCode;

// Errors are made with Yoga's createGraphQLError and recognised by name, not
// instanceof: the graphql module our sources import can be a different copy
// (ESM) from the one Yoga and Pothos run on (CommonJS) when a bundler or
// Vitest resolves "graphql" for us differently than for node_modules.

export function apiError(code: ApiErrorCode, message: string): GraphQLError {
  return createGraphQLError(message, { extensions: { code } });
}

export function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === "GraphQLError" && "extensions" in error;
}

/** PostgreSQL: query_canceled (statement_timeout), connection failures. */
const PG_TIMEOUT = "57014";
const UNAVAILABLE = new Set([
  "57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004", // PostgreSQL: shutting down, connection failures
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EPIPE", // the socket
]);

export function withCode(error: GraphQLError, code: string, message = error.message): GraphQLError {
  return createGraphQLError(message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    path: error.path ?? null,
    extensions: { ...error.extensions, code },
  });
}

/**
 * Yoga's maskError: every error of every response passes here. Ours and
 * GraphQL's own (syntax, validation, variables) keep their message and get a
 * code; reader refusals become their code; a statement timeout becomes
 * TIMEOUT; anything else is logged and masked.
 */
export function createMaskError(logger: Logger, statementTimeoutMs: number) {
  return (error: unknown): Error => {
    const located = isGraphQLError(error) ? error : null;
    const original = located ? (located.originalError ?? null) : error;
    if (original instanceof ReadError) {
      return located ? withCode(located, original.code, original.message) : apiError(original.code, original.message);
    }
    if (original instanceof AuthError) {
      return located ? withCode(located, original.code, original.message) : apiError(original.code, original.message);
    }
    if (original instanceof BadAuditCursor) {
      return located ? withCode(located, "BAD_CURSOR", "not a cursor this API returned") : apiError("BAD_CURSOR", "not a cursor this API returned");
    }
    const pgCode = (original as { code?: unknown } | null)?.code;
    if (pgCode === PG_TIMEOUT) {
      const message = `the query took longer than ${statementTimeoutMs / 1000} s; narrow the time range or the filter`;
      return located ? withCode(located, "TIMEOUT", message) : apiError("TIMEOUT", message);
    }
    const poolTimeout = original instanceof Error && /timeout exceeded when trying to connect|Connection terminated/i.test(original.message);
    if ((typeof pgCode === "string" && UNAVAILABLE.has(pgCode)) || poolTimeout) {
      logger.warn({ code: pgCode, error: (original as Error).message, path: located?.path }, "database unavailable");
      const message = "the database is not reachable right now; try again shortly";
      return located ? withCode(located, "UNAVAILABLE", message) : apiError("UNAVAILABLE", message);
    }
    if (located && (original === null || isGraphQLError(original))) {
      // GraphQL's own errors (syntax, validation, variable values) and the ones we throw on purpose.
      if (typeof located.extensions.code === "string") return located;
      // No path: the request itself (variables, arguments); a path: a field that broke its own contract (a bug).
      const code = located.message.startsWith("Syntax Error") ? "GRAPHQL_PARSE_FAILED" : located.path === undefined ? "BAD_USER_INPUT" : "INTERNAL_SERVER_ERROR";
      return withCode(located, code);
    }
    logger.error(
      { err: original instanceof Error ? { type: original.name, message: original.message, stack: original.stack } : String(original), path: located?.path },
      "unexpected error in a GraphQL request",
    );
    return createGraphQLError("Unexpected error.", {
      nodes: located?.nodes ?? null,
      path: located?.path ?? null,
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    });
  };
}

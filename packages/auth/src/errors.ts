/** Why a sign-in or an access check failed, as a stable code (the API's extensions.code, the pages' messages). */
export type AuthErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "BAD_CREDENTIALS"
  | "LOCKED_OUT"
  | "BAD_PASSWORD"
  | "BAD_EMAIL"
  | "BAD_ROLE"
  | "BAD_TOKEN_NAME"
  | "BAD_EXPIRY"
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "LINK_INVALID"
  | "SSO_NOT_CONFIGURED"
  | "SSO_FAILED"
  | "SSO_NOT_ALLOWED"
  | "LAST_ADMIN";

export class AuthError extends Error {
  override name = "AuthError";
  constructor(readonly code: AuthErrorCode, message: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

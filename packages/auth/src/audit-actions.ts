// No imports: the dashboard's browser code reads this (@log-insights/auth/audit-actions).

/**
 * Everything the audit log records. Reads of investors' data are recorded
 * before the data is returned (a read that cannot be recorded fails);
 * sign-ins, token use, exports and changes to access as they happen.
 */
export const AUDIT_ACTIONS = [
  "sign_in",
  "sign_in_failed",
  "sign_out",
  "token_used",
  "csv_export",
  "view_conversation",
  "view_user_questions",
  "view_log_lines",
  "user_added",
  "user_removed",
  "role_changed",
  "password_changed",
  "sign_in_link_created",
  "token_created",
  "token_revoked",
  "erasure",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

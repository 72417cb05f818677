// Browser-safe: the audit log and the access pages in plain words.
import type { AuditAction } from "@log-insights/auth/audit-actions";

/** What each audit action means, for a person reading the log. */
export const ACTION_WORDS: Record<AuditAction, string> = {
  sign_in: "Signed in",
  sign_in_failed: "Sign-in refused",
  sign_out: "Signed out",
  token_used: "Used an API token",
  csv_export: "Downloaded a CSV",
  view_conversation: "Read a conversation",
  view_user_questions: "Looked at one investor's questions",
  view_log_lines: "Read raw log lines",
  user_added: "Added a person",
  user_removed: "Removed a person",
  role_changed: "Changed a role",
  password_changed: "Changed a password",
  sign_in_link_created: "Made a sign-in link",
  token_created: "Created an API token",
  token_revoked: "Revoked an API token",
  erasure: "Erased an investor's data",
};

/** The action filter of the audit page: groups a person thinks in, each a set of actions. */
export const ACTION_GROUPS: readonly { id: string; label: string; actions: readonly AuditAction[] }[] = [
  { id: "", label: "Everything", actions: [] },
  { id: "signin", label: "Sign-ins and sign-outs", actions: ["sign_in", "sign_in_failed", "sign_out"] },
  { id: "refused", label: "Refused sign-ins", actions: ["sign_in_failed"] },
  { id: "investors", label: "Looks at investors' data", actions: ["view_conversation", "view_user_questions", "view_log_lines"] },
  { id: "exports", label: "CSV downloads", actions: ["csv_export"] },
  { id: "access", label: "Changes to people and roles", actions: ["user_added", "user_removed", "role_changed", "password_changed", "sign_in_link_created"] },
  { id: "tokens", label: "API tokens", actions: ["token_created", "token_revoked", "token_used"] },
  { id: "erasure", label: "Erasures", actions: ["erasure"] },
];

/** Who did it, in words: the email or token name, or what the system part was. */
export function actorWords(row: { actorKind: string; actorLabel: string | null; role: string | null }): string {
  const role = row.role ? ` (${row.role.toLowerCase()})` : "";
  switch (row.actorKind) {
    case "user":
      return `${row.actorLabel ?? "someone"}${role}`;
    case "token":
      return `API token “${row.actorLabel ?? "?"}”${role}`;
    case "system":
      return row.actorLabel === "sso" ? "Single sign-on" : `The system (${row.actorLabel ?? "tool"})`;
    default:
      return "Someone not signed in";
  }
}

const KEY_WORDS: Record<string, string> = {
  page: "page", from: "from", to: "to", rows: "rows", method: "how", reason: "why", role: "role", by: "by",
  userId: "investor", dealId: "deal", fund: "fund", topic: "topic", platform: "platform", appVersion: "app version",
  outcomes: "outcome", kind: "kind", search: "search", expiresAt: "expires", timeZone: "time zone",
};

const METHOD_WORDS: Record<string, string> = { password: "password", sso: "single sign-on", link: "sign-in link" };

function dateWords(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  return new Intl.DateTimeFormat("en-GB", { timeZone, day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(ms);
}

const isDate = (v: unknown): v is string => typeof v === "string" && /^\d{4}-\d{2}-\d{2}T/.test(v) && Number.isFinite(Date.parse(v));

/**
 * An audit row's filters (the range and filters of a read, the arguments of
 * a change) as a short sentence: "from 1 Nov 2026, 00:00 to 8 Nov 2026,
 * 00:00 · fund EIS Fund · 25 rows"; a role change reads "from viewer to
 * admin". Unknown keys are shown with their value.
 */
export function filtersWords(filters: unknown, timeZone = "UTC"): string {
  if (!filters || typeof filters !== "object" || Array.isArray(filters)) return "";
  const f = filters as Record<string, unknown>;
  const parts: string[] = [];
  // A range of a read, or the two sides of a change ("from support to viewer"), whatever order the keys come in (jsonb sorts them).
  const range = typeof f.from === "string" && typeof f.to === "string";
  if (range) {
    const side = (v: string): string => (isDate(v) ? dateWords(v, timeZone) : v);
    parts.push(`from ${side(f.from as string)} to ${side(f.to as string)}`);
  }
  for (const [k, v] of Object.entries(f)) {
    if (v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) continue;
    if (range && (k === "from" || k === "to")) continue;
    if (k === "rows" && typeof v === "number") parts.push(`${new Intl.NumberFormat("en-GB").format(v)} row${v === 1 ? "" : "s"}`);
    else if (k === "method" && typeof v === "string") parts.push(`with ${METHOD_WORDS[v] ?? v}`);
    else if (isDate(v)) parts.push(`${KEY_WORDS[k] ?? k} ${dateWords(v, timeZone)}`);
    else {
      const shown = Array.isArray(v) ? v.map((x) => String(x).toLowerCase()).join(", ") : typeof v === "object" ? JSON.stringify(v) : String(v);
      parts.push(`${KEY_WORDS[k] ?? k} ${shown}`);
    }
  }
  return parts.join(" · ");
}

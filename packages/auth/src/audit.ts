import type { Queryable } from "@log-insights/store";
import { AUDIT_ACTIONS, type AuditAction } from "./audit-actions";
import type { Principal } from "./principal";

export { AUDIT_ACTIONS, type AuditAction };
export type AuditOutcome = "ok" | "denied" | "failed";

/** Who did it: a principal, or the system itself (the command line, npm start, the erasure tool). */
export type AuditActor = Principal | { kind: "system"; label: string };

export interface AuditEvent {
  actor: AuditActor;
  action: AuditAction;
  outcome?: AuditOutcome;
  /** What was looked at or changed: a conversation id, a token's name, an email. */
  target?: string | null;
  /** The range and filters of a read, the arguments of a change (never a secret). */
  filters?: Record<string, unknown> | null;
}

function actorColumns(actor: AuditActor): { kind: string; id: string | null; label: string | null; role: string | null } {
  switch (actor.kind) {
    case "user":
      return { kind: "user", id: actor.userId, label: actor.email, role: actor.role };
    case "token":
      return { kind: "token", id: actor.tokenId, label: actor.name, role: actor.role };
    case "system":
      return { kind: "system", id: null, label: actor.label, role: null };
    default:
      return { kind: "anonymous", id: null, label: null, role: null };
  }
}

/** Appends one row to the audit log. */
export async function recordAudit(db: Queryable, event: AuditEvent): Promise<void> {
  await recordAudits(db, [event]);
}

/**
 * Text PostgreSQL can store: a NUL character (which text and jsonb cannot
 * hold) and a lone UTF-16 surrogate (which jsonb refuses) become U+FFFD. A
 * hostile argument (`conversation(id: "\u0000")`) is recorded as it was
 * asked, near enough, instead of failing the audit row and so the request.
 */
function storable(_key: string, value: unknown): unknown {
  return typeof value === "string" ? value.toWellFormed().replaceAll("\u0000", "\uFFFD") : value;
}

/** Appends rows to the audit log in one statement (a page that shows forty conversations records forty views at once). */
export async function recordAudits(db: Queryable, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  const cols: (string | null)[][] = [[], [], [], [], [], [], [], []];
  for (const e of events) {
    const a = actorColumns(e.actor);
    const row = [a.kind, a.id, a.label, a.role, e.action, e.outcome ?? "ok", e.target ?? null, e.filters ? JSON.stringify(e.filters, storable) : null];
    row.forEach((v, i) => cols[i]!.push(v === null ? null : storable("", v) as string));
  }
  await db.query(
    `INSERT INTO audit_log (actor_kind, actor_id, actor_label, role, action, outcome, target, filters)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])`,
    cols,
  );
}

/**
 * Collects the audit rows of one request and writes them together: every
 * record() made before the next turn of the event loop goes into one
 * INSERT, and each caller's promise settles when that INSERT has committed
 * (so data is returned only once its look is on record). The same look twice
 * in one request is recorded once.
 */
export class AuditBatch {
  private pending: { event: AuditEvent; done: { resolve(): void; reject(err: unknown): void } }[] = [];
  private readonly seen = new Map<string, Promise<void>>();

  constructor(private readonly db: Queryable) {}

  record(event: AuditEvent): Promise<void> {
    const key = JSON.stringify([event.action, event.target ?? null, event.filters ?? null, event.outcome ?? "ok"]);
    let done = this.seen.get(key);
    if (!done) {
      done = new Promise<void>((resolve, reject) => {
        if (this.pending.length === 0) setImmediate(() => void this.flush());
        this.pending.push({ event, done: { resolve, reject } });
      });
      this.seen.set(key, done);
    }
    return done;
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      await recordAudits(this.db, batch.map((b) => b.event));
      for (const b of batch) b.done.resolve();
    } catch (err) {
      for (const b of batch) b.done.reject(err);
    }
  }
}

export interface AuditRow {
  id: string;
  atMs: number;
  actorKind: string;
  actorId: string | null;
  actorLabel: string | null;
  role: string | null;
  action: string;
  outcome: AuditOutcome;
  target: string | null;
  filters: Record<string, unknown> | null;
}

export interface AuditQuery {
  fromMs: number;
  toMs: number;
  actions?: readonly AuditAction[] | null;
  /** The actor's label (email, token name) exactly. */
  actor?: string | null;
  first: number;
  /** The cursor of the last row of the previous page. */
  after?: string | null;
}

export interface AuditPage {
  rows: AuditRow[];
  hasNextPage: boolean;
  endCursor: string | null;
}

export function auditCursor(row: Pick<AuditRow, "atMs" | "id">): string {
  return Buffer.from(JSON.stringify([row.atMs, row.id])).toString("base64url");
}

function parseCursor(cursor: string): [number, string] | null {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === "number" && typeof v[1] === "string" && /^\d+$/.test(v[1])) return [v[0], v[1]];
  } catch {
    // fall through
  }
  return null;
}

export class BadAuditCursor extends Error {
  override name = "BadAuditCursor";
}

/** A page of the audit log, newest first, in [fromMs, toMs). */
export async function readAuditLog(db: Queryable, q: AuditQuery): Promise<AuditPage> {
  const params: unknown[] = [new Date(q.fromMs), new Date(q.toMs)];
  const where = ["at >= $1", "at < $2"];
  if (q.actions && q.actions.length > 0) {
    params.push(q.actions);
    where.push(`action = ANY($${params.length}::text[])`);
  }
  if (q.actor) {
    params.push(q.actor);
    where.push(`actor_label = $${params.length}`);
  }
  if (q.after) {
    const c = parseCursor(q.after);
    if (!c) throw new BadAuditCursor("not a cursor this API returned");
    params.push(new Date(c[0]), c[1]);
    where.push(`(at, id) < ($${params.length - 1}, $${params.length}::bigint)`);
  }
  params.push(q.first + 1);
  const { rows } = await db.query<{
    id: string; at: Date; actor_kind: string; actor_id: string | null; actor_label: string | null; role: string | null;
    action: string; outcome: AuditOutcome; target: string | null; filters: Record<string, unknown> | null;
  }>(
    `SELECT id::text, at, actor_kind, actor_id, actor_label, role, action, outcome, target, filters
     FROM audit_log WHERE ${where.join(" AND ")} ORDER BY at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, q.first).map((r): AuditRow => ({
    id: r.id, atMs: r.at.getTime(), actorKind: r.actor_kind, actorId: r.actor_id, actorLabel: r.actor_label, role: r.role,
    action: r.action, outcome: r.outcome, target: r.target, filters: r.filters,
  }));
  const last = page[page.length - 1];
  return { rows: page, hasNextPage: rows.length > q.first, endCursor: last ? auditCursor(last) : null };
}

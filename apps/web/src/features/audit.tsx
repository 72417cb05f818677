"use client";

import { useState, type ReactNode } from "react";
import { useClient } from "urql";
import type { AuditAction } from "@log-insights/auth/audit-actions";
import { ChartCard } from "../components/ChartCard";
import { Pager, usePages } from "../components/Pager";
import { ACTION_GROUPS, ACTION_WORDS, actorWords, filtersWords } from "../lib/access-words";
import { formatDateTime } from "../lib/format";
import { errorText, useGql } from "../lib/graphql";
import { AUDIT_LOG } from "../lib/queries";
import { useView } from "../lib/view";

interface AuditNode {
  id: string; at: string; actorKind: string; actorLabel: string | null; role: string | null;
  action: string; outcome: string; target: string | null; filters: unknown;
}
interface AuditPage { hasNextPage: boolean; endCursor: string | null; edges: { cursor: string; node: AuditNode }[] }

const PAGE = 50;
/** The CSV export reads every page of the filtered rows, up to this many. */
export const AUDIT_EXPORT_MAX = 20_000;

const OUTCOME_WORDS: Record<string, string> = { ok: "", denied: "Refused", failed: "Failed" };

const actionOf = (a: string): AuditAction => a.toLowerCase() as AuditAction;

/** One row of the log as a person reads it (the page and the CSV both use it). */
export function auditRow(n: AuditNode, timeZone: string): { at: string; who: string; what: string; outcome: string; target: string; details: string } {
  return {
    at: formatDateTime(Date.parse(n.at), timeZone),
    who: actorWords(n),
    what: ACTION_WORDS[actionOf(n.action)] ?? n.action,
    outcome: OUTCOME_WORDS[n.outcome] ?? n.outcome,
    target: n.target ?? "",
    details: filtersWords(n.filters, timeZone),
  };
}

/** Admins: the append-only audit log, newest first, filtered by the shared period, the kind of action and who did it. */
export function AuditPage(): ReactNode {
  const view = useView();
  const client = useClient();
  const group = ACTION_GROUPS.find((g) => g.id === (view.params.get("action") ?? "")) ?? ACTION_GROUPS[0]!;
  const actor = view.params.get("actor") ?? "";
  const [actorDraft, setActorDraft] = useState(actor);
  // A preset period ("last 24 hours") ends at the dashboard's "now" (the start of this minute): here it runs to the
  // end of this minute, so what was just done is on the list.
  const to = view.range.preset === "custom" ? view.to : new Date((Math.floor(Date.now() / 60_000) + 1) * 60_000).toISOString();
  const from = view.range.preset === "custom" ? view.from : new Date(Date.parse(to) - (view.range.toMs - view.range.fromMs)).toISOString();
  const vars = { from, to, actions: group.actions.length > 0 ? group.actions.map((a) => a.toUpperCase()) : null, actor: actor || null };
  const pages = usePages(JSON.stringify(vars));
  const log = useGql<{ auditLog: AuditPage }>(AUDIT_LOG, { ...vars, first: PAGE, after: pages.after });
  const page = log.data?.auditLog;
  const rows = page?.edges.map((e) => ({ id: e.node.id, node: e.node, ...auditRow(e.node, view.timeZone) })) ?? [];

  /** Every row of the filter, page after page (the export's rows, not only the page on screen). */
  const loadAll = async (): Promise<object[]> => {
    const out: object[] = [];
    let after: string | null = null;
    for (;;) {
      const r: { data?: { auditLog: AuditPage }; error?: Parameters<typeof errorText>[0] } = await client.query<{ auditLog: AuditPage }>(AUDIT_LOG, { ...vars, first: 500, after }, { requestPolicy: "network-only" }).toPromise();
      if (r.error) throw new Error(errorText(r.error));
      const p: AuditPage = r.data!.auditLog;
      for (const e of p.edges) out.push({ ...auditRow(e.node, view.timeZone), atIso: e.node.at, action: actionOf(e.node.action), actorLabel: e.node.actorLabel ?? "" });
      if (!p.hasNextPage || !p.endCursor || out.length >= AUDIT_EXPORT_MAX) return out;
      after = p.endCursor;
    }
  };

  return (
    <>
      <h1>Audit log</h1>
      <p className="subtitle">
        Who signed in, who looked at an investor&apos;s conversations or raw log lines, who downloaded data, and every change to people, roles and tokens. Newest first; nothing here can be changed or deleted.
      </p>
      <form className="topbar" role="search" aria-label="Filter the audit log" onSubmit={(e) => { e.preventDefault(); view.update({ actor: actorDraft.trim() || null }); }}>
        <label>What
          <select aria-label="What" value={group.id} onChange={(e) => view.update({ action: e.target.value || null })}>
            {ACTION_GROUPS.map((g) => <option key={g.id} value={g.id}>{g.label}</option>)}
          </select>
        </label>
        <label>Who
          <input type="text" aria-label="Who" value={actorDraft} maxLength={320} placeholder="an email or a token's name" onChange={(e) => setActorDraft(e.target.value)} />
        </label>
        <button type="submit" className="primary">Show</button>
        {actor && <button type="button" onClick={() => { setActorDraft(""); view.update({ actor: null }); }}>Everyone</button>}
      </form>
      <ChartCard title="What happened" description={`${view.range.label}, times in ${view.timeZone}.${actor ? ` Only ${actor}.` : ""}`}
        fetching={log.fetching} error={log.error} onRetry={log.retry} empty={rows.length === 0} height="auto"
        emptyHint="Nothing was recorded in this period with these filters. Pick a longer period or show everything."
        csv={{ title: "Audit log", fromMs: Date.parse(from), toMs: Date.parse(to), filters: { action: group.id || "everything", actor: actor || null },
          columns: [{ key: "atIso", label: "When (UTC)" }, { key: "who", label: "Who" }, { key: "actorLabel", label: "Account or token" }, { key: "action", label: "Action" },
            { key: "what", label: "What" }, { key: "outcome", label: "Outcome" }, { key: "target", label: "On" }, { key: "details", label: "Details" }],
          rows: [], loadRows: loadAll }}>
        {page && (
          <>
            <table className="audit">
              <thead><tr><th>When</th><th>Who</th><th>What</th><th>On</th><th>Details</th></tr></thead>
              <tbody>{rows.map((r) => (
                <tr key={r.id} data-testid="audit-row" data-action={actionOf(r.node.action)}>
                  <td style={{ whiteSpace: "nowrap" }}>{r.at}</td>
                  <td>{r.who}</td>
                  <td>{r.what}{r.outcome && <> <span className={`badge ${r.node.outcome === "denied" ? "failed" : "hedged"}`}>{r.outcome}</span></>}</td>
                  <td style={{ overflowWrap: "anywhere" }}>{r.target || "–"}</td>
                  <td className="reason">{r.details || "–"}</td>
                </tr>
              ))}</tbody>
            </table>
            <Pager page={pages.page} pageSize={PAGE} total={(pages.page - 1) * PAGE + rows.length} exact={!page.hasNextPage} hasNext={page.hasNextPage}
              onNext={() => pages.next(page.endCursor)} onPrev={pages.prev} noun="entries" />
          </>
        )}
      </ChartCard>
    </>
  );
}

"use client";

import { useState, type ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ChartCard } from "../components/ChartCard";
import { AXIS } from "../components/charts/colors";
import { Pager, usePages } from "../components/Pager";
import { Highlight } from "../components/Text";
import { formatBucket, formatCount, formatDateTime } from "../lib/format";
import { useGql } from "../lib/graphql";
import type { Connection } from "../lib/prepare/types";
import { ERROR_GROUPS, LOG_COUNTS, LOG_ENTRIES } from "../lib/queries";
import { useView } from "../lib/view";
import { useInterval } from "./overview";

interface Entry { id: string; time: string; level: number; levelName: string; context: string | null; message: string | null; userId: number | null; dealId: string | null; requestId: string | null; latencyMs: number | null; data: unknown }
interface ErrorGroup { context: string | null; message: string | null; count: number; firstSeenAt: string; lastSeenAt: string; sampleEntryId: string }

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"];
const PAGE = 50;

export function LogsPage(): ReactNode {
  const view = useView();
  const [interval] = useInterval(view);
  const level = view.params.get("level") ?? "";
  const context = view.params.get("context") ?? "";
  const text = view.params.get("text") ?? "";
  const [draft, setDraft] = useState(text);
  const [contextDraft, setContextDraft] = useState(context);
  const entryFilter = { levels: level ? [level] : null, context: context || null, text: text || null };
  const counts = useGql<{ logCounts: { start: string; count: number; errors: number }[] }>(LOG_COUNTS, { from: view.from, to: view.to, interval, tz: view.timeZone, ...entryFilter });
  const errors = useGql<{ errorGroups: ErrorGroup[] }>(ERROR_GROUPS, { from: view.from, to: view.to });
  const pages = usePages(JSON.stringify({ ...entryFilter, f: view.from, t: view.to }));
  const entries = useGql<{ logEntries: Connection<Entry> }>(LOG_ENTRIES, { from: view.from, to: view.to, ...entryFilter, first: PAGE, after: pages.after });
  const hist = (counts.data?.logCounts ?? []).map((b) => ({ label: formatBucket(Date.parse(b.start), interval, view.timeZone), start: b.start, others: b.count - b.errors, errors: b.errors, count: b.count }));
  const conn = entries.data?.logEntries;
  const range = { fromMs: view.range.fromMs, toMs: view.range.toMs };
  return (
    <>
      <h1>Logs</h1>
      <p className="subtitle">Every log line the service wrote (secrets removed), not only the bot&apos;s: find errors and what happened around them.</p>
      <form className="topbar" role="search" onSubmit={(e) => { e.preventDefault(); view.update({ text: draft.trim() || null, context: contextDraft.trim() || null }); }}>
        <label>Level
          <select value={level} onChange={(e) => view.update({ level: e.target.value || null })}>
            <option value="">All levels</option>
            {LEVELS.map((l) => <option key={l} value={l}>{l}</option>)}
          </select>
        </label>
        <label>Service
          <input type="text" value={contextDraft} maxLength={200} placeholder="e.g. DealBotService" onChange={(e) => setContextDraft(e.target.value)} />
        </label>
        <label htmlFor="logtext">Message contains</label>
        <input id="logtext" type="search" value={draft} maxLength={200} onChange={(e) => setDraft(e.target.value)} />
        <button type="submit" className="primary">Search</button>
      </form>
      <div className="grid two">
        <ChartCard title="Log lines over time" description="Errors in red." fetching={counts.fetching} error={counts.error} onRetry={counts.retry}
          empty={hist.every((h) => h.count === 0)} emptyHint="No log lines match in this period."
          csv={{ title: "Log lines over time", ...range, columns: [{ key: "start", label: "Start" }, { key: "count", label: "Lines" }, { key: "errors", label: "Errors" }], rows: hist }}>
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={hist} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="label" tick={AXIS} minTickGap={12} />
              <YAxis tick={AXIS} width={50} tickFormatter={(v: number) => formatCount(v)} />
              <Tooltip formatter={(v, n) => [formatCount(Number(v)), n]} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              <Bar dataKey="others" name="Other lines" stackId="l" fill="#8aa4c2" cursor="pointer"
                onClick={(d: { payload?: { start: string } }) => d.payload && view.update({ range: null, from: d.payload.start, to: null })} />
              <Bar dataKey="errors" name="Errors" stackId="l" fill="#c0362c" cursor="pointer"
                onClick={() => view.update({ level: "error" })} />
            </BarChart>
          </ResponsiveContainer>
        </ChartCard>
        <ChartCard title="Errors by service and message" description="Click one to list those lines." fetching={errors.fetching} error={errors.error} onRetry={errors.retry}
          empty={!errors.data || errors.data.errorGroups.length === 0} emptyHint="No errors in this period." height="auto"
          csv={{ title: "Error groups", ...range, columns: [{ key: "context", label: "Service" }, { key: "message", label: "Message" }, { key: "count", label: "Count" }, { key: "lastSeenAt", label: "Last seen" }],
            rows: errors.data?.errorGroups ?? [] }}>
          <table>
            <thead><tr><th>Service</th><th>Message</th><th className="num">Count</th><th>Last seen</th></tr></thead>
            <tbody>{errors.data?.errorGroups.map((g) => (
              <tr key={`${g.context}|${g.message}`} className="clickable" tabIndex={0}
                onClick={() => view.update({ level: "error", context: g.context, text: g.message?.slice(0, 200) ?? null })}
                onKeyDown={(e) => e.key === "Enter" && view.update({ level: "error", context: g.context, text: g.message?.slice(0, 200) ?? null })}>
                <td>{g.context ?? "–"}</td><td>{g.message ?? "–"}</td><td className="num">{formatCount(g.count)}</td>
                <td>{formatDateTime(Date.parse(g.lastSeenAt), view.timeZone)}</td>
              </tr>
            ))}</tbody>
          </table>
        </ChartCard>
      </div>
      <div style={{ marginTop: 16 }}>
        <ChartCard title="Log lines" description="Newest first." fetching={entries.fetching} error={entries.error} onRetry={entries.retry}
          empty={!conn || conn.edges.length === 0} emptyHint="No log lines match. Change the level, service or text, or pick a longer period." height="auto"
          csv={{ title: "Log lines", ...range, columns: [{ key: "time", label: "Time" }, { key: "levelName", label: "Level" }, { key: "context", label: "Service" },
            { key: "message", label: "Message" }, { key: "userId", label: "Investor" }, { key: "requestId", label: "Request" }],
            rows: conn?.edges.map((e) => ({ ...e.node, data: JSON.stringify(e.node.data) })) ?? [] }}>
          {conn && (
            <>
              <table>
                <thead><tr><th>Time</th><th>Level</th><th>Service</th><th>Message</th></tr></thead>
                <tbody>{conn.edges.map(({ node: e }) => (
                  <tr key={e.id} data-testid="log-row">
                    <td style={{ whiteSpace: "nowrap" }}>{formatDateTime(Date.parse(e.time), view.timeZone)}</td>
                    <td><span className={`badge ${e.level >= 50 ? "failed" : e.level >= 40 ? "hedged" : "unfinished"}`}>{e.levelName}</span></td>
                    <td>{e.context ?? "–"}</td>
                    <td><Highlight text={e.message ?? ""} terms={text ? [text] : []} />
                      <details><summary className="reason">Details</summary><pre className="log">{JSON.stringify(e.data, null, 2)}</pre></details></td>
                  </tr>
                ))}</tbody>
              </table>
              <Pager page={pages.page} pageSize={PAGE} total={conn.totalCount} exact={conn.totalCountIsExact ?? true} hasNext={conn.pageInfo.hasNextPage}
                onNext={() => pages.next(conn.pageInfo.endCursor)} onPrev={pages.prev} noun="lines" />
            </>
          )}
        </ChartCard>
      </div>
    </>
  );
}

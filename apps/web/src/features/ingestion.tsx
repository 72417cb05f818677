"use client";

import { useEffect, useState, type ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ChartCard } from "../components/ChartCard";
import { AXIS } from "../components/charts/colors";
import { formatAgo, formatCount, formatDateTime } from "../lib/format";
import { useGql } from "../lib/graphql";
import { INGESTION } from "../lib/queries";
import { useView } from "../lib/view";

interface Status {
  files: { pending: number; done: number; failed: number; skipped: number };
  lastFileKey: string | null; lastFileAt: string | null; lastIngestedAt: string | null; lagSeconds: number | null;
  entriesPerMinute: { start: string; count: number }[];
  failedFiles: { key: string; error: string | null; attempts: number; updatedAt: string }[];
}

function lagWords(seconds: number | null): string {
  if (seconds === null) return "No data loaded yet";
  if (seconds < 120) return `${seconds} s behind`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min behind`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h behind`;
  return `${Math.round(seconds / 86_400)} days behind`;
}

export function IngestionPage(): ReactNode {
  const view = useView();
  const status = useGql<{ ingestion: Status }>(INGESTION, {});
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(t);
  }, []);
  const s = status.data?.ingestion;
  const perMinute = (s?.entriesPerMinute ?? []).map((m) => ({ ...m, label: formatDateTime(Date.parse(m.start), view.timeZone).split(", ")[1] ?? m.start }));
  const cards = s ? [
    { id: "done", label: "Files loaded", value: formatCount(s.files.done), hint: `${formatCount(s.files.pending)} waiting` },
    { id: "failed", label: "Files that failed", value: formatCount(s.files.failed), hint: s.files.failed > 0 ? "See the list below for why." : "None: everything loaded." },
    { id: "last", label: "Newest file", value: s.lastFileAt ? formatAgo(Date.parse(s.lastFileAt), now) : "–", hint: s.lastFileKey ?? "No file loaded yet" },
    { id: "lag", label: "Freshness", value: lagWords(s.lagSeconds), hint: "How far the newest log line is behind now." },
    { id: "loaded", label: "Last load", value: s.lastIngestedAt ? formatAgo(Date.parse(s.lastIngestedAt), now) : "–", hint: "When a file was last stored." },
  ] : null;
  return (
    <>
      <h1>Ingestion</h1>
      <p className="subtitle">Whether log files from the bucket are arriving and loading, and which ones could not be read.</p>
      {status.error && <div className="card state" role="alert"><span className="error-text">{status.error}</span><button type="button" onClick={status.retry}>Try again</button></div>}
      <div className="grid cards">
        {(cards ?? []).map((c) => (
          <div className="card stat" key={c.id} data-testid={`ingest-${c.id}`}><div className="label">{c.label}</div><div className="value">{c.value}</div><div className="hint">{c.hint}</div></div>
        ))}
      </div>
      <div className="grid two" style={{ marginTop: 16 }}>
        <ChartCard title="Log lines loaded per minute" description="The last hour." fetching={status.fetching} error={status.error} onRetry={status.retry}
          empty={perMinute.every((m) => m.count === 0)} emptyHint="Nothing loaded in the last hour. New files are picked up as they arrive."
          csv={{ title: "Loaded per minute", fromMs: now - 3_600_000, toMs: now, columns: [{ key: "start", label: "Minute" }, { key: "count", label: "Log lines" }], rows: perMinute }}>
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={perMinute} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="label" tick={AXIS} minTickGap={16} />
              <YAxis tick={AXIS} width={56} tickFormatter={(v: number) => formatCount(v)} />
              <Tooltip formatter={(v) => [formatCount(Number(v)), "Log lines"]} />
              <Bar dataKey="count" fill="#0b5cad" />
            </BarChart>
          </ResponsiveContainer>
        </ChartCard>
        <ChartCard title="Files that failed" description="Each with the reason; they are retried, and kept aside if they keep failing."
          fetching={status.fetching} error={status.error} onRetry={status.retry} empty={!s || s.failedFiles.length === 0} emptyHint="No file failed." height="auto"
          csv={{ title: "Failed files", fromMs: 0, toMs: now, columns: [{ key: "key", label: "File" }, { key: "error", label: "Reason" }, { key: "attempts", label: "Attempts" }], rows: s?.failedFiles ?? [] }}>
          <table>
            <thead><tr><th>File</th><th>Why</th><th className="num">Attempts</th></tr></thead>
            <tbody>{s?.failedFiles.map((f) => <tr key={f.key}><td style={{ overflowWrap: "anywhere" }}>{f.key}</td><td>{f.error ?? "–"}</td><td className="num">{f.attempts}</td></tr>)}</tbody>
          </table>
        </ChartCard>
      </div>
    </>
  );
}

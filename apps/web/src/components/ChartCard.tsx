"use client";

import type { ReactNode } from "react";
import { csvFileName, toCsv } from "../lib/csv";

export interface CsvExport {
  title: string;
  fromMs: number;
  toMs: number;
  columns: readonly { key: string; label: string }[];
  rows: readonly object[];
}

interface Props {
  title: string;
  description?: ReactNode;
  fetching: boolean;
  error: string | null;
  onRetry(): void;
  empty: boolean;
  /** What to do when there is nothing to show. */
  emptyHint: string;
  csv?: CsvExport;
  actions?: ReactNode;
  height?: number | "auto";
  children: ReactNode;
}

function download(csv: CsvExport): void {
  const blob = new Blob([toCsv(csv.columns, csv.rows)], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = csvFileName(csv.title, csv.fromMs, csv.toMs);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A chart or table with its title, explanation, states (loading, error with retry, empty with guidance) and CSV export. */
export function ChartCard(p: Props): ReactNode {
  const hasData = !p.empty;
  const body = p.error ? (
    <div className="state" role="alert">
      <span className="error-text">Could not load this: {p.error}</span>
      <button type="button" onClick={p.onRetry}>Try again</button>
    </div>
  ) : p.fetching && !hasData ? (
    <div className="skeleton" aria-busy="true" aria-label={`Loading ${p.title}`} />
  ) : !hasData ? (
    <div className="state">
      <strong>Nothing to show yet</strong>
      <span>{p.emptyHint}</span>
    </div>
  ) : (
    p.children
  );
  return (
    <section className="card" aria-labelledby={`h-${slug(p.title)}`}>
      <div className="chart-head">
        <div>
          <h2 id={`h-${slug(p.title)}`}>{p.title}</h2>
          {p.description && <p>{p.description}</p>}
        </div>
        <div className="chart-actions">
          {p.actions}
          {p.csv && (
            <button type="button" disabled={!hasData || !!p.error} onClick={() => p.csv && download(p.csv)} aria-label={`Download ${p.title} as CSV`}>
              CSV
            </button>
          )}
        </div>
      </div>
      <div className="chart-body" style={p.height === "auto" ? { height: "auto" } : p.height ? { height: p.height } : undefined}>{body}</div>
    </section>
  );
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}

export function Segmented<T extends string>({ value, options, onChange, label }: {
  value: T; options: readonly { value: T; label: string }[]; onChange(v: T): void; label: string;
}): ReactNode {
  return (
    <div className="segmented" role="group" aria-label={label}>
      {options.map((o) => (
        <button key={o.value} type="button" aria-pressed={o.value === value} onClick={() => onChange(o.value)}>{o.label}</button>
      ))}
    </div>
  );
}

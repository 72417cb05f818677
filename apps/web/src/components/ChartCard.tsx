"use client";

import { usePathname } from "next/navigation";
import { useState, type ReactNode } from "react";
import { useMutation } from "urql";
import { csvFileName, exportFilters, toCsv } from "../lib/csv";
import { errorText } from "../lib/graphql";
import { RECORD_CSV_EXPORT } from "../lib/queries";
import { useView } from "../lib/view";

export interface CsvExport {
  title: string;
  fromMs: number;
  toMs: number;
  columns: readonly { key: string; label: string }[];
  rows: readonly object[];
  /** All the rows to export when they are more than the page shows (e.g. every page of the audit log); `rows` otherwise. */
  loadRows?: () => Promise<readonly object[]>;
  /** More to record in the audit log about what was exported (a search, a kind of problem). */
  filters?: Record<string, unknown>;
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

function download(csv: CsvExport, rows: readonly object[]): void {
  const blob = new Blob([toCsv(csv.columns, rows)], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = csvFileName(csv.title, csv.fromMs, csv.toMs);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The CSV button: records the export in the audit log first (the
 * recordCsvExport mutation: what, how many rows, the range and filters) and
 * downloads only once that succeeded; otherwise says why nothing was
 * downloaded.
 */
function CsvButton({ csv, title, disabled }: { csv: CsvExport; title: string; disabled: boolean }): ReactNode {
  const [, record] = useMutation(RECORD_CSV_EXPORT);
  const view = useView();
  const pathname = usePathname();
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const run = async (): Promise<void> => {
    setState({ busy: true, error: null });
    try {
      const rows = csv.loadRows ? await csv.loadRows() : csv.rows;
      const result = await record({ view: csv.title, rows: rows.length, filters: exportFilters(pathname, csv, view.filter, csv.filters) });
      if (result.error || result.data?.recordCsvExport !== true) {
        setState({ busy: false, error: result.error ? errorText(result.error) : "the export could not be recorded" });
        return;
      }
      download(csv, rows);
      setState({ busy: false, error: null });
    } catch (err) {
      setState({ busy: false, error: (err as Error).message });
    }
  };
  return (
    <>
      {state.error && <span className="error-text csv-error" role="alert">Not downloaded: {state.error}</span>}
      <button type="button" disabled={disabled || state.busy} onClick={() => void run()} aria-label={`Download ${title} as CSV`}>
        {state.busy ? "CSV…" : "CSV"}
      </button>
    </>
  );
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
          {p.csv && <CsvButton csv={p.csv} title={p.title} disabled={!hasData || !!p.error} />}
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

/** Outcome colours (contrast-checked against white) and their words. */
export const OUTCOME_SERIES = [
  { key: "answered", label: "Answered", color: "#2e7d32", outcome: "ANSWERED" },
  { key: "hedged", label: "Not in the documents", color: "#b35c00", outcome: "HEDGED" },
  { key: "failed", label: "Failed", color: "#c0362c", outcome: "FAILED" },
  { key: "unfinished", label: "No answer", color: "#6b7280", outcome: "UNFINISHED" },
] as const;

export const AXIS = { fontSize: 12, fill: "#57606a" };

/** A chart-wide click handler that hands the clicked point's row to `onSelect` (Recharts reports its index). */
export function selectRow<T>(rows: readonly T[], onSelect: (row: T) => void) {
  return (state: { activeIndex?: number | string | null }): void => {
    const i = Number(state?.activeIndex);
    if (Number.isInteger(i) && rows[i]) onSelect(rows[i]);
  };
}

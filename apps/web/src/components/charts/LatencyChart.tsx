"use client";

import type { ReactNode } from "react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { LatencyRow } from "../../lib/prepare/series";
import { AXIS, selectRow } from "./colors";

/** Typical (median) and slowest (95th percentile) answer time per bucket, in seconds; gaps where no answer arrived. */
export function LatencyChart({ rows, onSelect }: { rows: LatencyRow[]; onSelect(row: LatencyRow): void }): ReactNode {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer onClick={selectRow(rows, onSelect)}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={AXIS} minTickGap={12} />
        <YAxis tick={AXIS} width={44} unit=" s" />
        <Tooltip formatter={(v, name) => [v === null || v === undefined ? "no answers" : `${Number(v).toFixed(1)} s`, name]} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Line type="monotone" dataKey="typical" name="Typical (half are faster)" stroke="#0b5cad" strokeWidth={2} dot={false} connectNulls={false} />
        <Line type="monotone" dataKey="slowest" name="Slowest (95% are faster)" stroke="#b35c00" strokeWidth={2} dot={false} connectNulls={false} />
      </LineChart>
    </ResponsiveContainer>
  );
}

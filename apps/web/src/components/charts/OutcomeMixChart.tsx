"use client";

import type { ReactNode } from "react";
import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ShareRow } from "../../lib/prepare/series";
import { AXIS, selectRow, OUTCOME_SERIES } from "./colors";

/** The share of each outcome per bucket (100% stacked); empty buckets are gaps. */
export function OutcomeMixChart({ rows, onSelect }: { rows: ShareRow[]; onSelect(row: ShareRow): void }): ReactNode {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <AreaChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer onClick={selectRow(rows, onSelect)}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={AXIS} minTickGap={12} />
        <YAxis tick={AXIS} width={44} unit="%" domain={[0, 100]} />
        <Tooltip formatter={(v, name) => [v === null || v === undefined ? "–" : `${Number(v).toFixed(1)}%`, name]} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {OUTCOME_SERIES.map((s) => (
          <Area key={s.key} type="monotone" dataKey={s.key} name={s.label} stackId="o" stroke={s.color} fill={s.color} fillOpacity={0.75} />
        ))}
      </AreaChart>
    </ResponsiveContainer>
  );
}

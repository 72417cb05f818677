"use client";

import type { ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatCount } from "../../lib/format";
import type { CountRow } from "../../lib/prepare/series";
import { AXIS, OUTCOME_SERIES } from "./colors";

/** Questions per bucket stacked by outcome; clicking a segment drills down to those questions. */
export function QuestionsChart({ rows, onSelect }: { rows: CountRow[]; onSelect(row: CountRow, outcome: string | null): void }): ReactNode {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={AXIS} minTickGap={12} />
        <YAxis tick={AXIS} allowDecimals={false} width={44} tickFormatter={(v: number) => formatCount(v)} />
        <Tooltip formatter={(v, name) => [formatCount(Number(v)), name]} labelFormatter={(l, p) => `${l} · ${formatCount(p?.[0]?.payload?.total ?? 0)} questions`} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {OUTCOME_SERIES.map((s) => (
          <Bar key={s.key} dataKey={s.key} name={s.label} stackId="q" fill={s.color} cursor="pointer"
            onClick={(d: { payload?: CountRow }) => d.payload && onSelect(d.payload, s.outcome)} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

"use client";

import type { ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatCount } from "../../lib/format";
import type { SplitRow } from "../../lib/prepare/breakdown";
import { AXIS } from "./colors";

/** Horizontal bars: a breakdown (platform, version, topic, fund); clicking a bar drills down. */
export function SplitChart({ rows, onSelect, color = "#0b5cad" }: { rows: SplitRow[]; onSelect(row: SplitRow): void; color?: string }): ReactNode {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 48, bottom: 0, left: 8 }} accessibilityLayer>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" tick={AXIS} allowDecimals={false} tickFormatter={(v: number) => formatCount(v)} />
        <YAxis type="category" dataKey="label" tick={AXIS} width={170} interval={0} />
        <Tooltip formatter={(v, _n, item) => [`${formatCount(Number(v))} (${(item?.payload as SplitRow | undefined)?.percent ?? 0}%)`, "Questions"]} />
        <Bar dataKey="count" name="Questions" fill={color} cursor="pointer" onClick={(d: { payload?: SplitRow }) => d.payload && !d.payload.pooled && onSelect(d.payload)}>
          <LabelList dataKey="percent" position="right" formatter={(v: unknown) => `${String(v)}%`} style={{ fontSize: 11, fill: "#57606a" }} />
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}

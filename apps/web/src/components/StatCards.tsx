"use client";

import type { ReactNode } from "react";
import { changeTone, type StatCard } from "../lib/prepare/overview";

export function StatCards({ cards, loading }: { cards: StatCard[] | null; loading: boolean }): ReactNode {
  if (!cards) {
    return (
      <div className="grid cards" aria-busy={loading}>
        {Array.from({ length: 7 }, (_, i) => <div key={i} className="card stat" style={{ height: 112 }}><div className="skeleton" /></div>)}
      </div>
    );
  }
  return (
    <div className="grid cards">
      {cards.map((c) => (
        <div key={c.id} className="card stat" data-testid={`stat-${c.id}`}>
          <div className="label">{c.label}</div>
          <div className="value">{c.value}</div>
          <div className={`change ${changeTone(c)}`}>{c.changeText}</div>
          <div className="hint">{c.hint}</div>
        </div>
      ))}
    </div>
  );
}

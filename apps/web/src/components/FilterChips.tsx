"use client";

import type { ReactNode } from "react";
import { filterParams } from "../lib/url-state";
import { useView } from "../lib/view";
import { topicLabel } from "../lib/topics";

const NAMES: Record<string, string> = { user: "Investor", deal: "Deal", fund: "Fund", topic: "Topic", platform: "Platform", version: "App version", outcome: "Outcome" };

/** The filters in force, each removable; they apply to every page. */
export function FilterChips(): ReactNode {
  const view = useView();
  const params = filterParams(view.filter);
  const keys = Object.keys(params);
  if (keys.length === 0) return null;
  return (
    <div className="chips" role="region" aria-label="Filters in use">
      {keys.map((k) => {
        const raw = params[k]!;
        const shown = k === "topic" ? topicLabel(raw) : k === "outcome" ? raw.toLowerCase().replaceAll(",", ", ") : raw;
        return (
          <span className="chip" key={k}>
            {NAMES[k] ?? k}: {shown}
            <button type="button" aria-label={`Remove filter ${NAMES[k] ?? k}`} onClick={() => view.update({ [k]: null })}>×</button>
          </span>
        );
      })}
      <button type="button" onClick={() => view.update(Object.fromEntries(keys.map((k) => [k, null])))}>Clear all</button>
    </div>
  );
}

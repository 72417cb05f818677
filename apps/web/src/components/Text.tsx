"use client";

import type { ReactNode } from "react";
import { highlightParts } from "../lib/highlight";

/** Log text with search terms marked; always rendered as text (a question holding "<script>" shows those characters). */
export function Highlight({ text, terms }: { text: string; terms: readonly string[] }): ReactNode {
  return (
    <>
      {highlightParts(text, terms).map((p, i) => (p.match ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </>
  );
}

"use client";

import { useState, type ReactNode } from "react";
import { formatCount } from "../lib/format";

/** Cursor pages: "Next" follows the API's end cursor, "Previous" walks back the cursors seen. */
export function usePages(resetKey: string): { after: string | null; page: number; next(cursor: string | null): void; prev(): void } {
  const [state, setState] = useState<{ key: string; stack: (string | null)[] }>({ key: resetKey, stack: [null] });
  const stack = state.key === resetKey ? state.stack : [null];
  return {
    after: stack[stack.length - 1] ?? null,
    page: stack.length,
    next: (cursor) => cursor && setState({ key: resetKey, stack: [...stack, cursor] }),
    prev: () => setState({ key: resetKey, stack: stack.length > 1 ? stack.slice(0, -1) : stack }),
  };
}

export function Pager({ page, pageSize, total, exact = true, hasNext, onNext, onPrev, noun }: {
  page: number; pageSize: number; total: number; exact?: boolean; hasNext: boolean; onNext(): void; onPrev(): void; noun: string;
}): ReactNode {
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <div className="pager" role="navigation" aria-label={`${noun} pages`}>
      <span>{formatCount(first)}–{formatCount(last)} of {formatCount(total)}{exact ? "" : "+"} {noun}</span>
      <button type="button" onClick={onPrev} disabled={page <= 1}>Previous</button>
      <button type="button" onClick={onNext} disabled={!hasNext}>Next</button>
    </div>
  );
}

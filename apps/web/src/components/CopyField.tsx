"use client";

import { useState, type ReactNode } from "react";

/** A secret or a link shown once, with a button that copies it (the text is also selectable by hand). */
export function CopyField({ value, label, testId }: { value: string; label: string; testId?: string }): ReactNode {
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("yes");
    } catch {
      setCopied("no");
    }
  };
  return (
    <div className="copy-field">
      <label className="sr-only" htmlFor={`copy-${label}`}>{label}</label>
      <input id={`copy-${label}`} type="text" readOnly value={value} data-testid={testId} onFocus={(e) => e.currentTarget.select()} />
      <button type="button" onClick={() => void copy()}>{copied === "yes" ? "Copied" : "Copy"}</button>
      {copied === "no" && <span className="reason" role="status">Select the text and copy it by hand.</span>}
    </div>
  );
}

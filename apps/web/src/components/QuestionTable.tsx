"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { formatDateTime, formatDuration } from "../lib/format";
import { topicLabel } from "../lib/topics";
import type { View } from "../lib/view";
import { Highlight } from "./Text";

export interface QuestionNode {
  id: string;
  askedAt: string;
  /** Support and admin only (absent for a viewer). */
  userId?: number | null;
  dealId: string | null;
  fund: string | null;
  topic: string | null;
  text: string;
  /** Support and admin only. */
  answer?: string | null;
  outcome: string;
  signals: string[];
  reason: string | null;
  latencyMs: number | null;
  /** Support and admin only: a viewer gets no link to the conversation. */
  conversationId?: string | null;
}

export const OUTCOME_WORDS: Record<string, string> = { ANSWERED: "Answered", HEDGED: "Not in the documents", FAILED: "Failed", UNFINISHED: "No answer" };
export const SIGNAL_WORDS: Record<string, string> = {
  FAILED: "Failed", UNFINISHED: "No answer", REASKED: "Asked again", HEDGED: "Not in the documents", NO_DOCUMENTS: "No documents",
  PARTIAL: "Partly answered", SLOW: "Slow",
};

export function OutcomeBadge({ outcome }: { outcome: string }): ReactNode {
  return <span className={`badge ${outcome.toLowerCase()}`}>{OUTCOME_WORDS[outcome] ?? outcome}</span>;
}

/** Questions with their outcome, reason in plain words and (support and admin) the investor and a link to the conversation. */
export function QuestionTable({ nodes, view, terms = [], showAnswer = false, support }: { nodes: QuestionNode[]; view: View; terms?: string[]; showAnswer?: boolean; support: boolean }): ReactNode {
  return (
    <table>
      <thead>
        <tr><th>Asked</th><th>Question</th><th>What happened</th><th>Fund · topic</th><th className="num">Answer time</th></tr>
      </thead>
      <tbody>
        {nodes.map((q) => (
          <tr key={q.id} data-testid="question-row">
            <td style={{ whiteSpace: "nowrap" }}>{formatDateTime(Date.parse(q.askedAt), view.timeZone)}</td>
            <td>
              {q.conversationId ? (
                <Link href={view.href(`/conversations/${q.conversationId}`, { q: null }) + `#q-${q.id}`}><Highlight text={q.text} terms={terms} /></Link>
              ) : <Highlight text={q.text} terms={terms} />}
              {showAnswer && q.answer && <div className="reason"><Highlight text={q.answer.length > 280 ? `${q.answer.slice(0, 280)}…` : q.answer} terms={terms} /></div>}
              <div className="reason">{support ? `Investor ${q.userId ?? "unknown"} · deal ${q.dealId ?? "unknown"}` : `Deal ${q.dealId ?? "unknown"}`}</div>
            </td>
            <td>
              <OutcomeBadge outcome={q.outcome} />{" "}
              {q.signals.filter((s) => s !== q.outcome).map((s) => <span key={s} className="badge signal">{SIGNAL_WORDS[s] ?? s}</span>)}
              {q.reason && <div className="reason">{q.reason}</div>}
            </td>
            <td>{q.fund ?? "No fund named"}<div className="reason">{topicLabel(q.topic)}</div></td>
            <td className="num">{formatDuration(q.latencyMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

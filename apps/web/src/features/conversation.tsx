"use client";

import Link from "next/link";
import { useState, type ReactNode } from "react";
import { OutcomeBadge, SIGNAL_WORDS, type QuestionNode } from "../components/QuestionTable";
import { formatDateTime, formatDuration } from "../lib/format";
import { useGql } from "../lib/graphql";
import { useRole } from "../lib/me";
import { CONVERSATION, QUESTION_LOG } from "../lib/queries";
import { topicLabel } from "../lib/topics";
import { useView } from "../lib/view";

interface FullQuestion extends QuestionNode { answeredAt: string | null; errorMessage: string | null; cacheHit: boolean | null; documentCount: number | null }
interface Conversation { id: string; userId: number | null; dealId: string | null; startedAt: string; endedAt: string; questionCount: number; problemCount: number; questions: FullQuestion[] }
interface LogLine { id: string; time: string; levelName: string; context: string | null; message: string | null; requestId: string | null; data: unknown }

function LogLines({ id }: { id: string }): ReactNode {
  const log = useGql<{ question: { logEntries: LogLine[] } | null }>(QUESTION_LOG, { id });
  if (log.error) return <p className="error-text" role="alert">Could not load the log lines: {log.error} <button type="button" onClick={log.retry}>Try again</button></p>;
  if (!log.data) return <p className="reason">Loading log lines…</p>;
  const lines = log.data.question?.logEntries ?? [];
  return (
    <pre className="log" data-testid="log-lines">
      {lines.map((l) => `${l.time}  ${l.levelName.toUpperCase().padEnd(5)}  ${l.context ?? ""}  ${l.message ?? ""}\n${JSON.stringify(l.data)}\n`).join("\n") || "No log lines stored for this question."}
    </pre>
  );
}

function Turn({ q, timeZone, admin }: { q: FullQuestion; timeZone: string; admin: boolean }): ReactNode {
  const [showLog, setShowLog] = useState(false);
  const asked = Date.parse(q.askedAt);
  return (
    <>
      <div className="bubble q" id={`q-${q.id}`}>
        {q.text}
        <div className="meta"><span>{formatDateTime(asked, timeZone)}</span><span>{q.fund ?? "No fund named"}</span><span>{topicLabel(q.topic)}</span></div>
      </div>
      <div className={`bubble a ${q.outcome.toLowerCase()}`}>
        {q.answer ?? (q.outcome === "FAILED" ? `The bot failed${q.errorMessage ? `: ${q.errorMessage}` : ""}.` : "No answer was logged.")}
        <div className="meta">
          <OutcomeBadge outcome={q.outcome} />
          {q.signals.filter((s) => s !== q.outcome).map((s) => <span key={s} className="badge signal">{SIGNAL_WORDS[s] ?? s}</span>)}
          <span>Answer time {formatDuration(q.latencyMs)}</span>
          <span>{q.documentCount === null ? "Documents unknown" : `${q.documentCount} document${q.documentCount === 1 ? "" : "s"} used`}</span>
          <span>{q.cacheHit === null ? "Cache unknown" : q.cacheHit ? "From cache" : "Not from cache"}</span>
          {admin && <button type="button" onClick={() => setShowLog((v) => !v)} aria-expanded={showLog}>{showLog ? "Hide log lines" : "Show log lines"}</button>}
        </div>
        {q.reason && <div className="reason">{q.reason}</div>}
        {admin && showLog && <LogLines id={q.id} />}
      </div>
    </>
  );
}

export function ConversationPage({ id }: { id: string }): ReactNode {
  const view = useView();
  const { admin } = useRole();
  // Support and admin only (src/lib/page-access.ts); the raw log lines are for admins.
  const conv = useGql<{ conversation: Conversation | null }>(CONVERSATION, { id, support: true });
  const c = conv.data?.conversation;
  return (
    <>
      <p><Link href={view.href("/conversations")}>← All conversations</Link></p>
      {conv.error && <div className="card state" role="alert"><span className="error-text">{conv.error}</span><button type="button" onClick={conv.retry}>Try again</button></div>}
      {!conv.error && !conv.data && <div className="card" style={{ height: 200 }}><div className="skeleton" /></div>}
      {conv.data && !c && <div className="card state"><strong>Conversation not found</strong><span>It may be outside the data kept, or the link is wrong.</span></div>}
      {c && (
        <>
          <h1>Conversation with investor {c.userId ?? "unknown"}</h1>
          <p className="subtitle">
            Deal {c.dealId ?? "unknown"} · {formatDateTime(Date.parse(c.startedAt), view.timeZone)} to {formatDateTime(Date.parse(c.endedAt), view.timeZone)} ·{" "}
            {c.questionCount} question{c.questionCount === 1 ? "" : "s"}, {c.problemCount} with problems
          </p>
          <div className="card"><div className="chat">{c.questions.map((q) => <Turn key={q.id} q={q} timeZone={view.timeZone} admin={admin} />)}</div></div>
        </>
      )}
    </>
  );
}

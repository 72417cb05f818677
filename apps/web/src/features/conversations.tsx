"use client";

import Link from "next/link";
import { useState, type ReactNode } from "react";
import { ChartCard } from "../components/ChartCard";
import { Pager, usePages } from "../components/Pager";
import { QuestionTable, type QuestionNode } from "../components/QuestionTable";
import { formatDateTime } from "../lib/format";
import { useGql } from "../lib/graphql";
import { searchWords } from "../lib/highlight";
import type { BreakdownRow, Connection } from "../lib/prepare/types";
import { BREAKDOWN, CONVERSATIONS, SEARCH_QUESTIONS } from "../lib/queries";
import { topicLabel } from "../lib/topics";
import { OUTCOMES } from "../lib/url-state";
import { useView, type View } from "../lib/view";
import { OUTCOME_WORDS } from "../components/QuestionTable";

interface ConversationNode { id: string; userId: number | null; dealId: string | null; startedAt: string; endedAt: string; questionCount: number; problemCount: number; firstQuestion: string | null }

const PAGE = 25;
const TOPICS = ["returns", "risk", "fees", "liquidity", "sharia", "tax", "documents", "horizon", "strategy", "other"];

function Filters({ view }: { view: View }): ReactNode {
  const base = { from: view.from, to: view.to, filter: {} };
  const funds = useGql<{ breakdown: BreakdownRow[] }>(BREAKDOWN, { ...base, dimension: "FUND" });
  const platforms = useGql<{ breakdown: BreakdownRow[] }>(BREAKDOWN, { ...base, dimension: "PLATFORM" });
  const [user, setUser] = useState(view.filter.userId?.toString() ?? "");
  const opts = (rows: BreakdownRow[] | undefined): string[] => (rows ?? []).map((r) => r.value).filter((v): v is string => v !== null);
  return (
    <div className="topbar" role="group" aria-label="Filters">
      <label>Fund
        <select value={view.filter.fund ?? ""} onChange={(e) => view.update({ fund: e.target.value || null })}>
          <option value="">All funds</option>
          {opts(funds.data?.breakdown).map((f) => <option key={f} value={f}>{f}</option>)}
        </select>
      </label>
      <label>Topic
        <select value={view.filter.topic ?? ""} onChange={(e) => view.update({ topic: e.target.value || null })}>
          <option value="">All topics</option>
          {TOPICS.map((t) => <option key={t} value={t}>{topicLabel(t)}</option>)}
        </select>
      </label>
      <label>Outcome
        <select value={view.filter.outcomes?.[0] ?? ""} onChange={(e) => view.update({ outcome: e.target.value || null })}>
          <option value="">Any outcome</option>
          {OUTCOMES.map((o) => <option key={o} value={o}>{OUTCOME_WORDS[o]}</option>)}
        </select>
      </label>
      <label>Platform
        <select value={view.filter.platform ?? ""} onChange={(e) => view.update({ platform: e.target.value || null })}>
          <option value="">All platforms</option>
          {opts(platforms.data?.breakdown).map((p) => <option key={p} value={p}>{p}</option>)}
        </select>
      </label>
      <form onSubmit={(e) => { e.preventDefault(); view.update({ user: /^\d+$/.test(user) ? user : null }); }}>
        <label>Investor id
          <input type="number" min={0} value={user} onChange={(e) => setUser(e.target.value)} style={{ width: 110 }} />
        </label>
      </form>
    </div>
  );
}

export function ConversationsPage(): ReactNode {
  const view = useView();
  const q = view.params.get("q") ?? "";
  const [text, setText] = useState(q);
  const vars = { from: view.from, to: view.to, filter: view.filter };
  const pages = usePages(JSON.stringify({ ...vars, q }));
  // The page is for support and admin (src/lib/page-access.ts), who may see answers and investors.
  const search = useGql<{ searchQuestions: Connection<QuestionNode> }>(SEARCH_QUESTIONS, { ...vars, text: q, first: PAGE, after: pages.after, support: true }, q === "");
  const list = useGql<{ conversations: Connection<ConversationNode> }>(CONVERSATIONS, { ...vars, first: PAGE, after: pages.after }, q !== "");
  const result = q ? search : list;
  const conn = q ? search.data?.searchQuestions : list.data?.conversations;
  return (
    <>
      <h1>Conversations</h1>
      <p className="subtitle">Search what investors asked and what the bot answered, or browse the chats.</p>
      <form role="search" className="topbar" onSubmit={(e) => { e.preventDefault(); view.update({ q: text.trim() || null }); }}>
        <label htmlFor="search" className="sr-only">Search questions and answers</label>
        <input id="search" type="search" placeholder="Search questions and answers, e.g. EIS fees" value={text} maxLength={200}
          onChange={(e) => setText(e.target.value)} style={{ flex: 1, minWidth: 240 }} />
        <button type="submit" className="primary">Search</button>
        {q && <button type="button" onClick={() => { setText(""); view.update({ q: null }); }}>Clear search</button>}
      </form>
      <Filters view={view} />
      <ChartCard title={q ? `Questions matching “${q}”` : "Conversations"}
        description={q ? "Matches in the question or the answer, newest first." : "One investor's questions about one deal, newest first. Open one to read it."}
        fetching={result.fetching} error={result.error} onRetry={result.retry} empty={!conn || conn.edges.length === 0}
        emptyHint={q ? "Nothing matches. Try fewer or different words, or a longer period." : "No conversations in this period. Try a longer period or remove filters."}
        height="auto"
        csv={q
          ? { title: `Search ${q}`, fromMs: view.range.fromMs, toMs: view.range.toMs, filters: { search: q },
              columns: [{ key: "askedAt", label: "Asked" }, { key: "text", label: "Question" }, { key: "answer", label: "Answer" }, { key: "outcome", label: "Outcome" }, { key: "conversationId", label: "Conversation" }],
              rows: search.data?.searchQuestions.edges.map((e) => ({ ...e.node, signals: e.node.signals.join(" ") })) ?? [] }
          : { title: "Conversations", fromMs: view.range.fromMs, toMs: view.range.toMs,
              columns: [{ key: "startedAt", label: "Started" }, { key: "userId", label: "Investor" }, { key: "dealId", label: "Deal" }, { key: "questionCount", label: "Questions" },
                { key: "problemCount", label: "With problems" }, { key: "firstQuestion", label: "First question" }],
              rows: list.data?.conversations.edges.map((e) => e.node as unknown as Record<string, string | number | null>) ?? [] }}>
        {q && search.data && <QuestionTable nodes={search.data.searchQuestions.edges.map((e) => e.node)} view={view} terms={searchWords(q)} showAnswer support />}
        {!q && list.data && (
          <table>
            <thead><tr><th>Started</th><th>First question</th><th>Investor · deal</th><th className="num">Questions</th><th className="num">With problems</th></tr></thead>
            <tbody>{list.data.conversations.edges.map(({ node: c }) => (
              <tr key={c.id} data-testid="conversation-row">
                <td style={{ whiteSpace: "nowrap" }}>{formatDateTime(Date.parse(c.startedAt), view.timeZone)}</td>
                <td><Link href={view.href(`/conversations/${c.id}`)}>{c.firstQuestion ?? "(no text)"}</Link></td>
                <td>{c.userId ?? "unknown"} · {c.dealId ?? "unknown"}</td>
                <td className="num">{c.questionCount}</td>
                <td className={`num${c.problemCount > 0 ? " bad" : ""}`}>{c.problemCount}</td>
              </tr>
            ))}</tbody>
          </table>
        )}
        {conn && (
          <Pager page={pages.page} pageSize={PAGE} total={conn.totalCount} exact={conn.totalCountIsExact ?? true} hasNext={conn.pageInfo.hasNextPage}
            onNext={() => pages.next(conn.pageInfo.endCursor)} onPrev={pages.prev} noun={q ? "questions" : "conversations"} />
        )}
      </ChartCard>
    </>
  );
}

"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { ChartCard } from "../components/ChartCard";
import { Pager, usePages } from "../components/Pager";
import { QuestionTable, type QuestionNode } from "../components/QuestionTable";
import { formatCount, formatPercent } from "../lib/format";
import { useGql } from "../lib/graphql";
import { useRole } from "../lib/me";
import type { Connection } from "../lib/prepare/types";
import { KNOWLEDGE_GAPS, PROBLEM_QUESTIONS } from "../lib/queries";
import { useView } from "../lib/view";

interface Gap {
  id: string; fund: string | null; topic: string | null; topicLabel: string; hedged: number; partial: number; questions: number;
  hedgedShare: number; summary: string; examples: { id: string; text: string; askedAt: string }[];
}

export const KINDS = [
  { id: "", label: "All problems", kinds: null, help: "Every question that went badly, worst first." },
  { id: "failed", label: "Failed", kinds: ["FAILED"], help: "The bot hit an error and the investor got no answer." },
  { id: "unfinished", label: "No answer", kinds: ["UNFINISHED"], help: "The question was asked but no answer was ever logged." },
  { id: "hedged", label: "Not in the documents", kinds: ["HEDGED"], help: "The bot said the deal documents do not have this information." },
  { id: "reasked", label: "Asked again", kinds: ["REASKED"], help: "The investor asked nearly the same thing again within minutes: the answer probably did not help." },
  { id: "slow", label: "Slow", kinds: ["SLOW"], help: "The answer took longer than 10 seconds." },
  { id: "no_documents", label: "No documents", kinds: ["NO_DOCUMENTS"], help: "The bot had no deal documents to answer from." },
] as const;

const PAGE = 25;

export function ProblemsPage(): ReactNode {
  const view = useView();
  const { support } = useRole();
  const kind = KINDS.find((k) => k.id === (view.params.get("kind") ?? "")) ?? KINDS[0];
  const vars = { from: view.from, to: view.to, filter: view.filter, kinds: kind.kinds };
  const pages = usePages(JSON.stringify(vars));
  const problems = useGql<{ problemQuestions: Connection<QuestionNode> }>(PROBLEM_QUESTIONS, { ...vars, first: PAGE, after: pages.after, support });
  const gapPages = usePages(`${view.from}|${view.to}`);
  const gaps = useGql<{ knowledgeGaps: Connection<Gap> }>(KNOWLEDGE_GAPS, { from: view.from, to: view.to, first: 10, after: gapPages.after });
  const conn = problems.data?.problemQuestions;
  const gapConn = gaps.data?.knowledgeGaps;
  return (
    <>
      <h1>Problems</h1>
      <p className="subtitle">Questions that went badly, each with the reason in plain words, and what is missing from the deal documents.</p>
      <ChartCard title="Knowledge gaps" description="Funds and topics investors asked about where the bot found nothing in the documents: what the deals team should add."
        fetching={gaps.fetching} error={gaps.error} onRetry={gaps.retry} empty={!gapConn || gapConn.edges.length === 0}
        emptyHint="The bot found an answer in the documents for every question in this period." height="auto"
        csv={{ title: "Knowledge gaps", fromMs: view.range.fromMs, toMs: view.range.toMs,
          columns: [{ key: "fund", label: "Fund" }, { key: "topicLabel", label: "Topic" }, { key: "hedged", label: "No answer in documents" },
            { key: "questions", label: "Questions" }, { key: "summary", label: "Summary" }],
          rows: gapConn?.edges.map((e) => ({ ...e.node, fund: e.node.fund ?? "No fund named" })) ?? [] }}>
        {gapConn && (
          <>
            <table>
              <thead><tr><th>Gap</th><th className="num">Times</th><th className="num">Of questions</th><th>Latest examples</th></tr></thead>
              <tbody>{gapConn.edges.map(({ node: g }) => (
                <tr key={g.id} data-testid="knowledge-gap">
                  <td><strong>{g.fund ?? "No fund named"}</strong> · {g.topicLabel}<div className="reason">{g.summary}</div></td>
                  <td className="num">{formatCount(g.hedged)}</td>
                  <td className="num">{formatPercent(g.hedgedShare)}</td>
                  <td>{g.examples.map((e) => <div key={e.id}>{support ? <Link href={view.href("/conversations", { q: e.text })}>{e.text}</Link> : e.text}</div>)}</td>
                </tr>
              ))}</tbody>
            </table>
            <Pager page={gapPages.page} pageSize={10} total={gapConn.totalCount} hasNext={gapConn.pageInfo.hasNextPage}
              onNext={() => gapPages.next(gapConn.pageInfo.endCursor)} onPrev={gapPages.prev} noun="gaps" />
          </>
        )}
      </ChartCard>
      <div style={{ marginTop: 16 }}>
        <nav className="tabs" aria-label="Kind of problem">
          {KINDS.map((k) => (
            <Link key={k.id} href={view.href("/problems", { kind: k.id || null })} aria-current={k.id === kind.id ? "page" : undefined}>{k.label}</Link>
          ))}
        </nav>
        <ChartCard title={kind.label} description={kind.help} fetching={problems.fetching} error={problems.error} onRetry={problems.retry}
          empty={!conn || conn.edges.length === 0} emptyHint="No such questions in this period. That is good news." height="auto"
          csv={{ title: `Problems ${kind.label}`, fromMs: view.range.fromMs, toMs: view.range.toMs, filters: { kind: kind.id || "all" },
            columns: [{ key: "askedAt", label: "Asked" }, { key: "text", label: "Question" }, { key: "outcome", label: "Outcome" }, { key: "reason", label: "Reason" },
              { key: "fund", label: "Fund" }, { key: "topic", label: "Topic" }, { key: "latencyMs", label: "Answer time (ms)" },
              ...(support ? [{ key: "userId", label: "Investor" }, { key: "conversationId", label: "Conversation" }] : [])],
            rows: conn?.edges.map((e) => ({ ...e.node, signals: e.node.signals.join(" ") })) ?? [] }}>
          {conn && (
            <>
              <QuestionTable nodes={conn.edges.map((e) => e.node)} view={view} support={support} />
              <Pager page={pages.page} pageSize={PAGE} total={conn.totalCount} exact={conn.totalCountIsExact ?? true} hasNext={conn.pageInfo.hasNextPage}
                onNext={() => pages.next(conn.pageInfo.endCursor)} onPrev={pages.prev} noun="questions" />
            </>
          )}
        </ChartCard>
      </div>
    </>
  );
}

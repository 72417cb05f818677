"use client";

import type { ReactNode } from "react";
import { ChartCard } from "../components/ChartCard";
import { SplitChart } from "../components/charts/SplitChart";
import { Pager, usePages } from "../components/Pager";
import { formatCount, formatDateTime, formatPercent } from "../lib/format";
import { useGql } from "../lib/graphql";
import { useRole } from "../lib/me";
import { splitRows, trendText } from "../lib/prepare/breakdown";
import type { BreakdownRow, Connection } from "../lib/prepare/types";
import { BREAKDOWN, COMMON_QUESTIONS, OTHER_TOPICS } from "../lib/queries";
import { topicLabel } from "../lib/topics";
import { useView } from "../lib/view";

interface GroupNode { id: string; text: string; count: number; share: number; hedged: number; previousCount: number; firstAskedAt: string; lastAskedAt: string }
interface OtherTopic { label: string; terms: string[]; count: number; examples: string[] }

const PAGE = 20;
const EMPTY = "No questions in this period. Try a longer period or remove filters.";

export function QuestionsPage(): ReactNode {
  const view = useView();
  const { support } = useRole();
  const base = { from: view.from, to: view.to, filter: view.filter };
  const topics = useGql<{ breakdown: BreakdownRow[] }>(BREAKDOWN, { ...base, dimension: "TOPIC" });
  const funds = useGql<{ breakdown: BreakdownRow[] }>(BREAKDOWN, { ...base, dimension: "FUND" });
  const pages = usePages(JSON.stringify(base));
  const groups = useGql<{ commonQuestions: Connection<GroupNode> }>(COMMON_QUESTIONS, { ...base, first: PAGE, after: pages.after });
  const others = useGql<{ otherTopics: OtherTopic[] }>(OTHER_TOPICS, base);
  const topicRows = topics.data ? splitRows(topics.data.breakdown, 10, "Unclassified", topicLabel) : [];
  const fundRows = funds.data ? splitRows(funds.data.breakdown, 10, "No fund named") : [];
  const conn = groups.data?.commonQuestions;
  const range = { fromMs: view.range.fromMs, toMs: view.range.toMs };
  return (
    <>
      <h1>Questions</h1>
      <p className="subtitle">What investors ask about: topics, funds and the questions asked most often (similar wordings counted together).</p>
      <div className="grid two">
        <ChartCard title="Topics" description="Click a topic to see only its questions everywhere." fetching={topics.fetching} error={topics.error}
          onRetry={topics.retry} empty={topicRows.length === 0} emptyHint={EMPTY} height={340}
          csv={{ title: "Topics", ...range, columns: [{ key: "label", label: "Topic" }, { key: "count", label: "Questions" }, { key: "percent", label: "Percent" }], rows: topicRows }}>
          <SplitChart rows={topicRows} onSelect={(r) => view.update({ topic: r.value })} />
        </ChartCard>
        <ChartCard title="Funds most asked about" description="The fund named in the question (the same fund can be offered as several deals)."
          fetching={funds.fetching} error={funds.error} onRetry={funds.retry} empty={fundRows.length === 0} emptyHint={EMPTY} height={340}
          csv={{ title: "Funds", ...range, columns: [{ key: "label", label: "Fund" }, { key: "count", label: "Questions" }, { key: "percent", label: "Percent" }], rows: fundRows }}>
          <SplitChart rows={fundRows} color="#1a7f37" onSelect={(r) => r.value !== null && view.update({ fund: r.value })} />
        </ChartCard>
      </div>
      <div style={{ marginTop: 16 }}>
        <ChartCard title="Common questions" description={`Questions asked most often, near-identical wordings grouped.${support ? " Click one to read the conversations where it was asked." : ""}`}
          fetching={groups.fetching} error={groups.error} onRetry={groups.retry} empty={!conn || conn.edges.length === 0} emptyHint={EMPTY} height="auto"
          csv={{ title: "Common questions", ...range,
            columns: [{ key: "text", label: "Question" }, { key: "count", label: "Times asked" }, { key: "share", label: "Share" },
              { key: "hedged", label: "Not in the documents" }, { key: "previousCount", label: "Previous period" }, { key: "lastAskedAt", label: "Last asked" }],
            rows: conn?.edges.map((e) => e.node as unknown as Record<string, string | number>) ?? [] }}>
          {conn && (
            <>
              <table>
                <thead><tr><th>Question</th><th className="num">Times asked</th><th className="num">Share</th><th className="num">Trend</th><th className="num">Not in docs</th><th>Last asked</th></tr></thead>
                <tbody>
                  {conn.edges.map(({ node }) => (
                    <tr key={node.id} className={support ? "clickable" : undefined} data-testid="common-question" tabIndex={support ? 0 : undefined}
                      onClick={support ? () => view.go(view.href("/conversations", { q: node.text })) : undefined}
                      onKeyDown={support ? (e) => e.key === "Enter" && view.go(view.href("/conversations", { q: node.text })) : undefined}>
                      <td>{node.text}</td>
                      <td className="num">{formatCount(node.count)}</td>
                      <td className="num">{formatPercent(node.share, 1)}</td>
                      <td className="num">{trendText(node.count, node.previousCount)}</td>
                      <td className="num">{formatCount(node.hedged)}</td>
                      <td>{formatDateTime(Date.parse(node.lastAskedAt), view.timeZone)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager page={pages.page} pageSize={PAGE} total={conn.totalCount} hasNext={conn.pageInfo.hasNextPage}
                onNext={() => pages.next(conn.pageInfo.endCursor)} onPrev={pages.prev} noun="questions" />
            </>
          )}
        </ChartCard>
      </div>
      <div style={{ marginTop: 16 }}>
        <ChartCard title="Questions outside the topics" description="Questions no topic covers, grouped by what they have in common. New themes show up here first."
          fetching={others.fetching} error={others.error} onRetry={others.retry} empty={!others.data || others.data.otherTopics.length === 0}
          emptyHint="Every question in this period fits a topic." height="auto"
          csv={{ title: "Other questions", ...range, columns: [{ key: "label", label: "Theme" }, { key: "count", label: "Questions" }, { key: "examples", label: "Examples" }],
            rows: others.data?.otherTopics.map((o) => ({ label: o.label, count: o.count, examples: o.examples.join(" | ") })) ?? [] }}>
          <table>
            <thead><tr><th>Theme</th><th className="num">Questions</th><th>For example</th></tr></thead>
            <tbody>{others.data?.otherTopics.map((o) => (
              <tr key={o.label}><td>{o.label}</td><td className="num">{formatCount(o.count)}</td><td>{o.examples.map((e, i) => <div key={i}>{e}</div>)}</td></tr>
            ))}</tbody>
          </table>
        </ChartCard>
      </div>
    </>
  );
}

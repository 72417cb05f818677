"use client";

import { useState, type ReactNode } from "react";
import { ChartCard, Segmented } from "../components/ChartCard";
import { LatencyChart } from "../components/charts/LatencyChart";
import { OutcomeMixChart } from "../components/charts/OutcomeMixChart";
import { QuestionsChart } from "../components/charts/QuestionsChart";
import { SplitChart } from "../components/charts/SplitChart";
import { StatCards } from "../components/StatCards";
import { useGql } from "../lib/graphql";
import { useRole } from "../lib/me";
import { splitRows } from "../lib/prepare/breakdown";
import { latencySentence, overviewCards } from "../lib/prepare/overview";
import { countRows, isEmptySeries, latencyRows, outcomeShareRows } from "../lib/prepare/series";
import type { BreakdownRow, CountBucket, LatencyBucket, Overview } from "../lib/prepare/types";
import { BREAKDOWN, OVERVIEW, QUESTION_COUNTS, RESPONSE_TIMES } from "../lib/queries";
import { allowedIntervals, defaultInterval, PRESETS, type Interval } from "../lib/time-range";
import { useView, type View } from "../lib/view";

const INTERVAL_LABELS: Record<Interval, string> = { HOUR: "Hour", DAY: "Day", WEEK: "Week", MONTH: "Month" };
const EMPTY_HINT = "No questions in this period. Pick a longer period, remove filters, or check the Ingestion page for files still to load.";

export function periodWords(view: View): string {
  return PRESETS.find((p) => p.id === view.range.preset)?.label.replace(/^Last /, "") ?? "period";
}

const PROBLEM_OF_OUTCOME: Record<string, string> = { FAILED: "failed", HEDGED: "hedged", UNFINISHED: "unfinished" };

/**
 * Drill-down from a time bucket: to the conversations of that bucket (and
 * outcome) for those who may read conversations (support and admin); to
 * the problem questions of that bucket (of that kind) for a viewer.
 */
export function bucketHref(view: Pick<View, "href">, startMs: number, endMs: number, outcome: string | null, support: boolean): string {
  const range = { range: null, from: new Date(startMs).toISOString(), to: new Date(endMs).toISOString() };
  if (support) return view.href("/conversations", { ...range, outcome: outcome ?? undefined });
  return view.href("/problems", { ...range, kind: (outcome && PROBLEM_OF_OUTCOME[outcome]) || null, outcome: null });
}

export function useInterval(view: View): [Interval, (i: Interval) => void, Interval[]] {
  const allowed = allowedIntervals(view.range);
  const asked = view.params.get("interval")?.toUpperCase() as Interval | undefined;
  const interval = asked && allowed.includes(asked) ? asked : defaultInterval(view.range);
  return [interval, (i) => view.update({ interval: i === defaultInterval(view.range) ? null : i.toLowerCase() }), allowed];
}

export function OverviewPage(): ReactNode {
  const view = useView();
  const { support } = useRole();
  const [interval, setInterval, allowed] = useInterval(view);
  const vars = { from: view.from, to: view.to, tz: view.timeZone, filter: view.filter };
  const overview = useGql<{ overview: Overview }>(OVERVIEW, vars);
  const counts = useGql<{ questionCounts: CountBucket[] }>(QUESTION_COUNTS, { ...vars, interval });
  const times = useGql<{ responseTimes: LatencyBucket[] }>(RESPONSE_TIMES, { ...vars, interval });
  const platforms = useGql<{ breakdown: BreakdownRow[] }>(BREAKDOWN, { from: view.from, to: view.to, filter: view.filter, dimension: "PLATFORM" });
  const versions = useGql<{ breakdown: BreakdownRow[] }>(BREAKDOWN, { from: view.from, to: view.to, filter: view.filter, dimension: "APP_VERSION" });
  const [mix, setMix] = useState<"count" | "share">("count");

  const cards = overview.data ? overviewCards(overview.data.overview, periodWords(view)) : null;
  const rows = counts.data ? countRows(counts.data.questionCounts, interval, view.timeZone) : [];
  const lat = times.data ? latencyRows(times.data.responseTimes, interval, view.timeZone) : [];
  const endOf = (i: number, list: { startMs: number }[]): number => list[i + 1]?.startMs ?? view.range.toMs;
  const intervalSwitch = (
    <Segmented label="Group by" value={interval} onChange={setInterval} options={allowed.map((i) => ({ value: i, label: INTERVAL_LABELS[i] }))} />
  );
  const plat = platforms.data ? splitRows(platforms.data.breakdown, 6, "Unknown") : [];
  const vers = versions.data ? splitRows(versions.data.breakdown, 8, "Unknown") : [];
  return (
    <>
      <h1>Overview</h1>
      <p className="subtitle">How much investors use the deal bot, how well it answers, and how fast. {view.range.label}, times in {view.timeZone}.</p>
      {overview.error ? (
        <div className="card state" role="alert"><span className="error-text">Could not load the headline numbers: {overview.error}</span>
          <button type="button" onClick={overview.retry}>Try again</button></div>
      ) : (
        <StatCards cards={cards} loading={overview.fetching} />
      )}
      <div className="grid two" style={{ marginTop: 16 }}>
        <ChartCard title="Questions over time" description={`Each bar is split by what happened. Click a bar to see ${support ? "those conversations" : "the questions that went badly then"}.`}
          fetching={counts.fetching} error={counts.error} onRetry={counts.retry} empty={isEmptySeries(rows)} emptyHint={EMPTY_HINT}
          actions={intervalSwitch}
          csv={{ title: "Questions over time", fromMs: view.range.fromMs, toMs: view.range.toMs,
            columns: [{ key: "start", label: "Start" }, { key: "total", label: "Questions" }, { key: "answered", label: "Answered" },
              { key: "hedged", label: "Not in the documents" }, { key: "failed", label: "Failed" }, { key: "unfinished", label: "No answer" }],
            rows: rows.map((r) => ({ ...r, start: new Date(r.startMs).toISOString() })) }}>
          <QuestionsChart rows={rows} onSelect={(r, outcome) => view.go(bucketHref(view, r.startMs, endOf(rows.findIndex((x) => x.startMs === r.startMs), rows), outcome, support))} />
        </ChartCard>
        <ChartCard title="Answer times" description={overview.data ? latencySentence(overview.data.overview.latencyMs) : "How long investors wait for an answer."}
          fetching={times.fetching} error={times.error} onRetry={times.retry} empty={lat.every((r) => r.count === 0)} emptyHint={EMPTY_HINT}
          actions={intervalSwitch}
          csv={{ title: "Answer times", fromMs: view.range.fromMs, toMs: view.range.toMs,
            columns: [{ key: "start", label: "Start" }, { key: "count", label: "Answers" }, { key: "typical", label: "Typical (s)" }, { key: "slowest", label: "95% within (s)" }],
            rows: lat.map((r) => ({ ...r, start: new Date(r.startMs).toISOString() })) }}>
          <LatencyChart rows={lat} onSelect={(r) => view.go(view.href("/problems", {
            kind: "slow", range: null, from: new Date(r.startMs).toISOString(), to: new Date(endOf(lat.indexOf(r), lat)).toISOString() }))} />
        </ChartCard>
        <ChartCard title="What happened to the questions" description={`Share of each outcome over time. Click to see that period's ${support ? "conversations" : "problem questions"}.`}
          fetching={counts.fetching} error={counts.error} onRetry={counts.retry} empty={isEmptySeries(rows)} emptyHint={EMPTY_HINT}
          actions={<Segmented<"count" | "share"> label="Show" value={mix} onChange={setMix} options={[{ value: "count", label: "%" }, { value: "share", label: "Table" }]} />}
          height={mix === "share" ? "auto" : undefined}
          csv={{ title: "Outcome mix", fromMs: view.range.fromMs, toMs: view.range.toMs,
            columns: [{ key: "start", label: "Start" }, { key: "answered", label: "Answered %" }, { key: "hedged", label: "Not in the documents %" },
              { key: "failed", label: "Failed %" }, { key: "unfinished", label: "No answer %" }],
            rows: outcomeShareRows(rows).map((r) => ({ ...r, start: new Date(r.startMs).toISOString() })) }}>
          {mix === "count" ? (
            <OutcomeMixChart rows={outcomeShareRows(rows)} onSelect={(r) => view.go(bucketHref(view, r.startMs, endOf(rows.findIndex((x) => x.startMs === r.startMs), rows), null, support))} />
          ) : (
            <table>
              <thead><tr><th>Period</th><th className="num">Questions</th><th className="num">Answered</th><th className="num">Not in docs</th><th className="num">Failed</th><th className="num">No answer</th></tr></thead>
              <tbody>{rows.map((r) => (
                <tr key={r.startMs}><td>{r.label}</td><td className="num">{r.total}</td><td className="num">{r.answered}</td><td className="num">{r.hedged}</td><td className="num">{r.failed}</td><td className="num">{r.unfinished}</td></tr>
              ))}</tbody>
            </table>
          )}
        </ChartCard>
        <ChartCard title="Platforms" description="Questions by the app platform they came from. Click a bar to filter everything by it."
          fetching={platforms.fetching} error={platforms.error} onRetry={platforms.retry} empty={plat.length === 0} emptyHint={EMPTY_HINT}
          csv={{ title: "Platforms", fromMs: view.range.fromMs, toMs: view.range.toMs,
            columns: [{ key: "label", label: "Platform" }, { key: "count", label: "Questions" }, { key: "percent", label: "Percent" }], rows: plat }}>
          <SplitChart rows={plat} onSelect={(r) => view.update({ platform: r.value })} />
        </ChartCard>
        <ChartCard title="App versions" description="Questions by app version. A new version with more failures shows here first."
          fetching={versions.fetching} error={versions.error} onRetry={versions.retry} empty={vers.length === 0} emptyHint={EMPTY_HINT}
          csv={{ title: "App versions", fromMs: view.range.fromMs, toMs: view.range.toMs,
            columns: [{ key: "label", label: "App version" }, { key: "count", label: "Questions" }, { key: "percent", label: "Percent" }], rows: vers }}>
          <SplitChart rows={vers} color="#5b3cc4" onSelect={(r) => view.update({ version: r.value })} />
        </ChartCard>
      </div>
    </>
  );
}

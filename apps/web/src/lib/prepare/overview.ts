import { formatCount, formatDuration, formatPercent } from "../format";
import type { Overview, OverviewPeriod } from "./types";

/** One headline number with its change against the previous period. */
export interface StatCard {
  id: string;
  label: string;
  value: string;
  /** Relative change (0.12 = +12%), null when there is nothing to compare with. */
  change: number | null;
  /** Whether the change is good news: "up" means more is better. */
  better: "up" | "down";
  /** The change in words, e.g. "+12% vs previous 30 days". */
  changeText: string;
  hint: string;
}

function change(now: number | null, before: number | null): number | null {
  if (now === null || before === null || before === 0) return null;
  return (now - before) / before;
}

function changeText(c: number | null, periodLabel: string): string {
  if (c === null) return `no data for the previous ${periodLabel}`;
  if (Math.abs(c) < 0.005) return `same as the previous ${periodLabel}`;
  return `${c > 0 ? "+" : "−"}${formatPercent(Math.abs(c))} vs previous ${periodLabel}`;
}

const answeredShare = (p: OverviewPeriod): number | null => (p.questions > 0 ? p.answered / p.questions : null);

/** The overview's headline cards, in reading order. `periodLabel` e.g. "30 days". */
export function overviewCards(o: Overview, periodLabel: string): StatCard[] {
  const p = o.previous;
  const card = (id: string, label: string, value: string, now: number | null, before: number | null, better: "up" | "down", hint: string): StatCard => {
    const c = change(now, before);
    return { id, label, value, change: c, better, changeText: changeText(c, periodLabel), hint };
  };
  return [
    card("questions", "Questions asked", formatCount(o.questions), o.questions, p.questions, "up", "Questions investors asked the deal bot."),
    card("users", "People asking", formatCount(o.users), o.users, p.users, "up", "Different investors who asked at least one question."),
    card("conversations", "Conversations", formatCount(o.conversations), o.conversations, p.conversations, "up",
      "Chats: one investor's questions about one deal, less than 30 minutes apart."),
    card("answered", "Answered well", formatPercent(answeredShare(o)), answeredShare(o), answeredShare(p), "up",
      "Share of questions the bot answered from the documents, without saying the information was missing."),
    card("p50", "Typical answer time", formatDuration(o.latencyMs.p50), o.latencyMs.p50, p.latencyMs.p50, "down",
      "Half of the answers arrive faster than this."),
    card("p95", "Slowest answers", formatDuration(o.latencyMs.p95), o.latencyMs.p95, p.latencyMs.p95, "down",
      o.latencyMs.p95 === null ? "No answers in this period." : `95% of answers arrive within ${formatDuration(o.latencyMs.p95)}.`),
    card("cache", "Answered from cache", formatPercent(o.cacheHitRate), o.cacheHitRate, p.cacheHitRate, "up",
      "Share of questions answered from the bot's cache (faster and cheaper)."),
  ];
}

/** Good or bad news, for the colour of a change. */
export function changeTone(c: StatCard): "good" | "bad" | "neutral" {
  if (c.change === null || Math.abs(c.change) < 0.005) return "neutral";
  return (c.change > 0) === (c.better === "up") ? "good" : "bad";
}

/** "95% of answers arrive within 6.2 s; half within 3.6 s." */
export function latencySentence(l: { p50: number | null; p95: number | null }): string {
  if (l.p95 === null || l.p50 === null) return "No answers in this period.";
  return `95% of answers arrive within ${formatDuration(l.p95)}; half within ${formatDuration(l.p50)}.`;
}

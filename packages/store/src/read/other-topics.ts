import { clusterOther } from "@log-insights/logs";
import { checkFilter, checkRange, type QuestionFilter, type TimeRange } from "./input";
import { questionConditions } from "./filters";
import { run, sql, type Queryable } from "./sql";

export interface OtherTopic {
  /** Distinctive terms joined with " · " (class-based TF-IDF), or "unclustered". */
  label: string;
  terms: string[];
  /** Questions in the cluster over the range. */
  count: number;
  /** Most asked wordings, most asked first. */
  examples: string[];
}

/** Distinct texts clustered at most: clustering is in-process and ~linear, this keeps a request under ~100 ms. */
const MAX_TEXTS = 3000;

/**
 * What the questions the taxonomy calls "other" are about: their distinct
 * texts clustered and labelled by their distinctive terms, so a product
 * person sees new themes (and what to add to the taxonomy).
 */
export async function readOtherTopics(db: Queryable, range: TimeRange, filterIn?: QuestionFilter | null, limit = 20): Promise<OtherTopic[]> {
  const { fromMs, toMs } = checkRange(range);
  const filter = { ...checkFilter(filterIn), topic: "other" };
  const rows = await run<{ text: string; n: string }>(db, sql`SELECT min(b.question) AS text, count(*) AS n FROM bot_questions b
    WHERE b.asked_at >= ${new Date(fromMs)} AND b.asked_at < ${new Date(toMs)} ${questionConditions(filter)}
    GROUP BY b.fingerprint ORDER BY n DESC, text LIMIT ${MAX_TEXTS}`);
  if (rows.length === 0) return [];
  const clusters = clusterOther(rows.map((r) => r.text));
  return clusters
    .map((c) => {
      const members = c.members.map((i) => rows[i]!).sort((a, b) => Number(b.n) - Number(a.n));
      return {
        label: c.label || "unclustered",
        terms: c.terms,
        count: members.reduce((n, m) => n + Number(m.n), 0),
        examples: members.slice(0, 3).map((m) => m.text),
      };
    })
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label))
    .slice(0, Math.max(1, Math.min(limit, 100)));
}

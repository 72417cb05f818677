/**
 * groupQuestions throughput on N distinct synthetic questions (default
 * 100,000): the generator's phrasings (tools/src/generate/questions.ts) about
 * ~1,000 synthetic fund names, with its wording variations and typos, and
 * Zipf-like ask counts. Run from the repo root:
 *   `npx tsx packages/logs/bench/grouping.ts [N]`
 */
import { ASPECTS, phraseQuestion } from "../../../tools/src/generate/questions";
import { Rng } from "../../../tools/src/generate/prng";
import type { Fund } from "../../../tools/src/generate/catalogue";
import { FUNDS } from "../../../tools/src/generate/catalogue";
import { clusterOther, fingerprint, groupQuestions, type QuestionItem } from "../src/index";

const target = Number(process.argv[2] ?? 100_000);
const r = new Rng(7, "bench-grouping");
const A = ["Alpha", "Apex", "Atlas", "Beacon", "Cedar", "Crescent", "Delta", "Evergreen", "Falcon", "Harbour", "Horizon", "Keystone", "Lumen", "Meridian", "Northstar", "Oak", "Orion", "Pinnacle", "Quartz", "Summit"];
const B = ["Property", "Income", "Growth", "Energy", "Tech", "Healthcare", "Trade", "Halal", "Pharmacy", "Logistics", "Student Housing", "Infrastructure", "Agritech", "Fintech", "Care Homes", "Solar", "Ventures", "Credit", "Real Estate", "Retail"];
const C = ["Fund", "Fund II", "Fund 2025", "Opportunities Fund", "Income Fund", "Partners Fund"];
const base = FUNDS[0] as Fund;
const funds: Fund[] = [];
for (const a of A) for (const b of B) for (const c of C.slice(0, 3)) funds.push({ ...base, name: `${a} ${b} ${c}` });

const items = new Map<string, QuestionItem>();
let attempts = 0;
const t0 = performance.now();
while (items.size < target && attempts < target * 20) {
  attempts++;
  const aspect = ASPECTS[r.int(0, ASPECTS.length - 1)] as (typeof ASPECTS)[number];
  const fund = funds[Math.floor(funds.length * r.next() ** 2)] as Fund;
  const text = phraseQuestion(r.pick(aspect.questions), fund, r);
  const fp = fingerprint(text);
  const prev = items.get(fp);
  if (prev) prev.count++;
  else items.set(fp, { fingerprint: fp, text, count: 1 + Math.floor(1 / (r.next() + 0.01)) });
}
const list = [...items.values()];
console.log(`${list.length} distinct questions (${funds.length} funds) generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

for (let run = 1; run <= 3; run++) {
  const t = performance.now();
  const groups = groupQuestions(list);
  const s = (performance.now() - t) / 1000;
  const merged = groups.filter((g) => g.fingerprints.length > 1).length;
  console.log(
    `run ${run}: groupQuestions ${list.length} -> ${groups.length} groups (${merged} of them merged) in ${s.toFixed(2)} s = ${Math.round(list.length / s)} questions/s, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`,
  );
}

const other = list.slice(0, 10_000).map((q) => q.text);
const t2 = performance.now();
const clusters = clusterOther(other);
const s2 = (performance.now() - t2) / 1000;
console.log(`clusterOther ${other.length} texts -> ${clusters.length} clusters in ${s2.toFixed(2)} s = ${Math.round(other.length / s2)} texts/s`);

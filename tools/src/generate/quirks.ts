/**
 * Format quirks seen in production: some entries lack `time`, a few lack
 * `timestamp`, rare ones lack both (the ingestor then uses the key's time),
 * and some carry the string level "info".
 */
import type { Level, TimeFields } from "./entries";
import type { Rng } from "./prng";

export const QUIRK_RATES = {
  /** Share of level-30 entries written with the pino label "info". */
  stringLevel: 0.005,
  missingTime: 0.01,
  missingTimestamp: 0.003,
  /** Never applied to a question's start entry (its time must stay in the entry). */
  missingBoth: 0.0005,
  /** Share of files pretty-printed (indent 2) instead of one compact line. */
  prettyFiles: 0.1,
} as const;

export function pickTimeFields(r: Rng, mayLoseBoth: boolean): TimeFields {
  const x = r.next();
  if (x < QUIRK_RATES.missingBoth) return mayLoseBoth ? "none" : "timestamp";
  if (x < QUIRK_RATES.missingBoth + QUIRK_RATES.missingTime) return "timestamp";
  if (x < QUIRK_RATES.missingBoth + QUIRK_RATES.missingTime + QUIRK_RATES.missingTimestamp) return "time";
  return "both";
}

export function pickLevel(r: Rng, level: 30 | 40 | 50): Level {
  return level === 30 && r.chance(QUIRK_RATES.stringLevel) ? "info" : level;
}

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadRules } from "@log-insights/alerts";
import { writeSampleAlertRules } from "../src/sample-alert-rules";

describe("the sample data's alert rules", () => {
  it("are the shipped rules without 'logs are not arriving', comments kept", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "li-rules-"));
    try {
      const file = path.join(dir, "rules.yaml");
      expect(await writeSampleAlertRules(file)).toBe(1);
      const shipped = await loadRules();
      const sample = await loadRules(file);
      expect(sample.rules.map((r) => r.id)).toEqual(shipped.rules.filter((r) => r.metric !== "ingest_lag_seconds").map((r) => r.id));
      expect(sample.rules.length).toBeGreaterThan(5);
      expect(await readFile(file, "utf8")).toContain("# Alert rules of log-insights");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

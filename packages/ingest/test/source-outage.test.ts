import { describe, expect, it } from "vitest";
import { SourceError } from "../src/sources";
import { SourceOutageClock } from "../src/worker";

describe("SourceOutageClock", () => {
  it("defers files while the source is unavailable, up to the limit, then lets them fail", () => {
    let now = 1_000;
    const clock = new SourceOutageClock(60_000, () => now);
    const down = new SourceError("unavailable", "503 SlowDown");
    expect(clock.defers(down)).toBe(true);
    now += 59_000;
    expect(clock.defers(down)).toBe(true);
    now += 2_000; // 61 s of continuous outage: past the limit
    expect(clock.defers(down)).toBe(false);
    clock.recovered(); // a file was read: the next outage gets its own minute
    expect(clock.defers(down)).toBe(true);
  });

  it("never defers errors that are about the file", () => {
    const clock = new SourceOutageClock(60_000);
    expect(clock.defers(new SourceError("changed", "replaced while read"))).toBe(false);
    expect(clock.defers(new SourceError("not-found", "gone"))).toBe(false);
    expect(clock.defers(new Error("incorrect header check"))).toBe(false);
  });
});

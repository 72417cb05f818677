import type { IngestSummary } from "./pipeline";

/**
 * A one-line progress display for terminals (files, entries, entries/s,
 * failures), redrawn at most five times a second. Logs go elsewhere when it
 * is shown; without a terminal the per-file log lines are the progress.
 */
export class Progress {
  private total = 0;
  private started = performance.now();
  private lastDraw = 0;
  private last: IngestSummary | null = null;

  constructor(private readonly out: NodeJS.WriteStream) {}

  private active = false;

  /** Starts the display; nothing is shown for a run with nothing to do (watch mode's quiet polls). */
  start(totalFiles: number): void {
    this.active = totalFiles > 0;
    this.total = totalFiles;
    this.started = performance.now();
    this.draw(true);
  }

  update(s: IngestSummary): void {
    this.last = s;
    this.draw(false);
  }

  stop(): void {
    if (!this.active) return;
    this.draw(true);
    this.out.write("\n");
  }

  private draw(force: boolean): void {
    if (!this.active) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const s = this.last;
    const done = s ? s.files.ingested + s.files.failed : 0;
    const width = 24;
    const filled = this.total > 0 ? Math.round((done / this.total) * width) : width;
    const secs = Math.max(0.001, (now - this.started) / 1000);
    const rate = s ? Math.round(s.entries.read / secs) : 0;
    const line = `[${"#".repeat(Math.min(width, filled))}${"-".repeat(Math.max(0, width - filled))}] ` +
      `files ${done}/${this.total}  entries ${s?.entries.stored ?? 0}  ${rate}/s  failed ${s?.files.failed ?? 0}`;
    this.out.write(`\r${line}\u001b[K`);
  }
}

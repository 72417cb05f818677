import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import type { Truth } from "../../../../tools/src/generate/index";
import { generatedBucket, ingest } from "../../../../packages/ingest/test/support/harness";
import { launchBrowser, startWeb, type WebServer } from "./harness";
import { editFirstSession } from "./plant";

// The dashboard end to end: a production build (`next build`, global setup)
// served by `next start` on a real PostgreSQL loaded with generated data,
// driven by Debian's chromium. Screenshots of every page at 1440x900 go to
// artifacts/screenshots/ (git-ignored, kept by CI).

const HOUR = 3_600_000;
const SHOTS = path.resolve(import.meta.dirname, "../../../../artifacts/screenshots");
const INJECTED = `<script>alert("xss")</script> What are the quokka fees? <img src=x onerror=alert(1)>`;

/** Rewrites the questions of the first chat session of the newest file to `text`. */
async function plantQuestion(dir: string, text: string): Promise<void> {
  await editFirstSession(dir, (entries, _start, inSession) => {
    for (const e of entries) {
      if (!inSession(e)) continue;
      if ("query" in e) e.query = text;
      if ("requestMessage" in e) e.requestMessage = text;
    }
  });
}

const fmt = (n: number): string => new Intl.NumberFormat("en-GB").format(n);

describe("the dashboard in a real browser", () => {
  let db: TestDatabase;
  let bucket: Awaited<ReturnType<typeof generatedBucket>>;
  let truth: Truth;
  let web: WebServer;
  let browser: Browser;
  const dialogs: string[] = [];

  async function open(pathAndQuery: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true, timezoneId: "UTC" });
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${web.url}${pathAndQuery}`);
    return page;
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.waitForLoadState("networkidle").catch(() => undefined);
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    db = await createTestDatabase();
    const end = new Date(Math.floor(Date.now() / HOUR) * HOUR);
    bucket = await generatedBucket({ seed: 7, days: 14, sessionsPerDay: 25, end });
    truth = bucket.truth;
    await plantQuestion(bucket.dir, INJECTED);
    await ingest(db.pool, bucket.dir);
    web = await startWeb(db.url);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await db?.drop();
    await bucket?.cleanup();
  });

  it("overview shows the right numbers, charts and headline changes", async () => {
    const page = await open("/");
    await expect.poll(() => page.getByTestId("stat-questions").locator(".value").textContent(), { timeout: 30_000 }).toBe(fmt(truth.questionsTotal));
    await expect.poll(() => page.getByTestId("stat-users").locator(".value").textContent()).toBe(fmt(truth.users.bot));
    await expect.poll(() => page.locator(".recharts-bar-rectangle").count(), { timeout: 20_000 }).toBeGreaterThan(10);
    expect(await page.getByText(/95% of answers arrive within/).count()).toBeGreaterThan(0);
    await shot(page, "overview");
    await page.close();
  });

  it("every page loads with its data", async () => {
    const pages: [string, string, string][] = [
      ["/questions", "common-question", "questions"],
      ["/problems", "knowledge-gap", "problems"],
      ["/conversations", "conversation-row", "conversations"],
      ["/logs", "log-row", "logs"],
    ];
    for (const [url, testId, name] of pages) {
      const page = await open(url);
      await expect.poll(() => page.getByTestId(testId).count(), { timeout: 30_000 }).toBeGreaterThan(0);
      await shot(page, name);
      await page.close();
    }
    const ingestion = await open("/ingestion");
    await expect.poll(() => ingestion.getByTestId("ingest-done").locator(".value").textContent(), { timeout: 30_000 }).toBe(fmt(truth.files.total));
    await shot(ingestion, "ingestion");
    await ingestion.close();
  });

  it("search finds a known question and shows HTML from the logs as text", async () => {
    const page = await open("/conversations");
    await page.getByLabel("Search questions and answers").fill("quokka");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await expect.poll(() => page.url()).toContain("q=quokka");
    const row = page.getByTestId("question-row").first();
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain(`<script>alert("xss")</script> What are the quokka fees?`);
    expect(await page.locator("mark", { hasText: /quokka/i }).count()).toBeGreaterThan(0);
    expect(await page.locator("img[src=x]").count()).toBe(0);
    expect(dialogs).toEqual([]);
    await shot(page, "search");
    // Down to the conversation, where the question is a chat bubble, still as text.
    await row.getByRole("link").first().click();
    await page.locator(".bubble.q").first().waitFor({ timeout: 30_000 });
    expect(await page.locator(".bubble.q", { hasText: "quokka" }).first().textContent()).toContain("<script>");
    await page.getByRole("button", { name: "Show log lines" }).first().click();
    await expect.poll(() => page.getByTestId("log-lines").first().textContent(), { timeout: 20_000 }).toContain("Processing deal bot query");
    expect(dialogs).toEqual([]);
    await shot(page, "conversation");
    await page.close();
  });

  it("a filter changes the URL and the figures; back restores them", async () => {
    const page = await open("/conversations");
    const total = page.locator(".pager span").first();
    await expect.poll(() => total.textContent(), { timeout: 30_000 }).toMatch(/of [\d,]+ conversations/);
    const before = await total.textContent();
    await page.getByLabel("Topic").selectOption("fees");
    await expect.poll(() => page.url()).toContain("topic=fees");
    await expect.poll(() => total.textContent(), { timeout: 30_000 }).not.toBe(before);
    expect(await page.getByText("Topic: Fees & charges").count()).toBe(1);
    await page.goBack();
    await expect.poll(() => total.textContent(), { timeout: 30_000 }).toBe(before);
    await page.close();
  });

  it("a click on a chart bar drills down to that period's conversations", async () => {
    const page = await open("/?range=7d");
    const bars = page.locator(".recharts-bar-rectangle");
    await expect.poll(() => bars.count(), { timeout: 30_000 }).toBeGreaterThan(3);
    await bars.nth(2).click();
    await expect.poll(() => page.url(), { timeout: 15_000 }).toMatch(/\/conversations\?.*from=/);
    const link = page.getByTestId("conversation-row").first().getByRole("link");
    await link.waitFor({ timeout: 30_000 });
    await link.click();
    await page.locator(".bubble.a").first().waitFor({ timeout: 30_000 });
    expect(page.url()).toMatch(/\/conversations\/\d+/);
    await page.close();
  });

  it("CSV export holds the chart's rows", async () => {
    const page = await open("/");
    await expect.poll(() => page.locator(".recharts-bar-rectangle").count(), { timeout: 30_000 }).toBeGreaterThan(3);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download Questions over time as CSV" }).click()]);
    const csv = await readFile((await download.path())!, "utf8");
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("Start,Questions,Answered,Not in the documents,Failed,No answer");
    expect(lines.length - 1).toBe(30 + 1);
    expect(lines.slice(1).reduce((n, l) => n + Number(l.split(",")[1]), 0)).toBe(truth.questionsTotal);
    await page.close();
  });

  it("empty, error and retry states, and a time zone switch", async () => {
    const empty = await open("/?from=2020-01-01T00:00:00.000Z&to=2020-01-08T00:00:00.000Z");
    await expect.poll(() => empty.getByText("Nothing to show yet").count(), { timeout: 30_000 }).toBeGreaterThan(2);
    expect(await empty.getByText(/Pick a longer period, remove filters/).count()).toBeGreaterThan(0);
    await empty.close();

    // The API failing for one chart: that card says so and offers a retry, the rest of the page works.
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, timezoneId: "UTC" });
    let failing = true;
    await page.route("**/api/graphql", async (route) => {
      const body = route.request().postData() ?? "";
      if (failing && body.includes("ResponseTimes")) await route.fulfill({ status: 500, body: "boom" });
      else await route.continue();
    });
    await page.goto(`${web.url}/`);
    const card = page.locator("section", { has: page.getByRole("heading", { name: "Answer times" }) });
    await expect.poll(() => card.getByRole("alert").count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId("stat-questions").locator(".value").textContent()).toBe(fmt(truth.questionsTotal));
    failing = false;
    await card.getByRole("button", { name: "Try again" }).click();
    await expect.poll(() => card.locator(".recharts-line").count(), { timeout: 30_000 }).toBeGreaterThan(0);

    await page.getByLabel("Time zone", { exact: true }).selectOption("Asia/Kolkata");
    await expect.poll(() => page.url()).toContain("tz=Asia%2FKolkata");
    await expect.poll(() => page.getByText("times in Asia/Kolkata").count()).toBe(1);
    await page.close();
  });

  it("works at tablet width without sideways scrolling", async () => {
    const page = await browser.newPage({ viewport: { width: 820, height: 1180 }, timezoneId: "UTC" });
    await page.goto(`${web.url}/`);
    await expect.poll(() => page.locator(".recharts-bar-rectangle").count(), { timeout: 30_000 }).toBeGreaterThan(3);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    // Keyboard: the first tab stops are the navigation links, with visible names.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/log-insights/);
    await page.screenshot({ path: path.join(SHOTS, "overview-tablet.png") });
    await page.close();
  });

  it("new data ingested while the page is open appears without a reload", async () => {
    const page = await open("/");
    const value = page.getByTestId("stat-questions").locator(".value");
    await expect.poll(() => value.textContent(), { timeout: 30_000 }).toBe(fmt(truth.questionsTotal));
    await expect.poll(() => page.locator(".live").textContent(), { timeout: 15_000 }).toContain("Live");
    const more = await generatedBucket({ seed: 99, days: 1, sessionsPerDay: 4, end: new Date(Date.now() - 5 * 60_000) });
    try {
      await ingest(db.pool, more.dir);
      await expect.poll(() => value.textContent(), { timeout: 30_000 }).toBe(fmt(truth.questionsTotal + more.truth.questionsTotal));
    } finally {
      await more.cleanup();
    }
    await page.close();
  });
});

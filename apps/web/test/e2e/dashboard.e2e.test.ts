import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import type { Truth } from "../../../../tools/src/generate/index";
import { generatedBucket, ingest } from "../../../../packages/ingest/test/support/harness";
import { addSessionCookie, signedInContext, type SignedIn } from "./accounts";
import { launchBrowser, settled, startWeb, type WebServer } from "./harness";
import { editFirstSession } from "./plant";

// The dashboard end to end: a production build (`next build`, global setup)
// served by `next start` on a real PostgreSQL loaded with generated data,
// driven by Debian's chromium, signed in as an admin (an account and a
// session made with packages/auth in the test database, the cookie in the
// browser context); and the main pages again as a viewer, who must see no
// answer, no investor and no error. Screenshots of every page at 1440x900
// go to artifacts/screenshots/ (git-ignored, kept by CI).

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
  let admin: SignedIn;
  const dialogs: string[] = [];

  async function open(pathAndQuery: string, as: SignedIn = admin): Promise<Page> {
    const page = await as.context.newPage();
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${web.url}${pathAndQuery}`);
    return page;
  }

  async function shot(page: Page, name: string): Promise<void> {
    await settled(page);
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
    admin = await signedInContext(browser, db.pool, web.url, "admin");
  });
  afterAll(async () => {
    await admin?.context.close();
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
    // The export is in the audit log (recorded before the file was saved), with what was exported.
    const { rows } = await db.pool.query<{ actor_label: string; target: string; filters: Record<string, unknown> }>(
      "SELECT actor_label, target, filters FROM audit_log WHERE action = 'csv_export' ORDER BY id DESC LIMIT 1");
    expect(rows[0]).toMatchObject({ actor_label: admin.email, target: "Questions over time", filters: { page: "/", rows: 31 } });
    expect(Date.parse(String(rows[0]!.filters.to)) - Date.parse(String(rows[0]!.filters.from))).toBe(30 * 24 * HOUR);

    // When the export cannot be recorded, nothing is downloaded and the card says why.
    await page.route("**/api/graphql", async (route) => {
      if ((route.request().postData() ?? "").includes("RecordCsvExport")) await route.fulfill({ status: 500, body: "boom" });
      else await route.continue();
    });
    let downloads = 0;
    page.on("download", () => downloads++);
    const before = (await db.pool.query("SELECT 1 FROM audit_log WHERE action = 'csv_export'")).rowCount;
    await page.getByRole("button", { name: "Download Answer times as CSV" }).click();
    const card = page.locator("section", { has: page.getByRole("heading", { name: "Answer times" }) });
    await expect.poll(() => card.locator(".csv-error").textContent(), { timeout: 15_000 }).toMatch(/^Not downloaded: /);
    await page.waitForTimeout(500);
    expect(downloads).toBe(0);
    expect((await db.pool.query("SELECT 1 FROM audit_log WHERE action = 'csv_export'")).rowCount).toBe(before);
    await page.close();
  });

  it("empty, error and retry states, and a time zone switch", async () => {
    const empty = await open("/?from=2020-01-01T00:00:00.000Z&to=2020-01-08T00:00:00.000Z");
    await expect.poll(() => empty.getByText("Nothing to show yet").count(), { timeout: 30_000 }).toBeGreaterThan(2);
    expect(await empty.getByText(/Pick a longer period, remove filters/).count()).toBeGreaterThan(0);
    await empty.close();

    // The API failing for one chart: that card says so and offers a retry, the rest of the page works.
    const page = await admin.context.newPage();
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
    const tablet = await browser.newContext({ viewport: { width: 820, height: 1180 }, timezoneId: "UTC" });
    await addSessionCookie(tablet, web.url, admin.secret);
    const page = await tablet.newPage();
    await page.goto(`${web.url}/`);
    await expect.poll(() => page.locator(".recharts-bar-rectangle").count(), { timeout: 30_000 }).toBeGreaterThan(3);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    // Keyboard: the first tab stops are the navigation links, with visible names.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/log-insights/);
    await page.screenshot({ path: path.join(SHOTS, "overview-tablet.png") });
    await tablet.close();
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

  it("a viewer's pages show no answer, no investor id and no error, and offer only the viewer's pages", async () => {
    const viewer = await signedInContext(browser, db.pool, web.url, "viewer");
    try {
      // Every answer the bot gave (long enough not to appear by chance), and the text that goes with an investor id.
      const { rows } = await db.pool.query<{ answer: string }>("SELECT DISTINCT answer FROM bot_questions WHERE answer IS NOT NULL AND length(answer) >= 40");
      expect(rows.length).toBeGreaterThan(10);
      const answers = rows.map((r) => r.answer.slice(0, 60));
      const graphqlErrors: string[] = [];
      viewer.context.on("response", (res) => {
        if (!res.url().endsWith("/api/graphql") || res.request().method() !== "POST" || (res.headers()["content-type"] ?? "").includes("event-stream")) return;
        void res.json().then((body: { errors?: { message: string }[] }) => {
          for (const e of body.errors ?? []) graphqlErrors.push(`${res.request().postData()?.slice(0, 60)}: ${e.message}`);
        }).catch(() => undefined);
      });
      const pages: [string, string][] = [["/", "stat-questions"], ["/questions", "common-question"], ["/problems", "question-row"], ["/problems?kind=hedged&user=42", "knowledge-gap"]];
      for (const [url, testId] of pages) {
        const page = await open(url, viewer);
        await expect.poll(() => page.getByTestId(testId).count(), { timeout: 30_000 }).toBeGreaterThan(0);
        await settled(page);
        const text = await page.locator("main").innerText();
        for (const a of answers) expect(text, `${url} shows an answer`).not.toContain(a);
        expect(text, url).not.toMatch(/Investor \d|Investor unknown|Investor:/);
        expect(await page.locator("main").getByRole("alert").allTextContents(), `${url} shows an error`).toEqual([]);
        // No link to a conversation anywhere on the page.
        expect(await page.locator("main a[href^='/conversations']").count(), url).toBe(0);
        expect(await page.locator("nav[aria-label=Main] ul.nav a").allTextContents()).toEqual(["Overview", "Questions", "Problems"]);
        expect(await page.getByTestId("whoami").textContent()).toContain("Viewer");
        if (url === "/problems") await shot(page, "problems-viewer");
        await page.close();
      }
      expect(graphqlErrors).toEqual([]);
      // A viewer's own CSV export is recorded too, and holds no investor or conversation column.
      const page = await open("/problems", viewer);
      await expect.poll(() => page.getByTestId("question-row").count(), { timeout: 30_000 }).toBeGreaterThan(0);
      const recorded = page.waitForResponse((r) => (r.request().postData() ?? "").includes("RecordCsvExport"));
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download All problems as CSV" }).click()]);
      expect((await (await recorded).json()) as unknown).toEqual({ data: { recordCsvExport: true } });
      const header = (await readFile((await download.path())!, "utf8")).split("\r\n")[0];
      expect(header).toBe("Asked,Question,Outcome,Reason,Fund,Topic,Answer time (ms)");
      const audit = await db.pool.query<{ role: string; target: string }>("SELECT role, target FROM audit_log WHERE action = 'csv_export' AND actor_label = $1", [viewer.email]);
      expect(audit.rows).toEqual([{ role: "viewer", target: "Problems All problems" }]);
      await page.close();
    } finally {
      await viewer.context.close();
    }
  });
});

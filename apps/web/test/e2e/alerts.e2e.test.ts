import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeReadings, deliverPending, evaluateRules, parseRules, readAlertEvents, readFiringAlerts, type AlertRule, type Channel } from "@log-insights/alerts";
import { createLogger } from "@log-insights/config";
import { createTestDatabase, type TestDatabase } from "@log-insights/store/testing";
import { generatedBucket, ingest } from "../../../../packages/ingest/test/support/harness";
import { addSessionCookie, signedInContext, type SignedIn } from "./accounts";
import { launchBrowser, settled, startWeb, type WebServer } from "./harness";

// Alerts on the dashboard end to end, put into the database the real way:
// generated logs ingested, then the alerts package's own evaluator run with
// an injected clock over them (thresholds picked from what the same
// evaluator measures, so the test holds for any data), and its notifications
// delivered to two receivers on loopback, one of which refuses them. Then the
// production build in chromium: the banner on two pages, its link to the
// questions behind the alert, the Alerts page's rules and history with the
// delivery status, and no banner once nothing fires. Screenshots go to
// artifacts/screenshots/ (alerts-banner.png, alerts-page.png).

const MIN = 60_000;
const HOUR = 60 * MIN;
const SHOTS = path.resolve(import.meta.dirname, "../../../../artifacts/screenshots");
const silent = createLogger("alerts:e2e", "silent");

interface Receiver { url: string; requests: number; close(): Promise<void> }

/** An HTTP receiver on 127.0.0.1 answering every POST with `status`. */
async function startReceiver(status: number): Promise<Receiver> {
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      state.requests++;
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(status >= 400 ? `receiver says no (${status})` : "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    get requests() { return state.requests; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const rulesYaml = (failedThreshold: number, hedgedThreshold: number): string => `version: 1
defaults:
  delay: 2m
rules:
  - id: failed-answers
    name: Questions are failing
    description: Too many questions ended in an error. Check the Problems page.
    metric: failed_share
    window: 1d
    threshold: ${failedThreshold}
    minQuestions: 5
    severity: critical
  - id: not-in-documents
    name: Many answers not in the documents
    description: The deal documents lack what investors ask about. See Knowledge gaps.
    metric: hedged_share
    window: 6h
    threshold: ${hedgedThreshold}
    minQuestions: 5
    severity: warning
  - id: slow-answers
    name: Answers are slow
    metric: p95_answer_ms
    window: 1d
    threshold: 60000
    severity: warning
`;

describe("alerts on the dashboard in a real browser", () => {
  let db: TestDatabase;
  let bucket: Awaited<ReturnType<typeof generatedBucket>>;
  let web: WebServer;
  let browser: Browser;
  /** Signed in as an admin: the Alerts page and the notifications are admins'. */
  let admin: SignedIn;
  let tmp: string;
  let ok: Receiver;
  let refusing: Receiver;
  let rules: AlertRule[];
  let channels: Channel[];
  let nowMs: number;
  /** The failed questions behind the firing alert (its one window). */
  let failedCount: number;
  const savedRulesFile = process.env.ALERT_RULES_FILE;

  async function open(pathAndQuery: string): Promise<Page> {
    const page = await admin.context.newPage();
    await page.goto(`${web.url}${pathAndQuery}`);
    return page;
  }

  const evaluate = (ruleSet: readonly AlertRule[], atMs: number) =>
    evaluateRules(db.pool, ruleSet, { nowMs: atMs, repeatMs: 4 * HOUR, channels: channels.map((c) => c.name), logger: silent });

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    db = await createTestDatabase();
    const end = new Date(Math.floor(Date.now() / HOUR) * HOUR);
    bucket = await generatedBucket({ seed: 21, days: 3, sessionsPerDay: 60, end });
    await ingest(db.pool, bucket.dir);
    nowMs = Date.now();

    // Measure with the evaluator's own metrics, then set thresholds that make one rule fire now and
    // another fire earlier and resolve later (the hedged share of two 6-hour windows, the earlier higher).
    const probe = parseRules(rulesYaml(0.5, 0.5)).rules;
    const failedNow = (await computeReadings(db.pool, probe, nowMs)).get("failed-answers")!;
    if (!failedNow.value || !failedNow.questions) throw new Error(`no failed question in the last day: ${failedNow.detail}`);
    failedCount = Math.round(failedNow.value * failedNow.questions);
    const times = Array.from({ length: 11 }, (_, k) => end.getTime() - (11 - k) * 6 * HOUR + 30 * MIN);
    const hedged: { atMs: number; value: number }[] = [];
    for (const atMs of times) {
      const r = (await computeReadings(db.pool, probe, atMs)).get("not-in-documents")!;
      if (r.value !== null && r.verdict !== "unknown") hedged.push({ atMs, value: r.value });
    }
    let best: { fire: { atMs: number; value: number }; clear: { atMs: number; value: number } } | null = null;
    for (let i = 0; i < hedged.length; i++) {
      for (let j = i + 1; j < hedged.length; j++) {
        if (hedged[i]!.value - hedged[j]!.value > (best ? best.fire.value - best.clear.value : 0.03)) best = { fire: hedged[i]!, clear: hedged[j]! };
      }
    }
    if (!best) throw new Error(`no two 6-hour windows with falling hedged shares: ${JSON.stringify(hedged)}`);
    const failedThreshold = Math.floor((failedNow.value * 1000) / 2) / 1000;
    const hedgedThreshold = Math.round(((best.fire.value + best.clear.value) / 2) * 1000) / 1000;
    const text = rulesYaml(failedThreshold, hedgedThreshold);
    rules = parseRules(text).rules;
    tmp = await mkdtemp(path.join(tmpdir(), "li-alerts-e2e-"));
    const rulesFile = path.join(tmp, "alert-rules.yaml");
    await writeFile(rulesFile, text);

    ok = await startReceiver(200);
    refusing = await startReceiver(404);
    channels = [{ name: "webhook", url: ok.url }, { name: "slack", url: refusing.url }];
    const hedgedRule = rules.filter((r) => r.id === "not-in-documents");
    const fired = await evaluate(hedgedRule, best.fire.atMs);
    expect(fired.outcomes.map((o) => o.to)).toEqual(["firing"]);
    const cleared = await evaluate(hedgedRule, best.clear.atMs);
    expect(cleared.outcomes.map((o) => o.to)).toEqual(["resolved"]);
    const current = await evaluate(rules.filter((r) => r.id !== "not-in-documents"), nowMs);
    expect(current.outcomes.map((o) => [o.ruleId, o.to])).toEqual([["failed-answers", "firing"], ["slow-answers", "ok"]]);
    const delivered = await deliverPending(db.pool, { channels, nowMs: Date.now(), repeatMs: 4 * HOUR, maxAttempts: 1, logger: silent });
    expect(delivered).toMatchObject({ delivered: 3, failed: 3 });

    // The web app's API lists the rules of the same file.
    process.env.ALERT_RULES_FILE = rulesFile;
    web = await startWeb(db.url);
    browser = await launchBrowser();
    admin = await signedInContext(browser, db.pool, web.url, "admin");
  });
  afterAll(async () => {
    if (savedRulesFile === undefined) delete process.env.ALERT_RULES_FILE;
    else process.env.ALERT_RULES_FILE = savedRulesFile;
    await admin?.context.close();
    await browser?.close();
    await web?.stop();
    await ok?.close();
    await refusing?.close();
    await db?.drop();
    await bucket?.cleanup();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it("shows the firing alert in a banner on every page, with its summary and since when", async () => {
    const [firing] = await readFiringAlerts(db.pool);
    expect(firing).toBeDefined();
    for (const url of ["/", "/conversations"]) {
      const page = await open(url);
      const banner = page.getByTestId("alert-banner");
      await banner.waitFor({ timeout: 30_000 });
      expect(await banner.getAttribute("class")).toContain("critical");
      expect(await banner.textContent()).toContain("1 alert firing");
      const lines = banner.getByTestId("alert-banner-line");
      expect(await lines.count()).toBe(1);
      expect(await lines.first().textContent()).toContain(firing!.summary);
      expect(await lines.first().textContent()).toMatch(/since .+ ago\)/);
      // Only what fires now: the resolved alert is not in the banner.
      expect(await banner.textContent()).not.toContain("not in the documents");
      // The banner sits in the flow above the time bar: nothing is covered.
      const b = (await banner.boundingBox())!;
      const bar = (await page.getByRole("region", { name: "Time range and time zone" }).boundingBox())!;
      expect(bar.y).toBeGreaterThanOrEqual(b.y + b.height);
      if (url === "/") {
        await expect.poll(() => page.getByTestId("stat-questions").locator(".value").textContent(), { timeout: 30_000 }).toMatch(/\d/);
        await settled(page);
        await page.screenshot({ path: path.join(SHOTS, "alerts-banner.png") });
      }
      await page.close();
    }
  });

  it("fits a tablet without sideways scrolling, banner and Alerts page included", async () => {
    const tablet = await browser.newContext({ viewport: { width: 820, height: 1180 }, timezoneId: "UTC" });
    await addSessionCookie(tablet, web.url, admin.secret);
    const page = await tablet.newPage();
    for (const url of ["/", "/alerts"]) {
      await page.goto(`${web.url}${url}`);
      await page.getByTestId("alert-banner").waitFor({ timeout: 30_000 });
      if (url === "/alerts") await expect.poll(() => page.getByTestId("alert-history-row").count(), { timeout: 30_000 }).toBe(2);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    }
    await tablet.close();
  });

  it("links to the questions behind the alert, with the alert's range and filter", async () => {
    const page = await open("/?range=7d&tz=Europe%2FLondon");
    const link = page.getByTestId("alert-banner").getByRole("link", { name: /^See the questions/ });
    await link.waitFor({ timeout: 30_000 });
    await link.click();
    await expect.poll(() => page.url(), { timeout: 15_000 }).toMatch(/\/problems\?.*kind=failed/);
    const url = new URL(page.url());
    const [firing] = await readFiringAlerts(db.pool);
    expect(url.searchParams.get("from")).toBe(new Date(firing!.drillDown.fromMs).toISOString());
    expect(url.searchParams.get("to")).toBe(new Date(firing!.drillDown.toMs).toISOString());
    expect(url.searchParams.get("tz")).toBe("Europe/London");
    expect(await page.getByRole("navigation", { name: "Kind of problem" }).getByRole("link", { name: "Failed" }).getAttribute("aria-current")).toBe("page");
    const rows = page.getByTestId("question-row");
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(Math.min(failedCount, 25));
    for (const text of await rows.allTextContents()) expect(text).toContain("Failed");
    await expect.poll(() => page.locator(".pager span").last().textContent()).toContain(`of ${failedCount} questions`);
    await page.close();
  });

  it("lists the rules with their state and the history with who was told", async () => {
    const page = await open("/alerts");
    const ruleRows = page.getByTestId("alert-rule");
    await expect.poll(() => ruleRows.count(), { timeout: 30_000 }).toBe(3);
    const states = await page.getByTestId("alert-rule-state").allTextContents();
    expect(states).toEqual(["Firing", "Resolved", "OK"]);
    const firingRule = await ruleRows.nth(0).textContent();
    expect(firingRule).toContain("Questions are failing");
    expect(firingRule).toMatch(/\d+\.\d% now; fires above \d+\.\d%/);
    expect(firingRule).toContain("Last 1 day");
    expect(firingRule).toMatch(/questions failed/);
    expect(await ruleRows.nth(2).textContent()).toMatch(/now; fires above 60\.0 s/);

    const history = page.getByTestId("alert-history-row");
    await expect.poll(() => history.count(), { timeout: 30_000 }).toBe(2);
    const events = await readAlertEvents(db.pool, { fromMs: nowMs - 30 * 24 * HOUR, toMs: nowMs + HOUR }, null, { first: 10 });
    expect(events.nodes.map((e) => e.node.ruleId)).toEqual(["failed-answers", "not-in-documents"]);
    const [firingRow, resolvedRow] = [await history.nth(0).textContent(), await history.nth(1).textContent()];
    expect(firingRow).toContain("Still firing");
    expect(firingRow).toMatch(/so far/);
    expect(resolvedRow).toContain("Many answers not in the documents");
    expect(resolvedRow).toMatch(/\d+ h( \d+ min)?/);
    expect(resolvedRow).toMatch(/back to \d+\.\d%/);
    // Deliveries: the webhook took every notification, the Slack receiver refused them (404: not retried).
    const deliveries = page.getByTestId("alert-delivery");
    expect(await deliveries.count()).toBe(6);
    expect(await history.nth(0).getByTestId("alert-delivery").allTextContents()).toEqual([
      expect.stringMatching(/^Delivered Webhook · Alert delivered at/),
      expect.stringMatching(/^Failed Slack · Alert not delivered: gave up after 1 try.*404/),
    ]);
    expect(await history.nth(1).getByText(/All-clear delivered at/).count()).toBe(1);
    expect(await page.getByTestId("alerts-no-channel").count()).toBe(0);
    expect(await history.nth(1).getByRole("link", { name: /^See the questions: Many answers not in the documents/ }).getAttribute("href")).toContain("kind=hedged");
    // The rules table links a rule's current (firing or just resolved) alert to its questions too.
    expect(await ruleRows.nth(0).getByRole("link", { name: /^See the questions/ }).getAttribute("href")).toContain("kind=failed");
    await settled(page);
    await page.screenshot({ path: path.join(SHOTS, "alerts-page.png"), fullPage: true });

    // The history follows the app's period picker and tabs (URL state).
    await page.getByRole("navigation", { name: "Alerts to show" }).getByRole("link", { name: "Resolved" }).click();
    await expect.poll(() => page.url()).toContain("state=resolved");
    await expect.poll(() => history.count(), { timeout: 30_000 }).toBe(1);
    await page.goBack();
    await expect.poll(() => history.count(), { timeout: 30_000 }).toBe(2);
    await page.close();

    // A period with no alert: guidance instead of an empty table, including how to reach the team.
    const empty = await open("/alerts?from=2020-01-01T00:00:00.000Z&to=2020-01-08T00:00:00.000Z");
    await expect.poll(() => empty.getByText("No alert fired in this period.", { exact: false }).count(), { timeout: 30_000 }).toBe(1);
    expect(await empty.getByTestId("alerts-no-channel").textContent()).toContain("ALERT_WEBHOOK_URL");
    // The rules come from their own query: wait for it rather than racing it.
    await expect.poll(() => empty.getByTestId("alert-rule").count(), { timeout: 30_000 }).toBe(3);
    await empty.close();
  });

  it("shows the banner to a viewer too, with the questions behind it but without the admins' Alerts page", async () => {
    const viewer = await signedInContext(browser, db.pool, web.url, "viewer");
    try {
      const page = await viewer.open("/");
      const banner = page.getByTestId("alert-banner");
      await banner.waitFor({ timeout: 30_000 });
      expect(await banner.getByRole("link", { name: /^See the questions/ }).getAttribute("href")).toContain("/problems?");
      expect(await banner.getByRole("link", { name: "See all alerts" }).count()).toBe(0);
      expect(await page.locator("nav[aria-label=Main]").getByRole("link", { name: "Alerts" }).count()).toBe(0);
      await page.goto(`${web.url}/alerts`);
      expect(await page.getByTestId("forbidden-message").textContent()).toContain("This page needs the admin role.");
    } finally {
      await viewer.context.close();
    }
  });

  it("shows no banner, and no error, when the alerts cannot be read", async () => {
    const page = await admin.context.newPage();
    let refused = 0;
    await page.route("**/api/graphql", async (route) => {
      if ((route.request().postData() ?? "").includes("FiringAlerts")) {
        refused++;
        await route.fulfill({ status: 500, body: "boom" });
      } else await route.continue();
    });
    await page.goto(`${web.url}/`);
    await expect.poll(() => page.getByTestId("stat-questions").locator(".value").textContent(), { timeout: 30_000 }).toMatch(/\d/);
    // The banner's query really was answered with the error before we look for its absence.
    await expect.poll(() => refused, { timeout: 30_000 }).toBeGreaterThan(0);
    await page.waitForTimeout(500);
    expect(await page.getByTestId("alert-banner").count()).toBe(0);
    expect(await page.getByTestId("alert-banner-region").textContent()).toBe("");
    await page.close();
  });

  it("removes the banner once nothing fires", async () => {
    const page = await open("/questions");
    await page.getByTestId("alert-banner").waitFor({ timeout: 30_000 });
    // The failures stop: the same rule, now clear, resolves at the next evaluation.
    const result = await evaluate(rules.map((r) => (r.id === "failed-answers" ? { ...r, threshold: 0.99 } : r)).filter((r) => r.id !== "not-in-documents"), Date.now());
    expect(result.outcomes.find((o) => o.ruleId === "failed-answers")?.to).toBe("resolved");
    // The open page drops the banner by itself (it asks again every 30 s).
    await expect.poll(() => page.getByTestId("alert-banner").count(), { timeout: 60_000, interval: 1_000 }).toBe(0);
    await page.close();
    const fresh = await open("/conversations");
    await expect.poll(() => fresh.getByTestId("conversation-row").count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await settled(fresh);
    expect(await fresh.getByTestId("alert-banner").count()).toBe(0);
    await fresh.close();
  }, 120_000);
});

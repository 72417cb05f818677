import type { FileChannels } from "../rules";
import { dashboardLink, type AlertMessage } from "./message";

// The three notification formats, as pure functions from an AlertMessage to
// an HTTP request, plus the sender. A receiver that answers 2xx has it; 5xx,
// 408, 429 and network errors are worth retrying; any other 4xx (a revoked
// Slack webhook answers 404, a malformed request 400) will not get better
// and fails at once. Webhook URLs can be secrets (Slack's are): they are
// never logged or stored, only their origin (describeUrl).

export type ChannelName = "webhook" | "slack" | "alertmanager";
export const CHANNELS: readonly ChannelName[] = ["webhook", "slack", "alertmanager"];

export interface Channel {
  name: ChannelName;
  /** Where to POST (for Alertmanager: its base URL; /api/v2/alerts is added). */
  url: string;
}

export interface ChannelEnv {
  ALERT_WEBHOOK_URL?: string | undefined;
  ALERT_SLACK_WEBHOOK_URL?: string | undefined;
  ALERTMANAGER_URL?: string | undefined;
}

/** The configured channels: each from its environment variable, else from the rules file's `notifications:`. */
export function channelsFrom(env: ChannelEnv, file: FileChannels = {}): Channel[] {
  const pick = (name: ChannelName, fromEnv: string | undefined, fromFile: string | undefined): Channel[] => {
    const url = fromEnv || fromFile;
    return url ? [{ name, url }] : [];
  };
  return [
    ...pick("webhook", env.ALERT_WEBHOOK_URL, file.webhook),
    ...pick("slack", env.ALERT_SLACK_WEBHOOK_URL, file.slack),
    ...pick("alertmanager", env.ALERTMANAGER_URL, file.alertmanager),
  ];
}

/** A URL safe to log: its origin only (Slack's secret is the path). */
export function describeUrl(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return "(not a URL)";
  }
}

export interface FormatOptions {
  /** Base URL of the dashboard for links (ALERT_DASHBOARD_URL); no links when unset. */
  dashboardUrl?: string | null;
  /** When the request is sent. */
  nowMs: number;
  /** The repeat interval: Alertmanager is told a firing alert lasts two of them unless re-sent. */
  repeatMs: number;
}

export interface HttpRequest {
  url: string;
  body: unknown;
}

/** The request a channel sends for a message. */
export function formatRequest(channel: Channel, message: AlertMessage, options: FormatOptions): HttpRequest {
  switch (channel.name) {
    case "webhook":
      return { url: channel.url, body: webhookBody(message, options) };
    case "slack":
      return { url: channel.url, body: slackBody(message, options) };
    case "alertmanager":
      return { url: alertmanagerEndpoint(channel.url), body: alertmanagerBody(message, options) };
  }
}

/** Generic JSON: the whole alert, versioned, with a link when the dashboard URL is known. */
export function webhookBody(message: AlertMessage, options: FormatOptions): Record<string, unknown> {
  return {
    version: 1,
    source: "log-insights",
    kind: message.kind,
    sentAt: new Date(options.nowMs).toISOString(),
    alert: { ...message, url: dashboardLink(options.dashboardUrl, message.path) },
  };
}

const SLACK_ICON = { firing: ":rotating_light:", repeat: ":rotating_light:", resolved: ":white_check_mark:" } as const;
const SLACK_WORD = { firing: "Firing", repeat: "Still firing", resolved: "Resolved" } as const;

/** Slack escapes: &, < and > are markup in mrkdwn. */
function slackText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Slack incoming webhook: `text` (the notification and fallback) and Block Kit `blocks`. */
export function slackBody(message: AlertMessage, options: FormatOptions): { text: string; blocks: unknown[] } {
  const link = dashboardLink(options.dashboardUrl, message.path);
  const head = `${SLACK_ICON[message.kind]} ${SLACK_WORD[message.kind]} [${message.severity.toUpperCase()}] ${message.summary}`;
  const context = [
    slackText(message.detail),
    message.window ? `window ${new Date(message.windowFrom).toISOString().slice(11, 16)}–${new Date(message.windowTo).toISOString().slice(11, 16)} UTC` : null,
    `rule \`${message.ruleId}\``,
  ].filter((x): x is string => x !== null);
  const blocks: unknown[] = [
    { type: "section", text: { type: "mrkdwn", text: `*${slackText(head)}*${message.description ? `\n${slackText(message.description)}` : ""}` } },
    { type: "context", elements: [{ type: "mrkdwn", text: context.join(" · ") }] },
  ];
  if (link) blocks.push({ type: "section", text: { type: "mrkdwn", text: `<${link}|Open in log-insights>` } });
  return { text: link ? `${head} ${link}` : head, blocks };
}

/** Alertmanager API v2: POST /api/v2/alerts with an array of alerts; labels identify the alert, so they hold no values. */
export function alertmanagerBody(message: AlertMessage, options: FormatOptions): Record<string, unknown>[] {
  const link = dashboardLink(options.dashboardUrl, message.path);
  // Firing: ends in two repeat intervals unless re-sent (a stopped worker's alerts do not fire forever).
  const endsAt = message.kind === "resolved" && message.resolvedAt ? message.resolvedAt : new Date(options.nowMs + 2 * options.repeatMs).toISOString();
  return [
    {
      labels: { alertname: message.ruleId, severity: message.severity, metric: message.metric, service: "log-insights" },
      annotations: {
        summary: message.summary,
        description: message.description ?? message.summary,
        detail: message.detail,
        value: message.valueText,
        threshold: String(message.threshold),
        rule_name: message.ruleName,
      },
      startsAt: message.startedAt,
      endsAt,
      ...(link ? { generatorURL: link } : {}),
    },
  ];
}

export function alertmanagerEndpoint(base: string): string {
  return /\/api\/v2\/alerts\/?$/.test(base) ? base : `${base.replace(/\/+$/, "")}/api/v2/alerts`;
}

export class DeliveryError extends Error {
  override name = "DeliveryError";
  constructor(message: string, readonly retryable: boolean) {
    super(message);
  }
}

/** POSTs JSON; resolves on 2xx, else throws a DeliveryError saying whether to retry. Never logs the URL. */
export async function send(request: HttpRequest, options: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let res: Response;
  try {
    res = await fetch(request.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "log-insights-alerts/1" },
      body: JSON.stringify(request.body),
      signal,
      redirect: "error",
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = timeout.aborted ? `no answer within ${options.timeoutMs} ms` : e.cause?.code ?? e.cause?.message ?? e.message;
    throw new DeliveryError(`${describeUrl(request.url)}: ${why}`, true);
  }
  if (res.ok) {
    await res.body?.cancel().catch(() => undefined);
    return;
  }
  const text = (await res.text().catch(() => "")).replace(/\s+/g, " ").trim().slice(0, 200);
  const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
  throw new DeliveryError(`${describeUrl(request.url)}: HTTP ${res.status}${text ? ` ${text}` : ""}`, retryable);
}

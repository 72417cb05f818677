"use client";

import Link from "next/link";
import { useEffect, useState, type ReactNode } from "react";
import { ALERT_POLL_MS } from "../components/AlertBanner";
import { ChartCard } from "../components/ChartCard";
import { Pager, usePages } from "../components/Pager";
import { useGql } from "../lib/graphql";
import { drillHref, historyRange, historyRows, nobodyNotified, NOTIFICATION_SETTINGS, ruleRows } from "../lib/prepare/alerts";
import type { Alert, AlertRuleState, Connection } from "../lib/prepare/types";
import { ALERT_RULES, ALERTS } from "../lib/queries";
import { activeFilterCount } from "../lib/url-state";
import { useView } from "../lib/view";

const STATES = [
  { id: "", label: "All alerts", state: null, help: "Every alert that was firing at some point in this period, newest first." },
  { id: "firing", label: "Firing now", state: "FIRING", help: "Alerts still firing: the problem is going on." },
  { id: "resolved", label: "Resolved", state: "RESOLVED", help: "Alerts that ended: the value went back within the threshold." },
] as const;

const PAGE = 25;

function Settings(): ReactNode {
  return (
    <>
      {NOTIFICATION_SETTINGS.map((s, i) => (
        <span key={s}>{i > 0 && (i === NOTIFICATION_SETTINGS.length - 1 ? " or " : ", ")}<code>{s}</code></span>
      ))}
    </>
  );
}

export function AlertsPage(): ReactNode {
  const view = useView();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ALERT_POLL_MS);
    return () => clearInterval(t);
  }, []);
  const rules = useGql<{ alertRules: AlertRuleState[] }>(ALERT_RULES, {}, false, { pollMs: ALERT_POLL_MS });
  const tab = STATES.find((s) => s.id === (view.params.get("state") ?? "")) ?? STATES[0];
  const vars = { ...historyRange(view.range), state: tab.state };
  const pages = usePages(JSON.stringify(vars));
  const history = useGql<{ alerts: Connection<Alert> }>(ALERTS, { ...vars, first: PAGE, after: pages.after }, false, { pollMs: ALERT_POLL_MS });
  const ruleList = rules.data ? ruleRows(rules.data.alertRules, now, view.timeZone) : [];
  const conn = history.data?.alerts;
  const alerts = conn?.edges.map((e) => e.node) ?? [];
  const rows = historyRows(alerts, now, view.timeZone);
  return (
    <>
      <h1>Alerts</h1>
      <p className="subtitle">
        Rules that watch the deal bot and the log pipeline, whether they are firing now, and every alert in the period with whether the team was told.
        {activeFilterCount(view.filter) > 0 && " Alerts count every question: the filters above do not apply here."}
      </p>
      <ChartCard title="Rules" description="What is watched, the latest value against the threshold that fires the rule, and the state now. The worker checks every rule about once a minute."
        fetching={rules.fetching} error={rules.error} onRetry={rules.retry} empty={ruleList.length === 0} height="auto"
        emptyHint="No alert rules are set up. Copy packages/alerts/rules.default.yaml, edit it, and point ALERT_RULES_FILE at the copy."
        csv={{ title: "Alert rules", fromMs: now, toMs: now,
          columns: [{ key: "name", label: "Rule" }, { key: "stateLabel", label: "State" }, { key: "value", label: "Latest value" }, { key: "firesWhen", label: "Fires when" },
            { key: "window", label: "Window" }, { key: "minQuestions", label: "Minimum questions" }, { key: "severityLabel", label: "Severity" }, { key: "detail", label: "Last check" }],
          rows: ruleList }}>
        <table className="alert-rules">
          <thead><tr><th>Rule</th><th>State</th><th>Latest value</th><th>Window</th><th className="num">Minimum questions</th></tr></thead>
          <tbody>{ruleList.map((r) => (
            <tr key={r.id} data-testid="alert-rule">
              <td>
                <strong>{r.name}</strong> <span className={`badge sev-${r.severity.toLowerCase()}`}>{r.severityLabel}</span>
                {r.description && <div className="reason">{r.description}</div>}
              </td>
              <td>
                <span className={`badge state-${r.state.toLowerCase()}`} data-testid="alert-rule-state">{r.stateLabel}</span>
                {r.since && <div className="reason">{r.since}</div>}
                {r.drillPath && <div><Link href={drillHref(r.drillPath, view.params)} aria-label={`${r.drillLabel}: ${r.name}`}>{r.drillLabel}</Link></div>}
              </td>
              <td>
                <div>{r.valueVsThreshold}</div>
                {r.detail && <div className="reason">{r.detail}</div>}
              </td>
              <td>{r.window}</td>
              <td className="num">{r.minQuestions}</td>
            </tr>
          ))}</tbody>
        </table>
      </ChartCard>
      <div style={{ marginTop: 16 }}>
        <nav className="tabs" aria-label="Alerts to show">
          {STATES.map((s) => (
            <Link key={s.id} href={view.href("/alerts", { state: s.id || null })} aria-current={s.id === tab.id ? "page" : undefined}>{s.label}</Link>
          ))}
        </nav>
        <ChartCard title="Alert history" description={`${tab.help} Each with the questions behind it and whether its notifications reached the team.`}
          fetching={history.fetching} error={history.error} onRetry={history.retry} empty={!conn || conn.edges.length === 0} height="auto"
          emptyHint={tab.state === "FIRING" ? "Nothing is firing now." : "No alert fired in this period. Pick a longer period to see older ones."}
          csv={{ title: `Alerts ${tab.label}`, fromMs: view.range.fromMs, toMs: view.range.toMs,
            columns: [{ key: "ruleName", label: "Rule" }, { key: "severityLabel", label: "Severity" }, { key: "stateLabel", label: "State" }, { key: "startedAt", label: "Started" },
              { key: "resolvedAt", label: "Resolved" }, { key: "duration", label: "Duration" }, { key: "value", label: "Value" }, { key: "summary", label: "Summary" },
              { key: "deliveryText", label: "Notifications" }],
            rows }}>
          {conn && (
            <>
              <table className="alert-history">
                <thead><tr><th>Alert</th><th>Started</th><th>Resolved</th><th>Duration</th><th>Value</th><th>Team told</th></tr></thead>
                <tbody>{rows.map((r) => (
                  <tr key={r.id} data-testid="alert-history-row">
                    <td>
                      <span className={`badge sev-${r.severity.toLowerCase()}`}>{r.severityLabel}</span> <strong>{r.ruleName}</strong>
                      <div className="reason">{r.summary}</div>
                      <Link href={drillHref(r.drillPath, view.params)} aria-label={`${r.drillLabel}: ${r.ruleName}, started ${r.started}`}>{r.drillLabel}</Link>
                    </td>
                    <td>{r.started}</td>
                    <td>{r.state === "FIRING" ? <span className="badge state-firing">{r.resolved}</span> : r.resolved}</td>
                    <td>{r.duration}</td>
                    <td>{r.value}{r.latest && <div className="reason">{r.latest}</div>}</td>
                    <td>
                      {r.deliveries.length === 0 ? <span className="reason">No notification sent</span> : (
                        <ul className="deliveries">{r.deliveries.map((d) => (
                          <li key={d.id} data-testid="alert-delivery">
                            <span className={`badge delivery-${d.status}`}>{d.status === "delivered" ? "Delivered" : d.status === "failed" ? "Failed" : "Pending"}</span>{" "}
                            {d.text}
                            {d.error && <div className="reason error-text">{d.error}</div>}
                          </li>
                        ))}</ul>
                      )}
                    </td>
                  </tr>
                ))}</tbody>
              </table>
              <Pager page={pages.page} pageSize={PAGE} total={conn.totalCount} exact={conn.totalCountIsExact ?? true} hasNext={conn.pageInfo.hasNextPage}
                onNext={() => pages.next(conn.pageInfo.endCursor)} onPrev={pages.prev} noun="alerts" />
            </>
          )}
        </ChartCard>
        {(nobodyNotified(alerts) || (conn && conn.totalCount === 0 && tab.state === null)) && (
          <div className="card note" role="note" data-testid="alerts-no-channel" style={{ marginTop: 16 }}>
            <h2>{alerts.length > 0 ? "Nobody was notified of these alerts" : "How the team is told"}</h2>
            <p>
              Alerts are shown here and in the banner on every page. To also send them to the team, set <Settings /> for the worker that
              evaluates the rules (<code>npm start</code>, or <code>npm run ingest -- --watch</code>) and restart it: a JSON webhook, a Slack incoming webhook, or an
              Alertmanager. Each notification&apos;s delivery then shows in the last column, with the error when a receiver refused it.
            </p>
          </div>
        )}
      </div>
    </>
  );
}

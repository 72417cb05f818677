"use client";

import Link from "next/link";
import { useEffect, useState, type ReactNode } from "react";
import { useGql } from "../lib/graphql";
import { bannerOf, drillHref } from "../lib/prepare/alerts";
import type { Alert } from "../lib/prepare/types";
import { useMe } from "../lib/me";
import { canOpen } from "../lib/page-access";
import { FIRING_ALERTS } from "../lib/queries";
import { contextParams } from "../lib/url-state";
import { useView } from "../lib/view";

/** How often the banner asks again, besides each ingest commit (the worker evaluates the rules every minute). */
export const ALERT_POLL_MS = 30_000;

/**
 * The alerts firing now, on every page (in the app shell): one line per
 * alert with its summary, since when, and a link to the questions behind
 * it. Nothing at all when no alert fires, while loading, or when the query
 * fails: a banner never shows an error of its own.
 */
export function AlertBanner(): ReactNode {
  const view = useView();
  const role = useMe()?.role ?? null;
  const firing = useGql<{ firingAlerts: Alert[] }>(FIRING_ALERTS, {}, false, { pollMs: ALERT_POLL_MS });
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ALERT_POLL_MS);
    return () => clearInterval(t);
  }, []);
  const banner = firing.error || !firing.data ? null : bannerOf(firing.data.firingAlerts, now, view.timeZone);
  const ctx = contextParams(view.params).toString();
  // The live region stays in the page so a new alert is announced when it appears.
  return (
    <div aria-live="polite" data-testid="alert-banner-region">
      {banner && (
        <section className={`alert-banner ${banner.tone}`} aria-label="Alerts firing now" data-testid="alert-banner">
          <div className="alert-banner-head">
            <span className="alert-banner-icon" aria-hidden="true">!</span>
            <strong>{banner.title}</strong>
            {canOpen(role, "/alerts") && <Link href={`/alerts${ctx ? `?${ctx}` : ""}`}>See all alerts</Link>}
          </div>
          <ul>
            {banner.lines.map((l) => (
              <li key={l.id} data-testid="alert-banner-line">
                <span className={`badge sev-${l.severity.toLowerCase()}`}>{l.severityLabel}</span>
                <span className="alert-summary">{l.summary}</span>
                <span className="reason">{l.since}</span>
                {canOpen(role, l.drillPath) && <Link href={drillHref(l.drillPath, view.params)} aria-label={`${l.drillLabel}: ${l.summary}`}>{l.drillLabel}</Link>}
              </li>
            ))}
          </ul>
          {banner.more > 0 && <p className="reason">And {banner.more} more{canOpen(role, "/alerts") ? " on the Alerts page" : ""}.</p>}
        </section>
      )}
    </div>
  );
}

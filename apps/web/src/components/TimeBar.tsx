"use client";

import { useEffect, useState, type ReactNode } from "react";
import { formatAgo } from "../lib/format";
import { useLive } from "../lib/graphql";
import { PRESETS } from "../lib/time-range";
import { useView } from "../lib/view";

const ZONES = ["UTC", "Europe/London", "Europe/Paris", "America/New_York", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore"];

/** "2026-10-01T00:00" in a zone, for datetime-local inputs. */
function localInput(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(ms).map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** The global time range, time zone and live status: on every page, kept in the URL. */
export function TimeBar(): ReactNode {
  const view = useView();
  const live = useLive();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 10_000);
    return () => clearInterval(t);
  }, []);
  const custom = view.range.preset === "custom";
  const zones = ZONES.includes(view.timeZone) ? ZONES : [view.timeZone, ...ZONES];
  return (
    <div className="topbar" role="region" aria-label="Time range and time zone">
      <label>
        Period
        <select
          aria-label="Period"
          value={view.range.preset}
          onChange={(e) => {
            const v = e.target.value;
            if (v === "custom") view.update({ range: null, from: new Date(view.range.fromMs).toISOString(), to: new Date(view.range.toMs).toISOString() });
            else view.update({ range: v === "30d" ? null : v, from: null, to: null });
          }}
        >
          {PRESETS.map((p) => <option key={p.id} value={p.id}>{p.label}</option>)}
          <option value="custom">Custom range…</option>
        </select>
      </label>
      {custom && (
        <>
          <label>
            From
            <input
              type="datetime-local"
              defaultValue={localInput(view.range.fromMs, "UTC")}
              onBlur={(e) => e.target.value && view.update({ from: new Date(`${e.target.value}:00Z`).toISOString() })}
            />
          </label>
          <label>
            To
            <input
              type="datetime-local"
              defaultValue={localInput(view.range.toMs, "UTC")}
              onBlur={(e) => e.target.value && view.update({ to: new Date(`${e.target.value}:00Z`).toISOString() })}
            />
          </label>
          <span className="reason">(UTC)</span>
        </>
      )}
      <label>
        Time zone
        <select aria-label="Time zone" value={view.timeZone} onChange={(e) => view.update({ tz: e.target.value })}>
          {zones.map((z) => <option key={z} value={z}>{z}</option>)}
        </select>
      </label>
      <span className="live" aria-live="polite">
        <span className={`dot${live.connected ? " on" : ""}`} aria-hidden="true" />
        {live.connected ? "Live" : "Reconnecting…"}
        {live.lastChangeMs !== null && ` · new data ${formatAgo(live.lastChangeMs, now)}`}
      </span>
    </div>
  );
}

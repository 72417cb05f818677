import type { Verdict } from "./metrics";

// The state machine of one rule, pure (no clock, no database): given what
// the rule remembers and this evaluation's verdict, what it becomes and
// whether to tell someone.
//
//            breach                      clear
//   ok ───────────────▶ firing ───────────────────▶ resolved
//    ▲   (notify firing)  │ ▲   (notify resolved)      │  │
//    │                    │ │                          │  │ breach: a new episode
//    │     breach, every  │ │ (notify firing)          │  │ (notify firing)
//    │     repeat interval└─┘◀─────────────────────────┘──┘
//    │     (notify repeat)
//    └──────────── clear for one more window after resolving ─┘
//
// - A firing rule notifies once, then again only on resolve or when the
//   repeat interval has passed since its last notification.
// - "unknown" (no data, or fewer questions than minQuestions) changes
//   nothing and notifies nothing: a quiet night neither resolves an incident
//   nor keeps re-announcing it; the next verdict with enough questions decides.
// - resolved stays resolved (visible as "recently resolved") until the rule has
//   been clear for one more full window, so the window that breached has
//   passed entirely; then it is ok again. Breaching again meanwhile is a new episode.

export type AlertStateName = "ok" | "firing" | "resolved";
export type NotificationKind = "firing" | "repeat" | "resolved";

/** What a rule remembers between evaluations (alert_state). */
export interface RuleMemory {
  state: AlertStateName;
  /** When it entered this state. */
  sinceMs: number;
  /** When a notification was last queued for it (firing, repeat or resolved). */
  lastNotifiedAtMs: number | null;
}

export interface Transition {
  state: AlertStateName;
  sinceMs: number;
  /** Queue a notification of this kind (one per configured channel). */
  notify: NotificationKind | null;
  /** open: a new episode starts (alert_events row); close: the episode resolves; update: it goes on. */
  episode: "open" | "update" | "close" | null;
}

export interface DecideOptions {
  nowMs: number;
  /** Notify a still-firing rule again after this long. */
  repeatMs: number;
  /** How long resolved lasts before ok (the rule's window; 0 for point-in-time metrics). */
  holdMs: number;
}

export function decide(memory: RuleMemory | null, verdict: Verdict, options: DecideOptions): Transition {
  const { nowMs, repeatMs, holdMs } = options;
  const current: RuleMemory = memory ?? { state: "ok", sinceMs: nowMs, lastNotifiedAtMs: null };
  switch (current.state) {
    case "ok":
      return verdict === "breach"
        ? { state: "firing", sinceMs: nowMs, notify: "firing", episode: "open" }
        : { state: "ok", sinceMs: current.sinceMs, notify: null, episode: null };
    case "firing":
      if (verdict === "clear") return { state: "resolved", sinceMs: nowMs, notify: "resolved", episode: "close" };
      if (verdict === "breach") {
        const due = current.lastNotifiedAtMs === null || nowMs - current.lastNotifiedAtMs >= repeatMs;
        return { state: "firing", sinceMs: current.sinceMs, notify: due ? "repeat" : null, episode: "update" };
      }
      return { state: "firing", sinceMs: current.sinceMs, notify: null, episode: null };
    case "resolved":
      if (verdict === "breach") return { state: "firing", sinceMs: nowMs, notify: "firing", episode: "open" };
      return nowMs - current.sinceMs >= holdMs
        ? { state: "ok", sinceMs: nowMs, notify: null, episode: null }
        : { state: "resolved", sinceMs: current.sinceMs, notify: null, episode: null };
  }
}

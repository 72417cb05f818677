// @log-insights/alerts: rules in a readable file, evaluated by the worker
// against the stored questions and the ingest ledger, with state, history
// and an outbox of notifications in PostgreSQL (migration 0004_alerts.sql).
//
//   rules.ts          the rules file: format, validation, defaults, reload
//   metrics.ts        each rule's metric for its window, from the store's readers
//   evaluator.ts      the state machine (ok → firing → resolved), pure
//   evaluate.ts       one evaluation pass in one transaction (states, history, outbox)
//   state-store.ts    the SQL: state, history, notifications (also what the API reads)
//   notify/           the notification formats (webhook, Slack, Alertmanager) and sending
//   delivery.ts       the outbox's delivery: retries with backoff, failures recorded
//   schedule.ts       startAlertSchedule: the worker's loop
export {
  parseRules, loadRules, rulesSource, parseDuration, formatDuration, durationInWords, defaultComparison, AlertRulesError,
  METRICS, COMPARISONS, SEVERITIES, QUESTION_METRICS, DEFAULT_RULES_FILE, DEFAULT_MIN_QUESTIONS,
  type AlertRule, type RuleSet, type Metric, type Comparison, type Severity, type FileChannels,
} from "./rules";
export { computeReadings, questionReading, ruleWindow, compare, formatValue, summarize, type Reading, type Verdict } from "./metrics";
export { decide, type AlertStateName, type NotificationKind, type RuleMemory, type Transition, type DecideOptions } from "./evaluator";
export { evaluateRules, messageOf, type EvaluateOptions, type EvaluationResult, type RuleOutcome } from "./evaluate";
export {
  readAlertStates, readAlertEvents, readFiringAlerts, readAlertEventsByIds, readNotifications,
  type AlertStateRow, type AlertEvent, type AlertNotification, type DeliveryStatus,
} from "./state-store";
export {
  channelsFrom, describeUrl, formatRequest, webhookBody, slackBody, alertmanagerBody, alertmanagerEndpoint, send, DeliveryError, CHANNELS,
  type Channel, type ChannelName, type ChannelEnv, type FormatOptions, type HttpRequest,
} from "./notify/channels";
export { drillDown, dashboardLink, type AlertMessage, type DrillDown } from "./notify/message";
export { deliverPending, backoffDelay, DEFAULT_MAX_ATTEMPTS, type DeliveryOptions, type DeliveryResult } from "./delivery";
export { startAlertSchedule, type AlertScheduleOptions, type AlertSchedule, type PassResult } from "./schedule";

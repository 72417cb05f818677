// Data retention: drop whole time partitions past a policy, keep the rollups
// (see migrations/0003_retention.sql and the README's Retention section).
export {
  applyRetention, retentionHorizons, markFilesBeyondRetention, BEYOND_RETENTION_REASON,
  type RetentionPolicy, type RetentionOptions, type RetentionResult, type RetentionTableResult, type RetentionPartition, type RetentionTable,
} from "./apply";
export { startRetentionSchedule, type RetentionScheduleOptions, type RetentionSchedule } from "./schedule";
export {
  parseRetentionDuration, RetentionDurationError, type RetentionDuration, type DurationUnit,
} from "./duration";
